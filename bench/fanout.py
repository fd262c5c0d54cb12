"""Reply fan-out benchmark (issue #18 item 3): the server time of a forum reply
POST when its topic has 1, 100 and 1,000 followers, beside the floor (a bare
view behind the same middleware that stores one reply row and redirects).

Each size gets its own topic, its followers (active members of the pathway,
made by bulk insert) and one trusted replier, signed in through the test
client; BENCH_REPLIES replies are posted to it (after one to warm up) and
timed around `client.post`, commit and on-commit work included (a real
transaction: no test wrapping). Tasks go through the database queue as in
production (`TASKS["deliveries"]` is django-tasks-db's backend).

Where the notices fan out in a task (community/notifications/fanout.py), it
also prints the task's time per reply (the worker's run of the queue, timed
after each POST) and, with a Redis channel layer (REDIS_URL), the live
latency: from the POST's answer until a follower's socket group has the
notice, with a worker thread polling the queue as `harbour_worker` does
(each reply at a random moment of the worker's poll).
On code where the POST stores the notices itself it prints "in the request".

    .venv/bin/python bench/fanout.py
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/fanout.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour_fanout \\
        REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/fanout.py

Environment: BENCH_REPLIES (30 per size), BENCH_FOLLOWERS ("1,100,1000"),
BENCH_TICK (the worker thread's poll, 0.5 s as harbour_worker's default).
Runs in a throwaway test database (created and dropped here); Redis keys go
under a random prefix, deleted after.
"""

import asyncio
import logging
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
os.environ.setdefault("HARBOUR_TEST_RUN", f"bench-fanout-{uuid.uuid4().hex[:8]}")

import django  # noqa: E402

django.setup()

from channels.layers import get_channel_layer  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.http import HttpResponseRedirect  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from cms.urls import urlpatterns as site_urlpatterns  # noqa: E402

logging.getLogger("harbour.access").setLevel(logging.WARNING)  # a line per POST

REPLIES = int(os.environ.get("BENCH_REPLIES", "30"))
SIZES = [int(n) for n in os.environ.get("BENCH_FOLLOWERS", "1,100,1000").split(",")]
TICK = float(os.environ.get("BENCH_TICK", "0.5"))
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
try:
    from community.notifications import fanout  # noqa: F401

    FAN_OUT = True
except ImportError:  # the code before issue #18: notices made in the request
    FAN_OUT = False


def floor_view(request, pk):
    """The least a reply can cost: one row stored in a transaction."""
    from community.forums.models import Reply, Topic
    from community.models import ContentStatus

    topic = Topic.objects.select_related("pathway").get(pk=pk)
    with transaction.atomic():
        Reply.objects.create(
            topic=topic,
            pathway=topic.pathway,
            author=request.user,
            body=request.POST["body"],
            status=ContentStatus.PUBLISHED,
        )
    return HttpResponseRedirect(f"/community/{topic.pathway.slug}/topics/{pk}/")


urlpatterns = [path("__floor__/<int:pk>/", floor_view), *site_urlpatterns]


def followed_topic(forum, size: int, serial: int):
    """A topic with `size` followers (its author among them) and a trusted
    replier who does not follow it yet."""
    from community.forums import actions as forums
    from community.forums.models import TopicFollow
    from community.models import Membership, MembershipStatus, Role, User
    from tests.factories import make_trusted

    pathway = forum.pathway
    author = make_trusted(pathway)
    topic = forums.do_start_topic(author, forum, f"Topic {serial}", "A day").obj
    password = make_password("bench-password-123")
    people = User.objects.bulk_create(
        User(
            email=f"follower{serial}-{i}@example.org",
            display_name=f"Follower {serial} {i}",
            password=password,
        )
        for i in range(size - 1)
    )
    Membership.objects.bulk_create(
        Membership(
            user=person,
            pathway=pathway,
            role=Role.MEMBER,
            status=MembershipStatus.ACTIVE,
        )
        for person in people
    )
    TopicFollow.objects.bulk_create(
        TopicFollow(topic=topic, user=person) for person in people
    )
    return topic, make_trusted(pathway), [author, *people]


def pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def timed_posts(client: Client, url: str, then=None) -> tuple[list[float], list]:
    client.post(url, {"body": "Warming up the caches"})
    if then:
        then()
    samples, after = [], []
    for n in range(REPLIES):
        start = time.perf_counter()
        response = client.post(url, {"body": f"Sending strength, day {n}"})
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 302:
            raise SystemExit(f"{url} answered {response.status_code}")
        if then:
            after.append(then())
    return samples, after


def run_queue() -> float:
    """The worker's run of the queue, as after one POST; ms."""
    from community.notifications.worker import run_delivery_queue

    start = time.perf_counter()
    run_delivery_queue()
    return (time.perf_counter() - start) * 1000


