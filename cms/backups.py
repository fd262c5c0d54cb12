"""Backups of the PostgreSQL database, and restoring one (docs/backup.md).

`dump` writes pg_dump's custom format of a database to a file; `restore`
loads such a file into a new, empty database and nothing else, so a restore
can never write over data people are using. Both run PostgreSQL's own
programs (pg_dump, pg_restore) with the connection details of a Django
`DATABASES` entry. The password goes to them in the PGPASSWORD variable of
their environment, never on the command line, where any user of the machine
could read it in the process list.

Used by `manage.py harbour_backup` and `manage.py harbour_restore`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url

POSTGRESQL_ENGINES = frozenset(
    {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}
)
# Connection options Django passes through to libpq, and the variable each
# of PostgreSQL's programs reads instead (libpq's "Environment Variables").
LIBPQ_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "options": "PGOPTIONS",
}
# Relations in these schemas belong to PostgreSQL itself.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
# A dump or restore of a large database takes a while; this only stops a
# hung connection from hanging a scheduled job for ever.
TIMEOUT_SECONDS = 6 * 60 * 60


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with the reason for the
    person running it."""


@dataclass(frozen=True)
class Restored:
    """What a restore left in the new database."""

    database: str
    relations: int  # tables, views and sequences
    last_migration: str


def require_postgresql(database: Mapping[str, Any]) -> None:
    """Raise BackupError unless `database` (a DATABASES entry) is PostgreSQL."""
    engine = database.get("ENGINE", "")
    if engine not in POSTGRESQL_ENGINES:
        kind = "SQLite" if "sqlite" in engine else engine or "no engine"
        raise BackupError(
            f"The database is {kind}, not PostgreSQL. harbour_backup and "
            "harbour_restore use pg_dump and pg_restore, so they only work with "
            "PostgreSQL (DATABASE_URL=postgres://…). The demo's SQLite file is "
            "backed up by copying it while the site is stopped."
        )


def connection_env(
    database: Mapping[str, Any], base: dict | None = None
) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: `base` (this process's
    environment unless given) with host, port, user, password, database name
    and SSL options from `database` set over it. What `database` leaves empty
    falls to libpq's own defaults (PG* variables already set, the local
    socket, ~/.pgpass), as it does for Django's own connection."""
    env = dict(os.environ if base is None else base)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if value := database.get(key):
            env[variable] = str(value)
    for option, value in (database.get("OPTIONS") or {}).items():
        if option in LIBPQ_OPTION_VARIABLES and value not in (None, ""):
            env[LIBPQ_OPTION_VARIABLES[option]] = str(value)
    return env


def connect_kwargs(database: Mapping[str, Any], name: str | None = None) -> dict:
    """psycopg.connect() keywords for `database` (or its server's database
    `name`)."""
    kwargs = {
        "dbname": name or database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "connect_timeout": 10,
    }
    for option, value in (database.get("OPTIONS") or {}).items():
        if option in LIBPQ_OPTION_VARIABLES and value not in (None, ""):
            kwargs[option] = value
    return {key: value for key, value in kwargs.items() if value is not None}


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed. Install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client), of the same major "
            "version as the server or newer."
        )
    return path


