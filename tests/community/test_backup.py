"""Backups restore (issue 14, docs/backup.md): a database with a known forum
post, chat message and risk alert is dumped with `manage.py harbour_backup`,
restored with `manage.py harbour_restore` into a new database, and the site,
started on the restored one, shows all three: the post on its page, the
message in the room's history over a real socket, the alert to the clinician
on duty after a real sign-in with two-factor.

Everything runs as it does in production, each part in its own process
(tests/chat/live_servers.py). The end-to-end test needs PostgreSQL
(HARBOUR_LIVE_DATABASE_URL, default postgres://postgres@127.0.0.1:5432) and
its pg_dump and pg_restore: without them it skips, but fails when
HARBOUR_REQUIRE_SERVICES is set (CI). The rest check the commands' refusals
and that no password reaches a command line, without a server.
"""

import asyncio
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
from django.core.management import CommandError, call_command

from cms import backups
from tests.chat.live_servers import (
    AsgiServer,
    ChatClient,
    LiveDatabase,
    ServiceMissing,
    run_django,
)
from tests.factories import PASSWORD, totp_code
from tests.services import service_missing

# Generous for a loaded CI machine; only stops a broken run from hanging.
WAIT = 60

# Tables of what the test plants, counted on both sides of the restore.
CENSUS_TABLES = (
    "community_user",
    "community_topic",
    "community_riskalert",
    "community_auditevent",
    "chat_message",
    "mfa_authenticator",
)

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "harbour",
    "USER": "harbour",
    "PASSWORD": "s3cret-pass",
    "HOST": "db.internal",
    "PORT": "5433",
    "OPTIONS": {"sslmode": "require", "pool": {"max_size": 4}},
}


# What the commands refuse, and how they call PostgreSQL's programs ------------------


def test_a_backup_of_sqlite_is_refused_with_a_reason(tmp_path):
    with pytest.raises(backups.BackupError, match="SQLite, not PostgreSQL"):
        backups.dump(SQLITE, tmp_path / "harbour.dump")
    assert not list(tmp_path.iterdir())


def test_the_backup_command_says_why_it_refuses(tmp_path):
    """Through manage.py's own entry, on whatever database this run has (and
    without touching it): a SQLite one is refused; an existing file is never
    written over."""
    target = tmp_path / "harbour.dump"
    target.write_bytes(b"an older backup")
    expected = "exists already" if _is_postgresql() else "not PostgreSQL"
    with pytest.raises(CommandError, match=expected):
        call_command("harbour_backup", str(target))
    assert target.read_bytes() == b"an older backup"


def _is_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def test_restore_refuses_a_database_that_is_not_postgresql(tmp_path):
    archive = tmp_path / "harbour.dump"
    archive.write_bytes(b"x")
    with pytest.raises(backups.BackupError, match="not PostgreSQL"):
        backups.restore(archive, "sqlite:///restored.sqlite3")


def test_restore_needs_a_target(tmp_path, monkeypatch):
    monkeypatch.delenv("HARBOUR_RESTORE_DATABASE_URL", raising=False)
    with pytest.raises(CommandError, match="HARBOUR_RESTORE_DATABASE_URL"):
        call_command("harbour_restore", str(tmp_path / "harbour.dump"))


def test_the_password_goes_in_the_environment_never_on_the_command_line(
    tmp_path, monkeypatch
):
    """pg_dump is given the settings' host, port, user, name and SSL mode in
    its environment, the password as PGPASSWORD; its arguments name none of
    them, so the process list shows no secret."""
    calls = []

    def fake_run(args, env, **kwargs):
        calls.append((args, env))
        if "--list" not in args:
            kwargs["stdout"].write(b"PGDMP archive")
        return subprocess.CompletedProcess(args, 0, stdout="1; entry\n", stderr=b"")

    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv("PGPASSWORD", "from-the-shell")
    target = tmp_path / "harbour.dump"

    size = backups.dump(POSTGRES, target)

    (dump_args, env), (list_args, _) = calls
    assert dump_args == ["/usr/bin/pg_dump", "--format=custom", "--no-password"]
    assert list_args[:2] == ["/usr/bin/pg_restore", "--list"]
    assert env["PGPASSWORD"] == "s3cret-pass"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.internal",
        "5433",
        "harbour",
        "harbour",
    )
    assert env["PGSSLMODE"] == "require"
    assert not any("s3cret" in arg for args, _ in calls for arg in args)
    # Written whole or not at all, and readable by its owner only.
    assert size == len(b"PGDMP archive") and target.read_bytes() == b"PGDMP archive"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["harbour.dump"]


