"""On PostgreSQL, a GIN index on the expression Wagtail's search matches
(`title || body` of the search index): without it every search reads every
index row (about 2 s with a million posts; bench/pages.py). Other databases
have their own full-text index already (SQLite FTS5), so nothing is done."""

from django.db import migrations

INDEX = "harbour_indexentry_fulltext"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("wagtailsearch", "0010_add_text_fields")]

    operations = [migrations.RunPython(create, drop)]