def _run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(  # noqa: S603 - fixed programs, arguments are ours
            args, env=env, check=False, timeout=TIMEOUT_SECONDS, **kwargs
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(
            f"{Path(args[0]).name} took too long and was stopped."
        ) from error


def check_archive(path: Path, env: dict | None = None) -> int:
    """The number of entries in pg_dump custom-format archive `path`; raises
    BackupError when pg_restore cannot read it as one."""
    listing = _run(
        [_program("pg_restore"), "--list", str(path)],
        env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
    )
    if listing.returncode != 0:
        raise BackupError(
            f"{path} is not a readable pg_dump custom-format archive: "
            f"{listing.stderr.strip()}"
        )
    return sum(
        1 for line in listing.stdout.splitlines() if line and not line.startswith(";")
    )


def dump(database: dict, path: Path, overwrite: bool = False) -> int:
    """Write `database` (a PostgreSQL DATABASES entry) to `path` with
    `pg_dump --format=custom`, and return the file's size in bytes.

    pg_dump reads one consistent snapshot while the site keeps running. The
    file is written beside `path` first (readable by its owner only: it holds
    everything members wrote), read back with `pg_restore --list`, and only
    then renamed to `path`, so a file at `path` is always a whole archive.
    Raises BackupError for another database engine, a missing pg_dump, an
    existing `path` (unless `overwrite`) or pg_dump's own failure."""
    require_postgresql(database)
    pg_dump = _program("pg_dump")
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists already (use --overwrite to replace it).")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    env = connection_env(database)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            done = _run(
                [pg_dump, "--format=custom", "--no-password"],
                env,
                stdout=out,
                stderr=subprocess.PIPE,
            )
            out.flush()
            os.fsync(out.fileno())
        if done.returncode != 0:
            raise BackupError(
                "pg_dump failed: " + done.stderr.decode(errors="replace").strip()
            )
        check_archive(partial, env)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def _user_relations(cursor) -> int:
    """Tables, views and sequences outside PostgreSQL's own schemas, not
    counting those an extension installed (a managed database may add some)."""
    cursor.execute(
        """
        SELECT count(*) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname <> ALL(%s)
          AND n.nspname NOT LIKE 'pg_temp%%'
          AND n.nspname NOT LIKE 'pg_toast%%'
          AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
              AND d.deptype = 'e'
          )
        """,
        [list(SYSTEM_SCHEMAS)],
    )
    return cursor.fetchone()[0]


def _open_empty(target: Mapping[str, Any], create: bool):
    """Check the target database exists (creating it when `create`) and holds
    nothing; raise BackupError otherwise."""
    import psycopg
    from psycopg import sql

    name = target["NAME"]
    try:
        connection = psycopg.connect(**connect_kwargs(target), autocommit=True)
    except psycopg.OperationalError as error:
        if f'"{name}" does not exist' not in str(error):
            raise BackupError(
                f"Cannot connect to the target database: {error}"
            ) from None
        if not create:
            raise BackupError(
                f"The database {name} does not exist. Create it empty first "
                "(CREATE DATABASE, or your provider's console), or pass --create."
            ) from None
        try:
            with psycopg.connect(
                **connect_kwargs(target, "postgres"), autocommit=True
            ) as admin:
                admin.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
        except psycopg.Error as error:
            raise BackupError(
                f"Could not create the database {name}: {error}"
            ) from None
        connection = psycopg.connect(**connect_kwargs(target), autocommit=True)
    with connection, connection.cursor() as cursor:
        if count := _user_relations(cursor):
            raise BackupError(
                f"The database {name} is not empty ({count} tables, views or "
                "sequences). harbour_restore only restores into a new, empty "
                "database, so it can never overwrite one in use. Create a new "
                "database and restore into that."
            )


def restore(path: Path, target_url: str, create: bool = False) -> Restored:
    """Load pg_dump archive `path` into the new, empty PostgreSQL database
    at `target_url` (created first when `create`), in one transaction: it
    restores completely or leaves the database empty.

    Objects are owned by the restoring user and the source's grants are left
    out (`--no-owner --no-privileges`), so an archive from one server
    restores on another whose roles differ. Raises BackupError for a
    database that is not PostgreSQL, missing or not empty, an unreadable
    archive, or pg_restore's failure."""
    path = Path(path)
    target = dj_database_url.parse(target_url)
    require_postgresql(target)
    if not target.get("NAME"):
        raise BackupError("The target URL names no database (…/<name> at its end).")
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    env = connection_env(target)
    check_archive(path, env)
    _open_empty(target, create)
    done = _run(
        [
            _program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            "--dbname",
            target["NAME"],
            str(path),
        ],
        env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed; nothing was restored: {done.stderr.strip()}"
        )
    return _summary(target)


def _summary(target: Mapping[str, Any]) -> Restored:
    import psycopg

    with (
        psycopg.connect(**connect_kwargs(target), autocommit=True) as connection,
        connection.cursor() as cursor,
    ):
        relations = _user_relations(cursor)
        cursor.execute(
            "SELECT app || '.' || name FROM django_migrations"
            " ORDER BY applied DESC, id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return Restored(target["NAME"], relations, row[0] if row else "none")