def live_latency(client: Client, url: str, follower) -> list[float]:
    """POST, then wait until `follower`'s socket group has the notice of that
    reply, with a worker thread polling the queue every TICK seconds as
    harbour_worker does; ms per reply. The group is read by one listener on
    an event loop of its own, as a socket's consumer would."""
    from community.notifications.events import user_group
    from community.notifications.worker import run_delivery_queue

    arrivals: dict[str, float] = {}
    stop, listening = threading.Event(), threading.Event()

    def listener():
        async def listen():
            layer = get_channel_layer()
            channel = await layer.new_channel()
            await layer.group_add(user_group(follower.pk), channel)
            listening.set()
            while not stop.is_set():
                try:
                    event = await asyncio.wait_for(layer.receive(channel), 0.2)
                except TimeoutError:
                    continue
                arrivals.setdefault(event["url"], time.perf_counter())

        asyncio.run(listen())

    def worker():
        while not stop.is_set():
            if not run_delivery_queue():
                stop.wait(TICK)
        close_old_connections()

    threads = [threading.Thread(target=t, daemon=True) for t in (listener, worker)]
    for thread in threads:
        thread.start()
    listening.wait(10)
    samples = []
    rng = random.Random(18)
    try:
        for n in range(min(REPLIES, 20)):
            # Replies come at any moment of the worker's poll, not in step.
            time.sleep(rng.uniform(0, TICK))
            start = time.perf_counter()
            response = client.post(url, {"body": f"Live one, number {n}"})
            notice_url = url + "#" + response["Location"].split("#", 1)[1]
            deadline = start + 10
            while notice_url not in arrivals and time.perf_counter() < deadline:
                time.sleep(0.002)
            if notice_url not in arrivals:
                raise SystemExit(f"no live notice within 10 s for {notice_url}")
            samples.append((arrivals[notice_url] - start) * 1000)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return samples


def main() -> None:
    from community.notifications.models import Notification
    from tests.factories import make_forum, make_pathway

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    layer_name = type(get_channel_layer()).__name__
    redis = layer_name == "RedisChannelLayer"
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"database: {connection.vendor}; channel layer: {layer_name}; "
        f"{REPLIES} replies per size; notices "
        f"{'in a task (fan-out)' if FAN_OUT else 'in the request'}; "
        f"load average {load} on {os.cpu_count()} cores"
    )
    try:
        with override_settings(ROOT_URLCONF=__name__, TASKS=TASKS):
            forum = make_forum(make_pathway("Bench fan-out"))
            print(
                f"{'followers':>9} {'p50 ms':>8} {'p95 ms':>8} {'floor50':>8} "
                f"{'floor95':>8} {'x floor':>8} {'task50':>8} {'task95':>8} "
                f"{'live50':>8} {'live95':>8} {'notices':>8}"
            )
            for serial, size in enumerate(SIZES):
                topic, replier, followers = followed_topic(forum, size, serial)
                client = Client()
                client.force_login(replier)
                url = f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
                samples, tasks = timed_posts(
                    client, url, then=run_queue if FAN_OUT else None
                )
                told = Notification.objects.filter(url__startswith=url).count()
                floor, _ = timed_posts(client, f"/__floor__/{topic.pk}/")
                live = (
                    live_latency(client, url, followers[-1])
                    if FAN_OUT and redis
                    else []
                )
                task_cols = (
                    f"{pct(tasks, 50):8.1f} {pct(tasks, 95):8.1f}"
                    if tasks
                    else f"{'-':>8} {'-':>8}"
                )
                live_cols = (
                    f"{pct(live, 50):8.1f} {pct(live, 95):8.1f}"
                    if live
                    else f"{'-':>8} {'-':>8}"
                )
                print(
                    f"{size:9d} {pct(samples, 50):8.1f} {pct(samples, 95):8.1f} "
                    f"{pct(floor, 50):8.1f} {pct(floor, 95):8.1f} "
                    f"{pct(samples, 50) / pct(floor, 50):8.1f} {task_cols} "
                    f"{live_cols} {told:8d}"
                )
            if FAN_OUT and not redis:
                print("live latency: needs a Redis channel layer (REDIS_URL)")
            elif not FAN_OUT:
                print("live latency: at the POST's commit (notices in the request)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if redis:
            import redis as redis_client

            prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
            cache_prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
            store = redis_client.Redis.from_url(os.environ["REDIS_URL"])
            patterns = [f"{prefix}*"] + ([f"*{cache_prefix}*"] if cache_prefix else [])
            for pattern in patterns:
                keys = list(store.scan_iter(match=pattern, count=1000))
                if keys:
                    store.delete(*keys)


if __name__ == "__main__":
    main()