def test_a_failed_dump_leaves_no_file(tmp_path, monkeypatch):
    def fake_run(args, env, **kwargs):
        kwargs["stdout"].write(b"half an archive")
        return subprocess.CompletedProcess(args, 1, stderr=b"connection refused")

    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(backups.BackupError, match="connection refused"):
        backups.dump(POSTGRES, tmp_path / "harbour.dump")
    assert not list(tmp_path.iterdir())


# Dump, restore, and find everything on the restored site ---------------------------

# Made in a subprocess through the site's own actions, as members make them: a
# trusted member's forum post and chat message, and a post that shows risk,
# whose alert goes to the clinician on duty (enrolled in two-factor).
_PLANT_SCRIPT = """
import json, sys, uuid
import django
django.setup()
from chat.actions import do_send_message
from chat.models import Room
from community.forums.actions import do_start_topic
from community.models import Role
from community.moderation.models import RiskAlert
from tests.factories import (
    enrol_totp, make_forum, make_member, make_pathway, make_trusted, put_on_duty,
)

tag = sys.argv[1]
pathway = make_pathway(f"Backup {tag}", slug=f"backup-{tag}")
forum = make_forum(pathway)
member = make_trusted(pathway, email=f"member-{tag}@example.org")
clinician = make_member(pathway, Role.CLINICIAN, email=f"clinician-{tag}@example.org")
enrol_totp(clinician)
put_on_duty(pathway, clinician)
post = do_start_topic(member, forum, "What helped", f"Walking by the river {tag}").obj
do_start_topic(member, forum, "Tonight", f"I want to kill myself tonight {tag}")
room = Room.objects.get(pathway=pathway, is_default=True)
sent = do_send_message(member, room, uuid.uuid4(), f"Thank you all {tag}")
alert = RiskAlert.objects.get(pathway=pathway)
assert post.status == "published" and alert.notified_id == clinician.pk
print(json.dumps({
    "slug": pathway.slug, "topic": post.pk, "room": room.pk,
    "seq": sent.message.seq, "alert": alert.pk,
    "member": member.email, "clinician": clinician.email,
}))
"""


class Browser:
    """A person's browser against one server: cookies kept, CSRF token sent
    with each form, redirects followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, final path, body) of a GET, or of a POST of `form`."""
        data = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookie("csrftoken") or ""}
            data = urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(self.base_url + path, data, timeout=WAIT) as answer:
                status, url, body = answer.status, answer.url, answer.read()
        except urllib.error.HTTPError as error:
            status, url, body = error.code, error.url, error.read()
        return status, urllib.parse.urlsplit(url).path, body.decode()

    def sign_in(self, email: str, two_factor: bool = False) -> None:
        """Sign in as people do: email and password, then (staff) the code
        from their authenticator app."""
        self.request("/accounts/login/")
        status, where, _ = self.request(
            "/accounts/login/", {"login": email, "password": PASSWORD}
        )
        if two_factor:
            assert where == "/accounts/2fa/authenticate/", (status, where)
            status, where, _ = self.request(
                "/accounts/2fa/authenticate/", {"code": totp_code()}
            )
        assert status == 200 and where == "/", (status, where)
        assert self.cookie("sessionid"), "not signed in"


