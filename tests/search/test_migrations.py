"""The full-text index search relies on is there on PostgreSQL (on SQLite the
search backend keeps its own FTS5 table)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_search_index_has_a_full_text_index():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                ["harbour_indexentry_fulltext"],
            )
            [(definition,)] = cursor.fetchall()
            assert "gin" in definition and "title || body" in definition
        else:
            tables = connection.introspection.table_names(cursor)
            assert any("fts" in name for name in tables), tables
