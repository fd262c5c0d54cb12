"""Settings are chosen by environment variables, each in a fresh interpreter."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "harbour.example.nhs.uk",
    "DATABASE_URL": "postgres://harbour:secret@db.internal:5432/harbour",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "harbour-media",
    "AWS_S3_REGION_NAME": "eu-west-2",
    "WAGTAILADMIN_BASE_URL": "https://harbour.example.nhs.uk",
}


def settings_in(module: str, **env) -> dict:
    """Import `module` with exactly `env` on top of a clean environment."""
    script = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({"
        "'db': settings.DATABASES['default']['ENGINE'],"
        "'db_name': settings.DATABASES['default']['NAME'],"
        "'db_options': settings.DATABASES['default'].get('OPTIONS', {}),"
        "'conn_max_age': settings.DATABASES['default']['CONN_MAX_AGE'],"
        "'conn_checks': settings.DATABASES['default']['CONN_HEALTH_CHECKS'],"
        "'server_cursors_off': settings.DATABASES['default']"
        ".get('DISABLE_SERVER_SIDE_CURSORS', False),"
        "'layer_hosts': settings.CHANNEL_LAYERS['default'].get('CONFIG', {})"
        ".get('hosts'),"
        "'layer': settings.CHANNEL_LAYERS['default']['BACKEND'],"
        "'cache': settings.CACHES['default']['BACKEND'],"
        "'sessions': settings.SESSION_ENGINE,"
        "'media': settings.STORAGES['default']['BACKEND'],"
        "'static': settings.STORAGES['staticfiles']['BACKEND'],"
        "'base_url': settings.WAGTAILADMIN_BASE_URL,"
        "'csrf_origins': settings.CSRF_TRUSTED_ORIGINS,"
        "'socket_origins': settings.SOCKET_ALLOWED_ORIGINS,"
        "'proxies': settings.HARBOUR_TRUSTED_PROXY_COUNT,"
        "'log_formatter': settings.LOGGING['handlers']['console']['formatter'],"
        "'csp': {k: [str(v) for v in vs] for k, vs"
        " in settings.CONTENT_SECURITY_POLICY['DIRECTIVES'].items()},"
        "'debug': settings.DEBUG}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "AWS_STORAGE_BUCKET_NAME",
            "WAGTAILADMIN_BASE_URL",
            "CSRF_TRUSTED_ORIGINS",
            "HARBOUR_TRUSTED_PROXY_COUNT",
        }
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(result.stderr.strip().splitlines()[-1])
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_nothing_running():
    found = settings_in("cms.settings.dev")
    assert found["db"] == "django.db.backends.sqlite3"
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["cache"].endswith("LocMemCache")
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["media"] == "django.core.files.storage.FileSystemStorage"
    assert found["csp"]["img-src"] == ["'self'", "data:"]
    # Fonts from this site only: no call to assets.nhs.uk (decision 0028).
    assert found["csp"]["font-src"] == ["'self'"]
    # The demo's server, sockets and worker write at once: WAL, and
    # transactions that wait for the write lock rather than fail.
    assert found["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in found["db_options"]["init_command"]
    assert found["db_options"]["timeout"] >= 5


def test_production_parts_are_chosen_by_environment():
    found = settings_in("cms.settings.production", **PRODUCTION_ENV)
    assert found["db"] == "django.db.backends.postgresql"
    assert found["db_name"] == "harbour"
    # A bounded pool per process, not a connection kept per ASGI thread;
    # connections checked before they are lent.
    assert found["conn_max_age"] == 0 and found["conn_checks"] is True
    assert found["db_options"]["pool"]["max_size"] == 10
    assert found["db_options"]["pool"]["min_size"] <= 10
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    # Reads outlast channels-redis's 5 s blocking read (redis-py 8 defaults
    # to 5 s, which killed idle sockets).
    assert found["layer_hosts"][0]["socket_timeout"] > 5
    # More than redis-py's 100 a pool: a process takes over a dead one's
    # sockets all at once.
    assert found["layer_hosts"][0]["max_connections"] >= 1000
    # django-redis: a client kept per pool, an atomic count (decision 0037).
    assert found["cache"] == "django_redis.cache.RedisCache"
    # A signed-in request reads its session from Redis; changes also go to
    # the database, so a Redis restart signs nobody out.
    assert found["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert found["media"] == "storages.backends.s3.S3Storage"
    # Signed media URLs point at the bucket: the browser may load them.
    bucket = "https://harbour-media.s3.eu-west-2.amazonaws.com"
    assert bucket in found["csp"]["img-src"] and bucket in found["csp"]["media-src"]
    assert found["csp"]["script-src"] == ["'self'", "csp.constants.NONCE"]
    assert found["static"] == "cms.storage.StaticStorage"
    assert found["debug"] is False
    # One proxy in front; forms and sockets only from the site's origin.
    assert found["proxies"] == 1
    assert found["csrf_origins"] == ["https://harbour.example.nhs.uk"]
    assert found["socket_origins"] == found["csrf_origins"]
    assert found["log_formatter"] == "json"


def test_production_pool_size_and_extra_origins_come_from_the_environment():
    found = settings_in(
        "cms.settings.production",
        **PRODUCTION_ENV,
        DATABASE_POOL_MAX_SIZE="4",
        CSRF_TRUSTED_ORIGINS="https://harbour-staff.example.nhs.uk",
        HARBOUR_TRUSTED_PROXY_COUNT="2",
    )
    assert found["db_options"]["pool"]["max_size"] == 4
    assert found["server_cursors_off"] is False
    behind_pgbouncer = settings_in(
        "cms.settings.production", **PRODUCTION_ENV, DATABASE_PGBOUNCER="1"
    )
    assert behind_pgbouncer["server_cursors_off"] is True
    # Prepared statements (cms.db) on, except behind PgBouncer.
    assert found["db_options"]["prepare_threshold"] == 0
    assert behind_pgbouncer["db_options"]["prepare_threshold"] is None
    assert found["csrf_origins"] == [
        "https://harbour.example.nhs.uk",
        "https://harbour-staff.example.nhs.uk",
    ]
    assert found["socket_origins"] == found["csrf_origins"]
    assert found["proxies"] == 2


def test_the_demo_trusts_no_proxy_and_links_to_itself():
    found = settings_in("cms.settings.dev")
    assert found["proxies"] == 0
    assert found["base_url"] == "http://127.0.0.1:8000"
    assert found["socket_origins"] is None  # any host in ALLOWED_HOSTS
    assert found["log_formatter"] == "text"


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "WAGTAILADMIN_BASE_URL"]
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    with pytest.raises(RuntimeError, match=missing):
        settings_in("cms.settings.production", **env)


def test_production_refuses_a_plain_http_site_address():
    env = {**PRODUCTION_ENV, "WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8000"}
    with pytest.raises(RuntimeError, match="https"):
        settings_in("cms.settings.production", **env)


def test_collectstatic_builds_the_production_manifest(tmp_path):
    """Production serves hashed static files from a manifest; once, a source
    map the NHS stylesheet names but its package lacks failed the build, and
    every page answered 500."""
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={
            **os.environ,
            **PRODUCTION_ENV,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "HARBOUR_STATIC_ROOT": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    css = manifest["paths"]["wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"]
    assert css != "wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"
    assert (tmp_path / css).exists() and (tmp_path / f"{css}.gz").exists()
    assert "harbour/forms.js" in manifest["paths"]
    # What base.html links: the NHS stylesheet without its font (decision 0028).
    ours = manifest["paths"]["harbour/nhsuk-frontend-10.4.2-nofonts.min.css"]
    assert (tmp_path / ours).exists() and (tmp_path / f"{ours}.gz").exists()


def test_deploy_checks_are_clean_under_production_settings():
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            # The test run allows async-unsafe ORM calls for Playwright; a
            # deployment never does, and the deploy check says so.
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION_ENV,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_media_origins_follow_an_s3_endpoint_or_are_named():
    endpoint = settings_in(
        "cms.settings.production",
        **PRODUCTION_ENV,
        AWS_S3_ENDPOINT_URL="https://objects.example.nhs.uk",
    )
    assert endpoint["csp"]["media-src"] == [
        "'self'",
        "https://objects.example.nhs.uk",
        "https://harbour-media.objects.example.nhs.uk",
    ]
    named = settings_in(
        "cms.settings.production",
        **PRODUCTION_ENV,
        HARBOUR_MEDIA_ORIGINS="https://media.example.nhs.uk",
    )
    assert named["csp"]["img-src"] == [
        "'self'",
        "data:",
        "https://media.example.nhs.uk",
    ]


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_their_inline_scripts_meet(client):
    """Scripts run only from this site or with the response's own nonce (the
    two inline ones in base.html carry it); Wagtail's admin, which runs
    inline scripts of its own, is left out."""
    import re

    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    html = response.content.decode()
    # Scripts written into the page (not data blocks: application/json).
    inline = re.findall(
        r"<script(?![^>]*\b(?:src=|type=\"application/json))([^>]*)>", html
    )
    assert len(inline) >= 2
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    again = client.get("/accounts/login/")["Content-Security-Policy"]
    assert nonce not in again  # a new nonce for every response
    assert "Content-Security-Policy" not in client.get("/admin/login/")


@pytest.mark.django_db(transaction=True)
def test_two_threads_writing_at_once_wait_for_each_other_rather_than_fail():
    """A socket's thread and a page's thread write together (presence, say):
    the second waits for the first, on SQLite as on PostgreSQL. On the shared
    in-memory SQLite the tests once used, it failed at once with "database
    table is locked"."""
    import threading

    from django.db import connection, transaction

    from community.models import AuditEvent

    first_has_written = threading.Event()
    errors = []

    def write(action: str, hold: float = 0.0) -> None:
        try:
            with transaction.atomic():
                AuditEvent.objects.create(action=action)
                first_has_written.set()
                threading.Event().wait(hold)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=write, args=("first", 0.5))
    first.start()
    assert first_has_written.wait(5)
    second = threading.Thread(target=write, args=("second",))
    second.start()
    first.join(10)
    second.join(10)
    assert errors == []
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "first",
        "second",
    ]
