"""Foundation page benchmark: server time of the member home page and a pathway
landing page with a large generated membership, beside a bare Django view that
returns the same HTML (the floor), plus the access-layer check on its own.

Runs against DATABASE_URL (PostgreSQL in production) in a throwaway test database.
Prints p50/p95 in milliseconds and the query count of each page.

    make bench                      # SQLite (embedded default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour make bench
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from cms.urls import urlpatterns as site_urlpatterns  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
FLOOR_HTML = {"body": b""}


def floor_view(request):
    return HttpResponse(FLOOR_HTML["body"])


urlpatterns = [path("__floor__/", floor_view), *site_urlpatterns]


def generate(n_members: int):
    """Seven pathways and `n_members` members spread over them, by bulk insert."""
    from community import actions
    from community.models import Membership, PathwayGroup, Role, User
    from tests.factories import make_pathway

    pathways = [make_pathway(f"Bench pathway {i}") for i in range(7)]
    password = make_password("bench-password-123")
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench{i}@example.org",
                display_name=f"Bench {i}",
                password=password,
            )
            for i in range(n_members)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, pathway=pathways[i % 7], role=Role.MEMBER)
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    groups = {
        pg.pathway_id: pg.group_id
        for pg in PathwayGroup.objects.filter(role=Role.MEMBER)
    }
    through = User.groups.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=groups[pathways[i % 7].pk])
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    reader = users[0]
    actions.do_add_membership(reader, pathways[1], Role.CARER)  # a member of two
    return reader, pathways[0]


def timed(client: Client, url: str) -> tuple[list[float], int]:
    client.get(url)  # warm caches and templates
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples, len(queries)


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1]


def main() -> None:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        reader, pathway = generate(MEMBERS)
        generated = time.perf_counter() - started
        print(
            f"database: {connection.vendor}; members: {MEMBERS:,}; "
            f"generated in {generated:.1f}s; {REQUESTS} requests per page"
        )
        with override_settings(ROOT_URLCONF=__name__):
            client = Client()
            client.force_login(reader)
            FLOOR_HTML["body"] = client.get("/").content
            rows = [
                ("home page (my pathways)", "/"),
                ("pathway landing page", f"/{pathway.slug}/"),
                ("floor: bare view, same HTML", "/__floor__/"),
            ]
            print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
            for name, url in rows:
                samples, queries = timed(client, url)
                print(
                    f"{name:32} {pct(samples, 50):8.2f} {pct(samples, 95):8.2f} "
                    f"{queries:8d}"
                )
        from community.permissions import access_pathway

        samples = []
        for _ in range(REQUESTS * 5):
            start = time.perf_counter()
            access_pathway(reader, pathway.slug)
            samples.append((time.perf_counter() - start) * 1000)
        print(
            f"{'access_pathway()':32} {pct(samples, 50):8.3f} {pct(samples, 95):8.3f}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
