"""Page benchmark: server time of the member pages with a large generated data
set, each beside a bare Django view that returns the same HTML (the floor),
plus the access-layer check on its own.

The data set: seven pathways and BENCH_MEMBERS members, then BENCH_POSTS
posts across the pathways (forum topics, replies, wall messages, presents),
BENCH_REACTIONS reactions, one hot topic with BENCH_HOT_REPLIES replies in one
big forum and one member with a busy wall, dated over the past year. Rows go
in by bulk insert (COPY on PostgreSQL, bulk_create elsewhere), then the search
index is built for them (see build_index). The search page is measured once
the search app is routed; until then the figures say it is not available.

Runs against DATABASE_URL in a throwaway test database (test_<name>_<pid>,
as the test settings name it, created and dropped here; with BENCH_KEEPDB=1,
test_<name>, kept and reused). Prints data set sizes, generation and indexing time, and
p50/p95 in milliseconds, the floor's p50/p95 and the query count of each page.

    make bench                      # SQLite (embedded default), a smaller set
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour_bench \\
        .venv/bin/python bench/pages.py           # PostgreSQL, 1M posts

Environment: BENCH_MEMBERS (100000), BENCH_POSTS (1000000 on PostgreSQL,
20000 elsewhere), BENCH_REACTIONS (posts / 2), BENCH_HOT_REPLIES (5000),
BENCH_INDEX ("all", or a number: index the reader's pathways whole and that
many rows of each kind from the others), BENCH_REQUESTS (200 per page),
BENCH_SECONDS (time budget per page, 60: a slower page stops early, at 20
requests at least, and says how many it made), BENCH_KEEPDB=1 (PostgreSQL:
keep the test database and reuse its data on the next run), BENCH_ONLY (measure
only the pages whose name contains it, e.g. "search").
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import NoReverseMatch, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.search.utils import get_content_type_pk  # noqa: E402

from cms.startup import freeze_what_startup_made  # noqa: E402
from cms.urls import urlpatterns as site_urlpatterns  # noqa: E402
from community.web.consent import current_versions, signature  # noqa: E402

POSTGRES = connection.vendor == "postgresql"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


MEMBERS = env_int("BENCH_MEMBERS", 100_000)
POSTS = env_int("BENCH_POSTS", 1_000_000 if POSTGRES else 20_000)
REACTIONS = env_int("BENCH_REACTIONS", POSTS // 2)
HOT_REPLIES = env_int("BENCH_HOT_REPLIES", 5_000)
INDEX = os.environ.get("BENCH_INDEX", "all")
REQUESTS = env_int("BENCH_REQUESTS", 200)
SECONDS = env_int("BENCH_SECONDS", 60)
KEEPDB = os.environ.get("BENCH_KEEPDB") == "1"
ONLY = os.environ.get("BENCH_ONLY", "")
BATCH = 5000
PATHWAYS = 7
FORUMS_PER_PATHWAY = 4
YEAR = timedelta(days=365)
# Of the posts: topics, replies, wall messages, presents.
SHARES = {"topic": 0.08, "reply": 0.72, "wall": 0.15, "present": 0.05}

FLOOR_HTML: dict[int, bytes] = {}


def floor_view(request, n):
    return HttpResponse(FLOOR_HTML[n])


urlpatterns = [path("__floor__/<int:n>/", floor_view), *site_urlpatterns]


# Words ------------------------------------------------------------------------------

COMMON = (
    "I you we it the and to a of in that is was for on my me with but so have "
    "had not this just feel felt today week day night time now still really "
    "thank thanks everyone here again back home better worse help hope"
).split()
TOPICAL = (
    "sleep appointment nurse ward medication dose tired anxious worried calm "
    "walk garden family sister brother daughter son partner friend group "
    "session therapy recovery relapse progress milestone pain breathing clinic "
    "doctor consultant letter results scan waiting list discharge admission "
    "routine morning evening appetite energy mood support listen share story "
    "months years small steps proud brave kind gentle patience weather rain "
    "sunshine tea cake music reading puzzle knitting dog cat bus train"
).split()
SYLLABLES = "ka lo mi ne ru ta vo shi pel dor win bra cle fen gar hul".split()


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words with Zipf-like weights: common words, care words, then a long tail
    of made-up words, so some search terms are everywhere and some are rare."""
    tail = sorted(
        {
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            for _ in range(4000)
        }
    )
    words = COMMON + TOPICAL + tail
    weights = [1 / (rank + 10) for rank in range(len(words))]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return words, cumulative


