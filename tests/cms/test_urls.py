"""Walk every URL pattern of the site as people who must see nothing of pathway A:
an anonymous visitor, a member of pathway B and a clinician of pathway B (signed in
with two-factor, so the Wagtail admin is open to them). Pathway A's name, page
title, description, invitation codes and join-request details are planted as
markers; no response may contain any of them."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from chat.actions import do_open_direct, do_send_message
from chat.models import Room
from community import actions
from community.forums import actions as forums
from community.models import Role
from community.moderation.models import DutyShift, ModerationCase, RiskAlert
from community.social import actions as social
from home.models import PathwayPage
from tests.factories import (
    UserFactory,
    enrol_totp,
    make_forum,
    make_gift,
    make_invitation,
    make_member,
    make_pathway,
    make_trusted,
    membership,
    put_on_duty,
)

pytestmark = pytest.mark.django_db

# Wagtail's own view for testing error reporting raises on purpose.
DELIBERATE_ERRORS = {"/admin/failwhale/"}
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def all_routes(resolver=None, prefix=""):
    """Every URL pattern as (route string, is_regex)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield prefix + text


def concrete(route: str, values: dict[str, str]) -> str:
    """Fill a route's parameters with pathway A's identifiers."""
    path = ROUTE_PARAM.sub(lambda m: values.get(m["name"], "1"), route)
    path = REGEX_PARAM.sub(lambda m: values.get(m["name"], "1"), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"[?*+]", "", path)
    return "/" + path.lstrip("/")


@pytest.fixture
def pathway_a(home):
    pathway = make_pathway(
        "Zephyrine Circle",
        slug="zephyrine-circle",
        description="Quillwort marker description",
        allow_join_requests=True,
    )
    landing = PathwayPage.objects.get(pathway=pathway)
    lead = membership(make_member(pathway, Role.LEAD), pathway)
    batch = actions.do_create_invitations(lead, role=Role.MEMBER, count=2)
    single = make_invitation(pathway, code="MARKERCODE")
    asker = UserFactory(display_name="Xanthippe Asker")
    join_request = actions.do_request_to_join(asker, pathway, "Marshmallow message")
    # Member content, a moderation case, a risk alert and a rota shift.
    author = make_trusted(pathway, display_name="Yggdrasil Author")
    put_on_duty(pathway, make_member(pathway, Role.CLINICIAN))
    forum = make_forum(pathway, "Nebulosa Forum")
    topic = forums.do_start_topic(author, forum, "Obsidianite", "Pomegranate").obj
    reply = forums.do_reply(author, topic, "Kumquat reply").obj
    forums.do_start_topic(author, forum, "Tamarillo", "I want to kill myself")
    case, alert = ModerationCase.objects.get(), RiskAlert.objects.get()
    # Walls, presents and profile text.
    friend = make_trusted(pathway, display_name="Zucchetta Friend")
    wall_post = social.do_post_on_wall(friend, author, pathway, "Rambutan wall").obj
    social.do_post_on_wall(author, author, pathway, "Loganberry", parent=wall_post)
    present = social.do_send_present(
        friend,
        author,
        pathway,
        make_gift("Jabuticaba gift", pathways=[pathway]),
        "Persimmon note",
    ).obj
    social.do_set_profile(author, bio="Loquat bio", pronouns="", avatar="sun")
    shift = DutyShift.objects.get(pathway=pathway)
    # A chat message in the pathway's room.
    room = Room.objects.get(pathway=pathway, is_default=True)
    chat = do_send_message(author, room, uuid.uuid4(), "Guanabana chat").obj
    # A direct conversation between two of its members.
    direct = do_open_direct(author, friend, pathway)
    do_send_message(friend, direct, uuid.uuid4(), "Cherimoya direct")
    # A pathway that takes requests lists its name on the sign-up form by design;
    # close it again so every marker must stay hidden.
    pathway.allow_join_requests = False
    pathway.save()
    markers = [
        "Zephyrine",
        "Quillwort",
        "MARKERCODE",
        batch[0].code,
        "Xanthippe",
        "Marshmallow",
        "Yggdrasil",
        "Nebulosa",
        "Obsidianite",
        "Pomegranate",
        "Kumquat",
        "Tamarillo",
        "Zucchetta",
        "Rambutan",
        "Loganberry",
        "Jabuticaba",
        "Persimmon",
        "Loquat",
        "Guanabana",
        "Cherimoya",
    ]
    values = {
        "slug": pathway.slug,
        # Holding a valid code is what shows its pathway's name (tested in
        # test_views); outsiders here try one that does not exist.
        "code": "NOTACODE23",
        "batch": str(batch[0].batch),
        "pk": str(single.pk),
        "id": str(landing.pk),
        "page_id": str(landing.pk),
        "parent_page_id": str(landing.pk),
        "object_id": str(landing.pk),
        "path": f"{pathway.slug}/",
        "app_label": "home",
        "model_name": "pathwaypage",
        "request": str(join_request.pk),
        "forum_slug": forum.slug,
        "kind": "topic",
        "user_id": str(author.pk),
        "action": "block",
        "room_id": str(direct.pk),
        "seq": "1",
    }
    # More passes: each plain pk a view may take (a page, a topic, a reply, a
    # case, an alert, a shift).
    others = [
        {**values, "pk": str(pk), "kind": kind}
        for pk, kind in [
            (landing.pk, "topic"),
            (topic.pk, "topic"),
            (reply.pk, "reply"),
            (case.pk, "topic"),
            (alert.pk, "topic"),
            (shift.pk, "topic"),
            (wall_post.pk, "wall"),
            (present.pk, "present"),
            (chat.pk, "chat"),
        ]
    ]
    return markers, [values, *others]


