"""No 500 on odd input, for every URL pattern of the site.

Walks the resolver as tests/cms/test_urls.py does. Each route's parameters
are filled with real ids of a pathway's things (a topic, a reply, a wall
message, a present, a chat message, an alert, a case, a shift, an
invitation, a page), then with odd values (10**30, "²"). Each path is asked
for with odd query values (non-ASCII digits, 10**30, -1, empty, 10 kB) by an
anonymous visitor, a member and a clinician with two-factor, and posted to
with odd form values by each of them. Every answer must be a 4xx, a redirect
or a page: never a 5xx. Run with `-s` to see the counts."""

import time
import uuid

import pytest
from django.test import Client

from chat.actions import do_send_message
from chat.models import Room
from community.forums import actions as forums
from community.models import Role
from community.moderation.models import DutyShift, ModerationCase, RiskAlert
from community.social import actions as social
from home.models import PathwayPage
from tests.cms.test_urls import DELIBERATE_ERRORS, all_routes, concrete
from tests.factories import (
    enrol_totp,
    make_forum,
    make_gift,
    make_invitation,
    make_member,
    make_pathway,
    make_trusted,
    put_on_duty,
)

pytestmark = [pytest.mark.django_db, pytest.mark.walk]

HUGE = str(10**30)
ODD_VALUES = ["²", HUGE, "-1", "", "x" * 10_240]
# Query and form names the site's views read, and a few common ones.
QUERY_NAMES = [
    "page",
    "p",
    "before",
    "after",
    "since",
    "quote",
    "q",
    "next",
    "id",
    "ordering",
    "lang",
    "seq",
    "room",
    "kind",
]
FORM_NAMES = [
    "body",
    "title",
    "note",
    "word",
    "remove",
    "pathway",
    "gift",
    "reaction",
    "reason",
    "detail",
    "decision",
    "hours",
    "client_id",
    "code",
    "display_name",
    "date_of_birth_0",
    "next",
    "role",
    "count",
    "days",
    "content_warnings",
    "form",
    "follow",
    "pinned",
    "locked",
    "email",
    "login",
    "password",
    "user",
    "position",
    "starts_at",
    "phrase",
    "language",
    "category",
    "endpoint",
]
# Posting these would end the session the walk goes on with.
NOT_POSTED = {"/accounts/logout/"}


@pytest.fixture
def things(home):
    pathway = make_pathway("Fuzzing ground")
    landing = PathwayPage.objects.get(pathway=pathway)
    author = make_trusted(pathway)
    friend = make_trusted(pathway)
    clinician = make_member(pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    put_on_duty(pathway, clinician)
    forum = make_forum(pathway, "Everyday")
    topic = forums.do_start_topic(author, forum, "Tea", "Made tea").obj
    reply = forums.do_reply(author, topic, "Nice").obj
    forums.do_start_topic(author, forum, "Dark", "I want to kill myself")
    wall_post = social.do_post_on_wall(friend, author, pathway, "Hello").obj
    present = social.do_send_present(
        friend, author, pathway, make_gift(pathways=[pathway]), "For you"
    ).obj
    room = Room.objects.get(pathway=pathway, is_default=True)
    chat = do_send_message(author, room, uuid.uuid4(), "Hi all").obj
    invitation = make_invitation(pathway)
    ids = {
        "slug": pathway.slug,
        "code": invitation.code,
        "pk": str(topic.pk),
        "id": str(landing.pk),
        "page_id": str(landing.pk),
        "parent_page_id": str(landing.pk),
        "object_id": str(landing.pk),
        "path": f"{pathway.slug}/",
        "app_label": "home",
        "model_name": "pathwaypage",
        "forum_slug": forum.slug,
        "kind": "topic",
        "user_id": str(author.pk),
        "action": "block",
        "room_id": str(room.pk),
        "seq": "1",
    }
    passes = [ids]
    for pk, kind in [
        (reply.pk, "reply"),
        (wall_post.pk, "wall"),
        (present.pk, "present"),
        (chat.pk, "chat"),
        (ModerationCase.objects.first().pk, "topic"),
        (RiskAlert.objects.first().pk, "topic"),
        (DutyShift.objects.get(pathway=pathway).pk, "topic"),
        (invitation.pk, "topic"),
    ]:
        passes.append({**ids, "pk": str(pk), "kind": kind})
    odd = [dict.fromkeys(ids, value) for value in (HUGE, "²")]
    member = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    people = {"member": (member, author), "clinician": (staff, clinician)}
    return passes, odd, people


def odd_query(shift: int) -> dict[str, str]:
    """Every query name with an odd value; `shift` turns which gets which."""
    return {
        name: ODD_VALUES[(shift + i) % len(ODD_VALUES)]
        for i, name in enumerate(QUERY_NAMES)
    }


# Thousands of requests: on a busy two-core machine it outran the suite's 300 s.
@pytest.mark.timeout(900)
def test_no_url_answers_odd_input_with_a_server_error(things):
    """Each path is asked for by the three people with different odd queries
    (on the site, two each, so every query name meets every odd value on
    every path; in Wagtail's admin, one each) and posted to with an odd form
    by each of them."""
    passes, odd_passes, people = things
    routes = sorted(set(all_routes()))
    site = [route for route in routes if not route.startswith("admin/")]
    paths = {concrete(route, values) for route in site for values in passes}
    # Real ids of the site's things mean nothing to the admin's own views.
    paths |= {concrete(route, passes[0]) for route in routes}
    paths |= {concrete(route, values) for route in routes for values in odd_passes}
    paths = sorted(paths)
    anonymous = Client(raise_request_exception=False)
    sent, errors = 0, []
    started = time.monotonic()

    def check(who, method, path, response, data=None):
        nonlocal sent
        sent += 1
        if response.status_code >= 500 and path not in DELIBERATE_ERRORS:
            exc = getattr(response, "exc_info", None)
            why = f"{exc[0].__name__}: {str(exc[1])[:80]}" if exc else ""
            errors.append((who, method, path, response.status_code, why))

    for n, path in enumerate(paths):
        for client, user in people.values():
            client.force_login(user)  # a post may have signed them out
        clients = [("anonymous", anonymous)] + [
            (who, client) for who, (client, _user) in people.items()
        ]
        in_admin = path.startswith("/admin/")
        for c, (who, client) in enumerate(clients):
            for shift in [c + n] if in_admin else [2 * c, 2 * c + 1]:
                query = odd_query(shift)
                check(who, "GET", path, client.get(path, query), query)
            if path in NOT_POSTED:
                continue
            form = dict.fromkeys(FORM_NAMES, ("²", HUGE)[(c + n) % 2])
            check(who, "POST", path, client.post(path, form), form)
    counts = (
        f"fuzz: {len(routes)} URL patterns walked as {len(paths)} paths, "
        f"{sent} requests sent in {time.monotonic() - started:.0f} s, "
        f"{len(errors)} answered 5xx"
    )
    print(counts)  # noqa: T201 - the counts the issue asks to quote
    assert errors == [], "\n".join([counts, *map(str, errors[:40])])
