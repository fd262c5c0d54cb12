"""The browser harness: Debian's Chromium driven by Playwright against
pytest-django's live server, with axe-core run on every page a journey lands on.

Fixtures:
- `page` (1280 x 800), `phone_page` (390 x 844, a touch phone), and `any_page`,
  which runs the test once with each;
- `visit(page, path)`: open a path on the live server and check it with axe;
- `submit(page, button)`: press a form's button, wait for the next page, check it;
- `follow(page, link)`: the same for a link;
- `check_a11y(page)`: axe-core (WCAG 2.0-2.2 A and AA), failing with a readable list,
  and failing too if the page's Content-Security-Policy blocked anything (every
  context listens for violations from its first script);
- `sign_in(page, user, totp_secret=None)`: the sign-in form (and the two-factor
  page for staff);
- `installing_phone`: a 390px phone with a profile of its own (apps install
  only outside incognito);
- `fits_the_screen(page)`: fail if the page scrolls sideways;
- `screenshot(page, name)`: a full-page PNG in test-artifacts/screenshots/.
"""

import json
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections

from chat.models import Presence
from tests.factories import PASSWORD, totp_code

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = E2E_DIR.parent.parent / "test-artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
_axe = Axe()


def pytest_itemcollected(item):
    """Every test under tests/e2e is a browser test: `-m "not e2e"` leaves them out."""
    item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests run last: once Playwright's sync API has started, this
    thread has an event loop marked running, and an asyncio test after it fails."""
    browser_tests = [item for item in items if item.get_closest_marker("e2e")]
    if browser_tests:
        chosen = set(browser_tests)
        items[:] = [item for item in items if item not in chosen] + browser_tests


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup):
    """What migrations put in each test database (the Wagtail root page, locales,
    groups, content types), as Django serialized it at set-up.

    Django serializes it because every browser test asks for
    `django_db_serialized_rollback` (see `_live_database`). Restoring is left to
    `_live_database`, not to Django: a transactional test elsewhere in the suite
    (without serialized rollback) empties the tables and makes new content types,
    and Django's restore on top of those fails on their unique names.
    """
    data = {}
    for alias in connections:
        connection = connections[alias]
        if hasattr(connection, "_test_serialized_contents"):
            rows = json.loads(connection._test_serialized_contents)
            del connection._test_serialized_contents
            # Content types first: saving other rows may look one up, and a
            # lookup that finds none creates it, with another id.
            rows.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
            data[alias] = json.dumps(rows)
    assert data, "Django did not serialize the test database for browser tests."
    return data


@pytest.fixture(scope="session")
def playwright(_migrated_data, playwright):
    """pytest-playwright's Playwright, started after the test databases exist.

    Once Playwright's sync API has started, this thread runs with other context
    variables, and Django's connection handler (an asgiref Local) hands out new
    connection objects: whatever Django kept on the old ones must be read first.
    """
    return playwright


@pytest.fixture(scope="session")
def live_server(playwright, live_server):
    """pytest-django's live server, started after Playwright, once the test
    databases exist."""
    return live_server


@pytest.fixture(autouse=True)
def _live_database(
    _migrated_data, django_db_serialized_rollback, live_server, django_db_blocker
):
    """The live server and the test share the database, so browser tests are
    transactional: tables are emptied after each test. Before each, empty them
    (whatever ran before) and put back what migrations made."""
    tables = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    with django_db_blocker.unblock():
        ContentType.objects.clear_cache()
        for alias, data in _migrated_data.items():
            connection = connections[alias]
            call_command(
                "flush",
                database=alias,
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
                verbosity=0,
            )
            connection.creation.deserialize_db_from_string(data)
            # PostgreSQL: move sequences past the restored primary keys.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), tables):
                    cursor.execute(sql)
        ContentType.objects.clear_cache()
    yield
    # The browser has closed its pages; the live server says goodbye for each
    # chat socket (its presence rows, then who is left) a moment later. Wait
    # for that before Django empties the tables: on PostgreSQL a TRUNCATE
    # racing with those statements can deadlock.
    with django_db_blocker.unblock():
        deadline = time.monotonic() + 10
        while Presence.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        _wait_for_the_servers_statements()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser in the UK, like the people Harbour serves."""
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


SCREENS = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}


# Run in every page before its own scripts: what the Content-Security-Policy
# blocked, for check_a11y to find.
WATCH_CSP = """
window.__harbourBlocked = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__harbourBlocked.push(
    event.effectiveDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's contexts, each watching for CSP violations."""

    def _new_context(**kwargs):
        made = new_context(**kwargs)
        made.add_init_script(WATCH_CSP)
        return made

    return _new_context


@pytest.fixture
def context(new_context):
    """The default `page` is in a 1280 x 800 desktop browser."""
    return new_context(**SCREENS["desktop"])


@pytest.fixture
def phone_page(new_context):
    """A page in a 390 x 844 touch-screen phone browser."""
    return new_context(**SCREENS["phone"]).new_page()


@pytest.fixture(params=["phone", "desktop"])
def any_page(request, new_context):
    """The test runs twice: on the phone, then on the desktop."""
    return new_context(**SCREENS[request.param]).new_page()