GIFTS = [("A cup of tea", "tea"), ("A flower", "flower"), ("A star", "star")]


COMMON_WORD = "sleep"
RARE_WORD_RANK = 2000  # of the made-up tail


def text(rng: random.Random, words, cumulative, low: int, high: int) -> str:
    chosen = rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high))
    return " ".join(chosen).capitalize() + "."


# Bulk insert ------------------------------------------------------------------------


class Writer:
    """Rows of one model, numbered from the table's next pk and inserted
    BATCH at a time, so no more than a batch is held in memory: by COPY on
    PostgreSQL (rows as tuples, unset fields at their defaults), by
    bulk_create elsewhere. Writers it depends on (for foreign keys) are
    flushed first."""

    def __init__(self, model, after: tuple["Writer", ...] = ()):
        self.model, self.after, self.rows, self.written = model, after, [], 0
        self.first = (model.objects.aggregate(n=Max("pk"))["n"] or 0) + 1
        self.next = self.first
        fields = model._meta.concrete_fields
        self.defaults = [
            (f.attname, f.get_db_prep_save(f.get_default(), connection)) for f in fields
        ]
        quote = connection.ops.quote_name
        self.copy = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        )

    def add(self, **fields) -> int:
        pk = fields[self.model._meta.pk.attname] = self.next
        self.next += 1
        if POSTGRES:
            self.rows.append([fields.get(name, d) for name, d in self.defaults])
        else:
            self.rows.append(self.model(**fields))
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        for writer in self.after:
            writer.flush()
        if not self.rows:
            return
        if POSTGRES:
            with connection.cursor() as cursor, cursor.copy(self.copy) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            self.model.objects.bulk_create(self.rows)
        self.written += len(self.rows)
        self.rows = []


def reset_sequences(models) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# The data set -----------------------------------------------------------------------


def generate_members(n_members: int):
    """Seven pathways and `n_members` members spread over them, by bulk insert.
    Returns the pathways, each pathway's member ids, and the reader (a member
    of the first pathway and a carer in the second)."""
    from community import actions
    from community.models import Membership, PathwayGroup, Role, User
    from tests.factories import make_pathway

    pathways = [make_pathway(f"Bench pathway {i}") for i in range(PATHWAYS)]
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
            Membership(user=u, pathway=pathways[i % PATHWAYS], role=Role.MEMBER)
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
            through(user_id=u.pk, group_id=groups[pathways[i % PATHWAYS].pk])
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    reader = users[0]
    actions.do_add_membership(reader, pathways[1], Role.CARER)  # a member of two
    members = [[u.pk for u in users[p::PATHWAYS]] for p in range(PATHWAYS)]
    return pathways, members, reader


