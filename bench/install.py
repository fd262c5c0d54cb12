"""The installed app's requests (issue #21, decision 0028): server time of
`/sw.js` (the browser asks for it again on each visit), `/offline/` (a
member's worker fetches it at most every five minutes while they browse) and
`/manifest.webmanifest`, each beside the floor (a bare Django view returning
the same bytes), with each one's query count. A member of one pathway with
three crisis contacts of their own, in a throwaway test database.

    .venv/bin/python bench/install.py

Environment: BENCH_REQUESTS (300 per URL).
"""

import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import path  # noqa: E402
from wagtail.models import Locale  # noqa: E402

from cms.urls import urlpatterns as site_urlpatterns  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
FLOOR: dict[int, bytes] = {}


def floor_view(request, n):
    return HttpResponse(FLOOR[n])


urlpatterns = [path("__floor__/<int:n>/", floor_view), *site_urlpatterns]


def timed(client: Client, url: str) -> tuple[list[float], int, bytes]:
    body = client.get(url).content  # warm caches and templates
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
        assert response.status_code == 200, url  # noqa: S101 - a broken bench
    return samples, len(queries), body


def figures(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49]:6.2f}  p95 {cuts[94]:6.2f}"


def main() -> None:
    from community.models import CrisisContact
    from tests.factories import make_member, make_pathway, make_site

    setup_test_environment()
    logging.getLogger("harbour.access").setLevel(logging.WARNING)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        make_site()
        pathway = make_pathway("Perinatal care")
        for n in range(3):
            CrisisContact.objects.create(
                pathway=pathway, name=f"Crisis line {n}", locale=Locale.get_default()
            )
        member = make_member(pathway)
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        cores = os.cpu_count()
        print(f"{REQUESTS} requests each; load average {load} on {cores} cores")
        print(f"{'':24} {'server time, ms':>26}  {'floor, ms':>26}  queries")
        with override_settings(ROOT_URLCONF=__name__):
            client = Client()
            client.force_login(member)
            for n, url in enumerate(("/sw.js", "/offline/", "/manifest.webmanifest")):
                samples, queries, body = timed(client, url)
                FLOOR[n] = body
                floor, _, _ = timed(client, f"/__floor__/{n}/")
                print(f"{url:24} {figures(samples)}  {figures(floor)}  {queries}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