@pytest.fixture
def installing_phone(browser_type, browser_type_launch_args, tmp_path):
    """A 390px phone browser with a profile of its own: Chromium installs
    no app from an incognito context, which is what Playwright's contexts
    are (installability error "in-incognito")."""
    context = browser_type.launch_persistent_context(
        tmp_path / "profile",
        **browser_type_launch_args,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.add_init_script(WATCH_CSP)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def _describe(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}  {node['html'][:120]}")
            fixes = [
                line.strip()
                for line in node.get("failureSummary", "").splitlines()
                if line.strip()
            ]
            lines.append(f"       {fixes[0] if fixes else ''} {'; '.join(fixes[1:])}")
    return "\n".join(lines)


@pytest.fixture
def check_a11y():
    """Run axe-core on the page; fail with each violation, where and how to fix."""

    def _check(page) -> None:
        page.wait_for_load_state("load")
        blocked = page.evaluate("window.__harbourBlocked || []")
        if blocked:
            pytest.fail(
                f"The Content-Security-Policy blocked {len(blocked)} thing(s) on "
                f"{page.url}:\n" + "\n".join(f"- {line}" for line in blocked),
                pytrace=False,
            )
        results = _axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        if violations:
            pytest.fail(
                f"axe found {results.violations_count} accessibility violation(s) "
                f"on {page.url}:\n{_describe(violations)}",
                pytrace=False,
            )

    return _check


@pytest.fixture
def visit(live_server, check_a11y):
    """Open `path` on the live server (or on `base`, e.g. the ASGI server),
    check the page with axe, return the response."""

    def _visit(page, path: str, base: str | None = None):
        response = page.goto((base or live_server.url) + path)
        check_a11y(page)
        return response

    return _visit


@pytest.fixture(scope="session")
def asgi_server(live_server):
    """The site's ASGI application (HTTP and sockets, as in production) served
    by uvicorn in a thread of this process, so it shares the test database and
    the in-memory channel layer. Returns its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from cms.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the ASGI test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def _wait_for_the_servers_statements(seconds: float = 10) -> None:
    """Wait (at most `seconds`) until no other session on this test database
    is in a statement or a transaction. A closing socket's handler goes on
    after its presence rows are deleted: its next query, a join of rooms and
    pathways, beside the flush's TRUNCATE of every table deadlocked with it
    once in CI (PostgreSQL). SQLite makes the TRUNCATE wait instead, so it
    needs nothing."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state IS NOT NULL AND state <> 'idle'"
            )
            (busy,) = cursor.fetchone()
        if not busy:
            return
        time.sleep(0.05)


def _press(page, role: str, name: str, check_a11y) -> None:
    """Press the button or link `name`, wait for the page it leads to, check it."""
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()
    check_a11y(page)


@pytest.fixture
def submit(check_a11y):
    """Press the button named `button`, wait for the page it leads to, check it."""
    return lambda page, button: _press(page, "button", button, check_a11y)


@pytest.fixture
def follow(check_a11y):
    """Follow the link named `link`, wait for the page it opens, check it."""
    return lambda page, link: _press(page, "link", link, check_a11y)


@pytest.fixture
def sign_in(visit, submit):
    """Sign in through the form; staff with an authenticator then give a code."""

    def _sign_in(
        page, user, totp_secret: str | None = None, base: str | None = None
    ) -> None:
        visit(page, "/accounts/login/", base)
        page.get_by_label("Email", exact=True).fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        submit(page, "Sign in")
        if totp_secret:
            page.get_by_label("Code", exact=True).fill(totp_code(totp_secret))
            submit(page, "Sign in")

    return _sign_in


@pytest.fixture
def fits_the_screen():
    """Fail if the page is wider than the screen (it would scroll sideways)."""

    def _fits(page) -> None:
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"

    return _fits


@pytest.fixture
def screenshot():
    """Save a full-page PNG as test-artifacts/screenshots/<name>.png."""

    def _screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot


@pytest.fixture(scope="session")
def production_stack():
    """What `make serve` runs (tests/e2e/production_stack.py): a fresh
    PostgreSQL database with the demo data, a private Redis, moto's S3, two
    app processes from the Procfile under cms.settings.production, the
    worker and nginx with TLS in front. One for the session, shared by the
    tests that need it; stopped at the end, its logs' tails printed.
    test_production_stack.py kills app process 1 and stops the worker, so
    tests that need the stack whole come before it (test_connection_pool.py
    does, by name). It takes one to two minutes to start; without
    PostgreSQL, redis-server or nginx it skips, or fails in CI
    (tests/services.py)."""
    from tests.chat.live_servers import ServiceMissing
    from tests.e2e.production_stack import ProductionStack
    from tests.services import service_missing

    try:
        stack = ProductionStack.start()
    except ServiceMissing as error:
        service_missing(error)
    print(f"\nproduction stack up: {stack.timings}")  # noqa: T201
    yield stack
    for server in stack.servers:
        errors = [
            line
            for line in server.log.read_text(errors="replace").splitlines()
            if '"level": "ERROR"' in line or "Traceback" in line
        ]
        print(f"--- app :{server.port} errors: {errors[:5] or 'none'}")  # noqa: T201
        print(server.log_tail(10))  # noqa: T201
    if stack.worker is not None:
        print(f"--- worker\n{stack.worker.log_tail(15)}")  # noqa: T201
    stack.stop()
    print(f"production stack down: {stack.timings}")  # noqa: T201
