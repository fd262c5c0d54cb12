"""Prepared statements for the few statements written out on every chat
message's path (decision 0039).

Django binds a query's parameters in the client and sends PostgreSQL new
text each time, so PostgreSQL parses and plans every statement on every run:
for the chat's access join that was 0.3 of its 0.5 ms. `prepared_cursor`
binds them on the server instead, so psycopg prepares each statement on the
connection that runs it (its `prepare_threshold`, set in the settings) and
PostgreSQL plans it once per connection; the pool keeps connections, so once
per process. The ORM's own queries are untouched: Django's cursor never
prepares.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper


def prepares(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `prepared_cursor` prepares on this database: PostgreSQL with
    prepared statements on (the settings turn them off behind PgBouncer in
    transaction mode, where a statement prepared on one server connection
    would be run on another)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    options = connection.settings_dict.get("OPTIONS", {})
    return options.get("prepare_threshold") is not None


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[CursorWrapper]:
    """A cursor like `connection.cursor()` (Django's wrapper: its errors,
    query log and execute wrappers, the connection's health check) whose
    statements PostgreSQL prepares when `prepares`; otherwise Django's own.
    For fixed statements run many times: each distinct text is prepared on
    each connection that runs it (psycopg keeps the last 100)."""
    connection = connections[using]
    if not prepares(using):
        with connection.cursor() as cursor:
            yield cursor
        return
    # What BaseDatabaseWrapper._cursor does, with a cursor that binds on
    # the server: psycopg prepares only for such cursors.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        # django-stubs gives psycopg's cursor no constructor of its own.
        raw = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
    wrapper = _LoggedPrepared if connection.queries_logged else CursorWrapper
    cursor = wrapper(raw, connection)
    with cursor:
        yield cursor


class _LoggedPrepared(CursorDebugWrapper):
    """Django's debug cursor for a cursor that binds on the server: it logs
    each statement with its parameters in (Django's `compose_sql`, as it
    does when server-side binding is the setting), where Django's own would
    ask the cursor for the text it sent, which has none."""

    def execute(self, sql, params=None):
        try:
            shown = self.db.ops.compose_sql(sql, params)
        except self.db.Database.Error:  # only the log's text: Django gives up too
            shown = sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)
