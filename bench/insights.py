"""Insights benchmark (issue #20, item 5): the dashboard of one pathway with
BENCH_MEMBERS members (100,000) and BENCH_POSTS posts and messages
(1,000,000) dated over the past year, on PostgreSQL, beside its floor.

The floor is the database's own time for the page's aggregate queries: the
summed execution time of every SQL statement the page runs, timed around
the driver's call. The page's time above it is Python (building tables,
drawing charts, rendering the template). The goal is under 500 ms for the
page (p50) with the last 30 and 90 days.

The data set: one pathway ("Insights bench") with the members (members,
carers and a few staff), then the posts by kind (topics 8%, replies 60%,
wall messages 15%, presents 5%, chat messages 10%, support messages 2%),
support conversations, moderation cases, reports and risk alerts; a second
pathway with a tenth as much, which the page must not count. Rows go in by
COPY (bench/pages.py's Writer).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour_insights \\
        BENCH_KEEPDB=1 .venv/bin/python bench/insights.py

Environment: BENCH_MEMBERS (100000; 5000 on SQLite, as `make bench` runs it),
BENCH_POSTS (1000000; 20000 on SQLite), BENCH_REQUESTS (20 per period),
BENCH_KEEPDB=1 (keep test_<name>_insights and reuse its data).
"""

import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.pages import POSTGRES, Writer, env_int, reset_sequences  # noqa: E402

MEMBERS = env_int("BENCH_MEMBERS", 100_000 if POSTGRES else 5_000)
POSTS = env_int("BENCH_POSTS", 1_000_000 if POSTGRES else 20_000)
REQUESTS = env_int("BENCH_REQUESTS", 20)
KEEPDB = os.environ.get("BENCH_KEEPDB") == "1"
NAME = "Insights bench"
YEAR = timedelta(days=365)
SHARES = {
    "topic": 0.08,
    "reply": 0.60,
    "wall": 0.15,
    "present": 0.05,
    "chat": 0.10,
    "support": 0.02,
}
GOAL_MS = 500