def outsiders(pathway_b):
    anonymous = Client(raise_request_exception=False)
    member = Client(raise_request_exception=False)
    member.force_login(make_member(pathway_b, Role.MEMBER))
    clinician_user = make_member(pathway_b, Role.CLINICIAN)
    enrol_totp(clinician_user)
    clinician = Client(raise_request_exception=False)
    clinician.force_login(clinician_user)
    return {"anonymous": anonymous, "member of B": member, "clinician of B": clinician}


# Every URL, three outsiders, two queries each: minutes on a busy machine.
@pytest.mark.walk
@pytest.mark.timeout(900)
def test_no_url_shows_pathway_a_to_outsiders(pathway_a, other_pathway):
    markers, passes = pathway_a
    routes = sorted(set(all_routes()))
    assert len(routes) > 100  # the walk covers the Wagtail admin too
    paths = sorted({concrete(route, values) for route in routes for values in passes})
    leaks, errors = [], []
    for who, client in outsiders(other_pathway).items():
        for path in paths:
            # Plain, and as a search for a word of pathway A's page title.
            for query in ({}, {"q": "Circle"}):
                response = client.get(path, query)
                if response.status_code >= 500 and path not in DELIBERATE_ERRORS:
                    errors.append((who, path, response.status_code))
                body = response.content.decode(errors="replace")
                leaks += [(who, path, m) for m in markers if m in body]
    assert leaks == []
    assert errors == [], errors


def test_pathway_a_is_reachable_by_its_own_member(pathway_a, client):
    """The walk would be meaningless if the markers never showed at all."""
    markers, passes = pathway_a
    from community.models import Pathway

    pathway = Pathway.objects.get(slug=passes[0]["slug"])
    client.force_login(make_member(pathway, Role.MEMBER))
    body = client.get(f"/{pathway.slug}/").content.decode()
    assert "Zephyrine" in body and "Quillwort" in body
    topic = pathway.forums.get().topics.get(title="Obsidianite")
    body = client.get(f"/community/{pathway.slug}/topics/{topic.pk}/").content.decode()
    assert "Obsidianite" in body and "Kumquat" in body and "Yggdrasil" in body
    author = topic.author
    body = client.get(f"/people/{author.pk}/").content.decode()
    for marker in ("Rambutan", "Loganberry", "Jabuticaba", "Persimmon", "Loquat"):
        assert marker in body
    body = client.get(f"/community/{pathway.slug}/timeline/").content.decode()
    assert "Rambutan" in body and "Obsidianite" in body
    # The direct conversation, for one of its two people.
    client.force_login(author)
    body = client.get(f"/messages/{passes[0]['room_id']}/").content.decode()
    assert "Cherimoya" in body
    body = client.get(f"/community/{pathway.slug}/chat/").content.decode()
    assert "Guanabana" in body
