"""cms.db: statements PostgreSQL prepares once per connection, through
Django's cursor wrapper all the same (its errors, its query log)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.db import prepared_cursor, prepares

PROBE = "SELECT CAST(%s AS integer) + 1 AS harbour_prepared_probe"


def run_probe(n: int) -> int:
    with prepared_cursor() as cursor:
        cursor.execute(PROBE, [n])
        (answer,) = cursor.fetchone()
    return answer


def times_prepared() -> int:
    """How many statements this connection's session holds prepared that are
    the probe (none on SQLite, which has no such thing)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%harbour_prepared_probe%"],
        )
        (count,) = cursor.fetchone()
    return count


@pytest.mark.django_db
def test_a_statement_is_prepared_once_on_postgresql_and_answers_alike():
    assert prepares() is (connection.vendor == "postgresql")
    assert [run_probe(n) for n in (1, 41, 1)] == [2, 42, 2]
    assert times_prepared() == (1 if prepares() else 0)


@pytest.mark.django_db
def test_its_statements_are_in_djangos_query_log_with_their_parameters():
    with CaptureQueriesContext(connection) as queries:
        run_probe(20260)
    (logged,) = [q["sql"] for q in queries.captured_queries if "probe" in q["sql"]]
    assert "20260" in logged and "harbour_prepared_probe" in logged


@pytest.mark.django_db
def test_its_errors_are_djangos_and_a_rolled_back_one_leaves_it_working():
    """A unique row stored twice raises Django's IntegrityError (what the
    chat's send catches for a resent client id); psycopg forgets its
    prepared statements on the rollback, and the next run prepares again."""
    run_probe(1)
    duplicate = "INSERT INTO django_content_type (app_label, model) VALUES (%s, %s)"
    with pytest.raises(IntegrityError), transaction.atomic():
        with prepared_cursor() as cursor:
            cursor.execute(duplicate, ["chat", "message"])
    assert run_probe(6) == 7
    assert times_prepared() == (1 if prepares() else 0)


@pytest.mark.django_db
def test_with_prepared_statements_off_it_is_djangos_own_cursor(monkeypatch):
    """Behind PgBouncer (prepare_threshold None in the settings) nothing is
    prepared: a statement may run on another server connection."""
    options = {**connection.settings_dict.get("OPTIONS", {}), "prepare_threshold": None}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert prepares() is False
    assert run_probe(2) == 3
    assert times_prepared() == 0