def generate_content(pathways, members, rng: random.Random) -> dict:
    """POSTS posts across the pathways and REACTIONS reactions, by bulk insert.
    Forums go through `do_create_forum`. The first pathway's first forum is
    the big one and its oldest topic the hot one; members[0][1] has the busy
    wall. Returns what the pages are measured on."""
    from community.forums.actions import do_create_forum
    from community.forums.models import Reply, Topic
    from community.social.models import Gift, Present, Reaction, WallPost

    words, cumulative = vocabulary(rng)
    now = timezone.now()
    forums = [
        [
            do_create_forum(None, pathway, f"Bench forum {pathway.pk}-{i}")
            for i in range(FORUMS_PER_PATHWAY)
        ]
        for pathway in pathways
    ]
    gifts = [Gift.objects.create(name=n, icon=i) for n, i in GIFTS]
    n_topics = max(1, int(POSTS * SHARES["topic"]))
    n_replies = max(HOT_REPLIES, int(POSTS * SHARES["reply"]))
    n_wall = int(POSTS * SHARES["wall"])
    n_presents = int(POSTS * SHARES["present"])
    busy = members[0][1]

    # Topics and their replies, oldest topic first. Each topic's replies fall
    # between it and now; the hot topic (the oldest) takes HOT_REPLIES, the
    # rest are spread unevenly over the other topics.
    counts = [0] * n_topics
    counts[0] = HOT_REPLIES
    if n_topics > 1:
        weights = [rng.expovariate(1.0) for _ in range(n_topics - 1)]
        for t in rng.choices(range(1, n_topics), weights, k=n_replies - HOT_REPLIES):
            counts[t] += 1
    born = sorted(now - YEAR * rng.random() for _ in range(n_topics))
    born[0] = now - YEAR
    topics = Writer(Topic)
    replies = Writer(Reply, after=(topics,))
    topic_pathway = bytearray(n_topics)
    reply_pathway = bytearray()
    with transaction.atomic():
        for t in range(n_topics):
            p = t % PATHWAYS
            forum = forums[p][0] if t == 0 or rng.random() < 0.5 else None
            forum = forum or rng.choice(forums[p][1:])
            times = sorted(
                born[t] + (now - born[t]) * rng.random() for _ in range(counts[t])
            )
            topic_pk = topics.add(
                pathway_id=pathways[p].pk,
                forum_id=forum.pk,
                author_id=rng.choice(members[p]),
                title=text(rng, words, cumulative, 3, 8)[:120],
                body=text(rng, words, cumulative, 20, 80),
                status="published",
                created_at=born[t],
                last_activity_at=times[-1] if times else born[t],
            )
            topic_pathway[t] = p
            for at in times:
                replies.add(
                    topic_id=topic_pk,
                    pathway_id=pathways[p].pk,
                    author_id=rng.choice(members[p]),
                    body=text(rng, words, cumulative, 10, 60),
                    status="published",
                    created_at=at,
                )
                reply_pathway.append(p)
        replies.flush()

    # Wall messages (top level) and presents; one member's wall is busy.
    walls = Writer(WallPost)
    wall_pathway = bytearray()
    busy_share = min(0.3, 2000 / max(n_wall, 1))
    with transaction.atomic():
        for at in sorted(now - YEAR * rng.random() for _ in range(n_wall)):
            on_busy = rng.random() < busy_share
            p = 0 if on_busy else rng.randrange(PATHWAYS)
            walls.add(
                pathway_id=pathways[p].pk,
                author_id=rng.choice(members[p]),
                owner_id=busy if on_busy else rng.choice(members[p]),
                body=text(rng, words, cumulative, 5, 30),
                status="published",
                created_at=at,
                parent_id=None,
            )
            wall_pathway.append(p)
        walls.flush()
    presents = Writer(Present)
    with transaction.atomic():
        for at in sorted(now - YEAR * rng.random() for _ in range(n_presents)):
            p = rng.randrange(PATHWAYS)
            to_busy = p == 0 and rng.random() < 0.05
            presents.add(
                pathway_id=pathways[p].pk,
                author_id=rng.choice(members[p]),
                recipient_id=busy if to_busy else rng.choice(members[p]),
                gift_id=rng.choice(gifts).pk,
                body=text(rng, words, cumulative, 3, 12),
                status="published",
                created_at=at,
            )
        presents.flush()

    # Reactions: each topic, reply and wall message gets a few from distinct
    # members of its pathway, REACTIONS in all on average.
    reactions = Writer(Reaction)
    kinds = [
        ("topic", topics.first, topic_pathway),
        ("reply", replies.first, reply_pathway),
        ("wall", walls.first, wall_pathway),
    ]
    mean = REACTIONS / max(1, n_topics + len(reply_pathway) + len(wall_pathway))
    choices = ["hug", "thanks", "me_too"]
    with transaction.atomic():
        for kind, first, pathway_of in kinds:
            for offset, p in enumerate(pathway_of):
                drawn = rng.expovariate(1 / mean) if mean else 0.0
                n = min(25, int(drawn) + (rng.random() < drawn % 1))
                for user_id in rng.sample(members[p], n):
                    reactions.add(
                        pathway_id=pathways[p].pk,
                        content_kind=kind,
                        object_id=first + offset,
                        user_id=user_id,
                        reaction=rng.choice(choices),
                        created_at=now - YEAR * rng.random(),
                    )
        reactions.flush()
    reset_sequences([Topic, Reply, WallPost, Present, Reaction])
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "pathway": pathways[0],
        "forum": forums[0][0],
        "hot": Topic.objects.get(pk=topics.first),
        "busy": busy,
        "rare_word": words[len(COMMON) + len(TOPICAL) + RARE_WORD_RANK],
    }