def _text(html: str) -> str:
    """A page's words, tags and repeated spaces taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def _chat_history(server: AsgiServer, session: str, room: int, seq: int):
    async with ChatClient(server.ws_url, session, name="restored") as client:
        await client.join(room, timeout=WAIT)
        await client.wait_for(room, seq, timeout=WAIT)
        return [message.body for message in client.messages(room)]


def _census(database: LiveDatabase) -> dict:
    """The migrations `database` has applied, and how many rows the tables
    holding what was planted have."""
    import psycopg
    from psycopg import sql

    count = sql.SQL("SELECT count(*) FROM {}")
    with psycopg.connect(database.url, connect_timeout=10) as connection:
        applied = connection.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name"
        ).fetchall()
        counts = {
            table: connection.execute(count.format(sql.Identifier(table))).fetchone()[0]
            for table in CENSUS_TABLES
        }
    return {"migrations": applied, **counts}


@pytest.fixture
def databases():
    """Two PostgreSQL databases made for this test, each dropped after it:
    the source (`created()` makes it, migrated) and the restore's target
    (named by `target_url`, made by harbour_restore itself)."""
    for program in ("pg_dump", "pg_restore"):
        if shutil.which(program) is None:
            service_missing(f"{program} is not installed")
    made: list[LiveDatabase] = []

    class Databases:
        def created(self) -> LiveDatabase:
            try:
                made.append(LiveDatabase.create())
            except ServiceMissing as error:
                service_missing(str(error))
            return made[-1]

        def target(self, source: LiveDatabase) -> LiveDatabase:
            target = LiveDatabase(
                source.base_url, f"harbour_restored_{uuid.uuid4().hex[:12]}"
            )
            made.append(target)
            return target

    yield Databases()
    for database in made:
        database.drop()


@pytest.mark.services
def test_a_backup_restores_into_a_new_database_that_serves_what_was_written(
    databases, tmp_path
):
    source = databases.created()
    env = source.env(None)
    tag = uuid.uuid4().hex[:8]
    planted = json.loads(run_django(env, ["-c", _PLANT_SCRIPT, tag]).splitlines()[-1])

    archive = tmp_path / "harbour.dump"
    out = run_django(env, ["manage.py", "harbour_backup", str(archive)])
    assert f"Backed up {source.name} to {archive}" in out
    assert archive.stat().st_mode & 0o777 == 0o600

    # Never over a database that holds anything: here, the source itself.
    with pytest.raises(RuntimeError, match="is not empty"):
        run_django(
            {**env, "HARBOUR_RESTORE_DATABASE_URL": source.url},
            ["manage.py", "harbour_restore", str(archive)],
            timeout=WAIT,
        )

    target = databases.target(source)
    out = run_django(
        {**env, "HARBOUR_RESTORE_DATABASE_URL": target.url},
        ["manage.py", "harbour_restore", str(archive), "--create"],
    )
    assert f"into {target.name}:" in out
    # Every row came across: the migrations applied, and as many of each kind.
    assert _census(target) == _census(source)

    # The source goes, so whatever the site shows next comes from the restore.
    source.drop()
    with AsgiServer.start(target.env(None)) as server:
        slug = planted["slug"]
        member = Browser(server.http_url)
        member.sign_in(planted["member"])
        status, _, page = member.request(
            f"/community/{slug}/topics/{planted['topic']}/"
        )
        assert status == 200 and f"Walking by the river {tag}" in _text(page)

        history = asyncio.run(
            _chat_history(
                server, member.cookie("sessionid"), planted["room"], planted["seq"]
            )
        )
        assert f"Thank you all {tag}" in history

        clinician = Browser(server.http_url)
        clinician.sign_in(planted["clinician"], two_factor=True)
        status, _, page = clinician.request(
            f"/community/{slug}/alerts/{planted['alert']}/"
        )
        assert status == 200, server.log_tail()
        assert f"I want to kill myself tonight {tag}" in _text(page)