def generate(scale: float, name: str, rng: random.Random):
    """A pathway with `scale` of the members and posts; returns it and its
    lead (with two-factor, to sign in as)."""
    from chat.models import Message, Room, RoomKind
    from community import actions
    from community.forums.models import Reply, Topic
    from community.models import Membership, Role, User
    from community.moderation.models import ModerationCase, Report, RiskAlert
    from community.social.models import Gift, Present, WallPost
    from community.web.consent import current_versions, signature
    from tests.factories import enrol_totp, make_forum, make_pathway

    now = timezone.now()
    pathway = make_pathway(name)
    n_members = int(MEMBERS * scale)
    n_posts = int(POSTS * scale)
    password = make_password("bench-password-123")
    tag = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        [
            User(
                email=f"insights-{tag}-{i}@example.org",
                display_name=f"Insights {tag} {i}",
                password=password,
            )
            for i in range(n_members)
        ],
        batch_size=5000,
    )

    def role(i: int) -> str:
        if i % 1000 == 1:
            return Role.CLINICIAN
        if i % 500 == 2:
            return Role.PEER
        return Role.CARER if i % 10 == 3 else Role.MEMBER

    Membership.objects.bulk_create(
        [
            Membership(
                user=u,
                pathway=pathway,
                role=role(i),
                joined_at=now - YEAR * rng.random(),
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    staff = [u.pk for i, u in enumerate(users) if role(i) != Role.MEMBER][:200]
    ids = [u.pk for u in users]
    lead = users[0]
    actions.do_add_membership(lead, pathway, Role.LEAD)
    enrol_totp(lead)
    lead.consented_versions = signature(current_versions())
    lead.save()
    forums = [make_forum(pathway, f"Forum {i}") for i in range(4)]
    gift = Gift.objects.create(name=f"Tea {tag}", icon="tea")
    room = Room.objects.get(pathway=pathway, is_default=True)

    def when() -> object:
        return now - YEAR * rng.random()

    p = pathway.pk
    with transaction.atomic():
        topics = Writer(Topic)
        replies = Writer(Reply, after=(topics,))
        topic_times = []
        for _ in range(int(n_posts * SHARES["topic"])):
            born = when()
            pk = topics.add(
                pathway_id=p,
                forum_id=rng.choice(forums).pk,
                author_id=rng.choice(ids),
                title="A topic",
                body="Words.",
                status="published",
                created_at=born,
                last_activity_at=born,
            )
            topic_times.append((pk, born))
        for _ in range(int(n_posts * SHARES["reply"])):
            topic, born = rng.choice(topic_times)
            author = rng.choice(staff) if rng.random() < 0.2 else rng.choice(ids)
            replies.add(
                pathway_id=p,
                topic_id=topic,
                author_id=author,
                body="Words.",
                status="published",
                created_at=born + (now - born) * rng.random() ** 3,
            )
        replies.flush()
        walls = Writer(WallPost)
        for _ in range(int(n_posts * SHARES["wall"])):
            walls.add(
                pathway_id=p,
                author_id=rng.choice(ids),
                owner_id=rng.choice(ids),
                body="Words.",
                status="published",
                created_at=when(),
                milestone=False,
            )
        walls.flush()
        presents = Writer(Present)
        for _ in range(int(n_posts * SHARES["present"])):
            presents.add(
                pathway_id=p,
                author_id=rng.choice(ids),
                recipient_id=rng.choice(ids),
                gift_id=gift.pk,
                body="A note.",
                status="published",
                created_at=when(),
            )
        presents.flush()
        rooms = Writer(Room)
        messages = Writer(Message, after=(rooms,))
        seq = 0
        for at in sorted(when() for _ in range(int(n_posts * SHARES["chat"]))):
            seq += 1
            messages.add(
                pathway_id=p,
                room_id=room.pk,
                seq=seq,
                author_id=rng.choice(ids),
                client_id=uuid.uuid4(),
                body="Words.",
                status="published",
                created_at=at,
            )
        n_support = int(n_posts * SHARES["support"])
        for _ in range(max(1, n_support // 4)):
            asked = when()
            picked = asked + timedelta(minutes=rng.expovariate(1 / 20))
            member = rng.choice(ids)
            support = rooms.add(
                pathway_id=p,
                kind=RoomKind.SUPPORT,
                name="Support",
                member_id=member,
                created_at=asked,
                picked_up_at=picked if rng.random() < 0.9 else None,
                closed_at=asked + timedelta(hours=2),
                is_default=False,
                last_seq=4,
            )
            for s in range(1, 5):
                messages.add(
                    pathway_id=p,
                    room_id=support,
                    seq=s,
                    author_id=member if s % 2 else rng.choice(staff),
                    client_id=uuid.uuid4(),
                    body="Words.",
                    status="published",
                    created_at=asked + timedelta(minutes=s),
                )
        messages.flush()
        Room.objects.filter(pk=room.pk).update(last_seq=seq)
        from django.contrib.contenttypes.models import ContentType

        kind = ContentType.objects.get_for_model(Reply)
        cases = Writer(ModerationCase)
        reports = Writer(Report, after=(cases,))
        alerts = Writer(RiskAlert, after=(cases,))
        first_reply = replies.first
        for i in range(int(n_posts * 0.02)):
            opened = when()
            decided = opened + timedelta(hours=rng.expovariate(1 / 3))
            open_now = rng.random() < 0.01
            held = open_now or rng.random() < 0.5
            case = cases.add(
                pathway_id=p,
                content_type_id=kind.pk,
                object_id=first_reply + i,
                author_id=rng.choice(ids),
                held=held and open_now,  # a decision clears it
                was_held=held,
                risk=i % 10 == 0,
                for_review=i % 20 == 0,
                language="en",
                report_count=1 if i % 4 == 0 else 0,
                state="open" if open_now else "closed",
                opened_at=opened,
                decision="" if open_now else "approve",
                decided_at=None if open_now else decided,
            )
            if i % 4 == 0:
                reports.add(
                    case_id=case,
                    reporter_id=rng.choice(ids),
                    reason="unkind",
                    detail="",
                    created_at=opened,
                    outcome="" if open_now else "approve",
                )
            if i % 10 == 0:
                alerts.add(
                    pathway_id=p,
                    case_id=case,
                    author_id=rng.choice(ids),
                    categories=[],
                    kinds=[],
                    urgent=i % 30 == 0,
                    for_review=i % 20 == 0,
                    reported=False,
                    state="acknowledged",
                    created_at=opened,
                    level=int(rng.random() < 0.1),
                    to_leads=rng.random() < 0.02,
                    acknowledged_at=opened + timedelta(minutes=rng.expovariate(1 / 8)),
                )
        reports.flush()
        alerts.flush()
    reset_sequences(
        [
            Topic,
            Reply,
            WallPost,
            Present,
            Room,
            Message,
            ModerationCase,
            Report,
            RiskAlert,
        ]
    )
    return pathway, lead


def backfill() -> None:
    """COPY sends no signals: the insights' summaries (per person-day, first
    replies) are counted as the migration's backfill counts them, timed."""
    from community.forums.actions import refresh_first_replies
    from community.forums.models import Topic
    from community.insights.summary import rebuild

    started = time.perf_counter()
    with transaction.atomic():
        rows = rebuild()
        topics = refresh_first_replies(Topic.objects.all())
    print(
        f"summaries: {rows:,} person-days and {topics:,} topics' first replies "
        f"in {time.perf_counter() - started:.1f}s"
    )


def existing():
    from community.models import Membership, Pathway, Role

    pathway = Pathway.objects.filter(name=NAME).first()
    if pathway is None:
        return None
    lead = Membership.objects.get(pathway=pathway, role=Role.LEAD).user
    return pathway, lead


class DatabaseClock:
    """Sums the time spent in the database driver (the floor)."""

    def __init__(self):
        self.spent, self.statements = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spent += time.perf_counter() - started
            self.statements += 1


def measure(pathway, lead) -> None:
    client = Client()
    client.force_login(lead)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"load average {load} on {os.cpu_count()} cores; goal: page p50 < {GOAL_MS} ms"
    )
    print(
        f"{'period':10} {'page p50':>9} {'page max':>9} {'db p50':>8} "
        f"{'queries':>8} {'n':>3}"
    )
    for period in ("7", "30", "90"):
        url = f"/community/{pathway.slug}/insights/?period={period}"
        assert client.get(url).status_code == 200  # noqa: S101 - warm up
        pages, dbs, counts = [], [], []
        for _ in range(REQUESTS):
            cache.clear()  # cold: the page counts everything (views._figures)
            clock = DatabaseClock()
            started = time.perf_counter()
            with connection.execute_wrapper(clock):
                response = client.get(url)
            pages.append((time.perf_counter() - started) * 1000)
            dbs.append(clock.spent * 1000)
            counts.append(clock.statements)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        print(
            f"{period + ' days':10} {statistics.median(pages):9.1f} {max(pages):9.1f} "
            f"{statistics.median(dbs):8.1f} {counts[-1]:8d} {len(pages):3d}"
        )


def sizes() -> str:
    from chat.models import Message
    from community.forums.models import Reply, Topic
    from community.models import Membership
    from community.social.models import Present, WallPost

    total = sum(m.objects.count() for m in (Topic, Reply, WallPost, Present, Message))
    return f"{Membership.objects.count():,} memberships, {total:,} posts and messages"


def main() -> None:
    old_name = connection.settings_dict["NAME"]
    keep = KEEPDB and POSTGRES
    if keep:
        connection.settings_dict["TEST"]["NAME"] = f"test_{old_name}_insights"
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=keep, serialize=False
    )
    try:
        found = existing() if keep else None
        if found:
            print(f"database: {connection.vendor}; reusing the kept data set")
        else:
            rng = random.Random(20)
            started = time.perf_counter()
            found = generate(1.0, NAME, rng)
            generate(0.1, "Another pathway", rng)
            backfill()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if POSTGRES else "ANALYZE")
            print(
                f"database: {connection.vendor}; generated in "
                f"{time.perf_counter() - started:.0f}s"
            )
        print(sizes())
        measure(*found)
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