def find_existing():
    """The handles of a data set kept by BENCH_KEEPDB, or None."""
    from community.forums.models import Topic
    from community.models import Pathway, User

    reader = User.objects.filter(email="bench0@example.org").first()
    hot = Topic.objects.order_by("pk").select_related("forum").first()
    if reader is None or hot is None:
        return None
    words, _ = vocabulary(random.Random(1))
    return reader, {
        "pathway": Pathway.objects.get(name="Bench pathway 0"),
        "forum": hot.forum,
        "hot": hot,
        "busy": User.objects.get(email="bench7@example.org").pk,
        "rare_word": words[len(COMMON) + len(TOPICAL) + RARE_WORD_RANK],
    }


def build_index(reader_pathways) -> tuple[int, int, str]:
    """Index the generated topics, replies and wall messages. With BENCH_INDEX
    a number, only the reader's pathways whole and that many rows of each kind
    from the others. Returns (rows indexed, rows of those kinds in all, how).

    Elsewhere than PostgreSQL: the search backend's own `add_items`, BATCH
    rows at a time. It builds every row's vectors in Python (about a thousand
    rows a second here), so on PostgreSQL one INSERT ... SELECT per model
    computes the same vectors in the database instead, and is checked against
    `add_items` on a sample of rows."""
    from wagtail.search.backends import get_search_backend

    from community.forums.models import Reply, Topic
    from community.social.models import WallPost

    backend = get_search_backend()
    indexed = total = 0
    for model in (Topic, Reply, WallPost):
        index = backend.get_index_for_model(model)
        # add_items recomputes the average title length over the whole index
        # table after every batch, which makes a bulk load quadratic; update
        # the norms once at the end instead, as the backend's rebuilder does.
        refresh_norms = index._refresh_title_norms
        index._refresh_title_norms = lambda full=False: None
        rows = model.objects.order_by("pk")
        total += rows.count()
        if INDEX != "all":
            others = rows.exclude(pathway__in=reader_pathways)
            keep = list(others.values_list("pk", flat=True)[: int(INDEX)])
            rows = rows.filter(pathway__in=reader_pathways) | rows.filter(pk__in=keep)
        if POSTGRES:
            indexed += index_in_sql(index, model, rows)
            check_index_sql(index, model)
        else:
            fields = ["pk", "body"] + (["title"] if model is Topic else [])
            stream = rows.only(*fields).iterator(chunk_size=BATCH)
            while batch := list(islice(stream, BATCH)):
                with transaction.atomic():
                    index.add_items(model, batch)
                indexed += len(batch)
        refresh_norms(full=True)
    if POSTGRES:
        # VACUUM too: the norms' refresh rewrites every index entry, and the
        # dead quarter it leaves (autovacuum clears it in a running service)
        # made the planner read the content type's whole index for a rare
        # word, about 7 ms of its 12.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    how = "INSERT ... SELECT" if POSTGRES else "the backend's add_items"
    return indexed, total, how


def index_in_sql(index, model, rows) -> int:
    """What PostgreSQL's `add_items` stores for `rows`, in one statement: the
    title fields' vectors as `title`, the others' as `body`, each weighted by
    its boost, and their plain text."""
    from wagtail.search.backends.database.postgres.weights import get_weight
    from wagtail.search.index import SearchField

    config = index.backend.config
    prefix = f"'{config}'::regconfig, " if config else ""
    quote = connection.ops.quote_name

    def vector(fields) -> str:
        parts = [
            f"setweight(to_tsvector({prefix}COALESCE({quote(f.field_name)}, '')), "
            f"'{get_weight(f.boost)}')"
            for f in fields
        ]
        return " || ".join(parts) or f"to_tsvector({prefix}'')"

    def plain(fields) -> str:
        parts = [f"btrim(COALESCE({quote(f.field_name)}, ''))" for f in fields]
        return " || ' ' || ".join(parts) or "''"

    searched = [f for f in model.get_search_fields() if isinstance(f, SearchField)]
    title = [f for f in searched if f.field_name == "title"]
    body = [f for f in searched if f.field_name != "title"]
    ids, params = rows.values("pk").query.sql_with_params()
    # Names and weights come from the models' search_fields, not from input.
    sql = f"""
        INSERT INTO {quote(index.entries.model._meta.db_table)}
            (content_type_id, object_id, title, autocomplete, body, title_norm,
             title_text, body_text)
        SELECT %s, id::text, {vector(title)}, to_tsvector({prefix}''),
               {vector(body)}, 1.0, {plain(title)}, {plain(body)}
        FROM {quote(model._meta.db_table)} WHERE id IN ({ids})
        ON CONFLICT (content_type_id, object_id) DO NOTHING
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [get_content_type_pk(model), *params])
        return cursor.rowcount


def check_index_sql(index, model, sample: int = 200) -> None:
    """Re-index `sample` rows through the backend's own `add_items` and stop
    the benchmark if what it stores differs from what index_in_sql stored."""
    entries = index.entries.filter(content_type_id=get_content_type_pk(model))
    ids = list(entries.order_by("?").values_list("object_id", flat=True)[:sample])

    def stored() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT object_id, title::text, autocomplete::text, body::text, "  # noqa: S608
                f"title_text, body_text FROM {index.entries.model._meta.db_table} "
                f"WHERE content_type_id = %s AND object_id = ANY(%s) ORDER BY 1",
                [get_content_type_pk(model), ids],
            )
            return cursor.fetchall()

    before = stored()
    with transaction.atomic():
        index.add_items(model, list(model.objects.filter(pk__in=[int(i) for i in ids])))
    if stored() != before:
        raise SystemExit(
            f"bench: the index rows built in SQL for {model.__name__} differ from "
            "the search backend's own; update index_in_sql to match it"
        )


def sizes() -> str:
    from community.forums.models import Forum, Reply, Topic
    from community.models import Membership, User
    from community.social.models import Present, Reaction, WallPost

    counts = [
        ("members", User.objects.count()),
        ("memberships", Membership.objects.count()),
        ("forums", Forum.objects.count()),
        ("topics", Topic.objects.count()),
        ("replies", Reply.objects.count()),
        ("wall messages", WallPost.objects.count()),
        ("presents", Present.objects.count()),
        ("reactions", Reaction.objects.count()),
    ]
    return "; ".join(f"{name}: {n:,}" for name, n in counts)


def shape(handles) -> str:
    from community.forums.models import Reply, Topic
    from community.social.models import WallPost

    hot = Reply.objects.filter(topic=handles["hot"]).count()
    big = Topic.objects.filter(forum=handles["forum"]).count()
    wall = WallPost.objects.filter(owner_id=handles["busy"]).count()
    return (
        f"measured as a member of {handles['pathway'].name} (and carer in a second "
        f"pathway): hot topic {hot:,} replies; big forum {big:,} topics; "
        f"busy wall {wall:,} messages"
    )


# Measuring --------------------------------------------------------------------------


def timed(client: Client, url: str) -> tuple[list[float], int]:
    client.get(url)  # warm caches and templates
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    samples: list[float] = []
    budget = time.perf_counter() + SECONDS
    while len(samples) < REQUESTS and (
        len(samples) < 20 or time.perf_counter() < budget
    ):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples, len(queries)


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1]


def search_url() -> str | None:
    """The search page once the search app is routed; None before."""
    try:
        return reverse("search:search")
    except NoReverseMatch:
        return None


def pages(pathway, handles) -> list[tuple[str, str]]:
    slug, hot = pathway.slug, handles["hot"]
    topic = f"/community/{slug}/topics/{hot.pk}/"
    rows = [
        ("home page (my pathways)", "/"),
        ("pathway landing page", f"/{slug}/"),
        ("topic, hot, first page", topic),
        ("topic, hot, last page", f"{topic}?page=last"),
        ("forum, big", f"/community/{slug}/forums/{handles['forum'].slug}/"),
        ("pathway timeline", f"/community/{slug}/timeline/"),
        ("home feed", "/feed/"),
        ("member's wall, busy", f"/people/{handles['busy']}/"),
    ]
    found = search_url()
    if found:
        rows += [
            (f"search: {COMMON_WORD} (common)", f"{found}?q={COMMON_WORD}"),
            (
                f"search: {handles['rare_word']} (rare)",
                f"{found}?q={handles['rare_word']}",
            ),
        ]
    return rows


def measure(reader, handles) -> None:
    # As an app process does once started (cms/asgi.py): what exists now is
    # never walked by the garbage collector again.
    freeze_what_startup_made()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"{REQUESTS} requests per page at most, {SECONDS}s per page at most; "
        f"load average {load} on {os.cpu_count()} cores"
    )
    print(
        f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'floor50':>8} {'floor95':>8} "
        f"{'queries':>8} {'n':>4} {'KB':>5}"
    )
    # Agreed to the current terms, as at sign-up: else every page is a
    # redirect to the consent page (a kept data set may predate the terms).
    reader.consented_versions = signature(current_versions())
    reader.save(update_fields=["consented_versions"])
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.force_login(reader)
        for n, (name, url) in enumerate(pages(handles["pathway"], handles)):
            if ONLY not in name:
                continue
            samples, queries = timed(client, url)
            FLOOR_HTML[n] = client.get(url).content
            floor, _ = timed(client, f"/__floor__/{n}/")
            print(
                f"{name:34} {pct(samples, 50):8.2f} {pct(samples, 95):8.2f} "
                f"{pct(floor, 50):8.2f} {pct(floor, 95):8.2f} {queries:8d} "
                f"{len(samples):4d} {len(FLOOR_HTML[n]) // 1024:5d}"
            )
        if not search_url():
            print("search: not available yet")
    from community.permissions import access_pathway

    samples = []
    for _ in range(REQUESTS * 5):
        start = time.perf_counter()
        access_pathway(reader, handles["pathway"].slug)
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{'access_pathway()':34} {pct(samples, 50):8.3f} {pct(samples, 95):8.3f}")


def main() -> None:
    old_name = connection.settings_dict["NAME"]
    keep = KEEPDB and POSTGRES
    if keep:
        # cms/settings/test.py names a PostgreSQL test database after the
        # process (test_<name>_<pid>), so that two test runs on one server
        # never share one; a kept data set would then never be found again.
        # The kept one has a name of its own, the same every run. (Without
        # BENCH_KEEPDB the per-process name stays: two runs side by side do
        # not drop each other's database.)
        connection.settings_dict["TEST"]["NAME"] = f"test_{old_name}"
    # serialize=False: no test case here rolls back to a snapshot, and on a
    # kept data set the snapshot would be every row of it.
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=keep, serialize=False
    )
    try:
        existing = find_existing() if keep else None
        if existing:
            reader, handles = existing
            print(f"database: {connection.vendor}; reusing the kept data set")
        else:
            rng = random.Random(1)
            started = time.perf_counter()
            pathways, members, reader = generate_members(MEMBERS)
            members_took = time.perf_counter() - started
            started = time.perf_counter()
            handles = generate_content(pathways, members, rng)
            content_took = time.perf_counter() - started
            started = time.perf_counter()
            indexed, searchable, how = build_index(pathways[:2])
            index_took = time.perf_counter() - started
            print(
                f"database: {connection.vendor}; members generated in "
                f"{members_took:.1f}s; posts and reactions in {content_took:.1f}s; "
                f"search index: {indexed:,} of {searchable:,} topics, replies and "
                f"wall messages in {index_took:.1f}s by {how}"
                + ("" if INDEX == "all" else " (the reader's pathways whole)")
            )
        print(sizes())
        print(shape(handles))
        measure(reader, handles)
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
