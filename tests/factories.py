"""Test data: people, pathways (with their groups and landing pages) and
invitations, made through the same actions the site uses."""

import itertools
import time
from datetime import date, timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from community import actions
from community.forums.actions import do_create_forum
from community.models import Invitation, Membership, Pathway, Role, User
from community.moderation.models import DutyShift
from community.web.consent import current_versions, signature
from home.models import HomePage

PASSWORD = "a-long-test-passphrase-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECRETABCDEF"
_slugs = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    date_of_birth = date(1990, 5, 17)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            # Agreed to the current terms and privacy notice, as at sign-up
            # (tests of the consent page clear it).
            obj.consented_versions = signature(current_versions())
            obj.save()
            EmailAddress.objects.create(
                user=obj, email=obj.email, verified=True, primary=True
            )


def make_site() -> HomePage:
    """The site's home page (created once per test database state)."""
    home = HomePage.objects.first()
    if home:
        # A page can outlive the Site row a test removed; the admin's home
        # page needs a default site.
        Site.objects.get_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )
        return home
    Locale.objects.get_or_create(language_code="en")
    Locale.objects.get_or_create(language_code="cy")
    # Transactional tests flush the tables, Wagtail's root page included.
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    for page in root.get_children():
        page.delete()
    home = HomePage(title="Welcome to Harbour", slug="home")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home},
    )
    return home


def make_pathway(name: str | None = None, **fields) -> Pathway:
    make_site()
    n = next(_slugs)
    name = name or f"Pathway {n}"
    slug = fields.pop("slug", None) or f"{name.lower().replace(' ', '-')}-{n}"
    fields.setdefault("minimum_age", 16)
    return actions.do_create_pathway(slug=slug, name=name, **fields)


def make_member(pathway: Pathway, role: str = Role.MEMBER, **user_fields) -> User:
    user = UserFactory(**user_fields)
    actions.do_add_membership(user, pathway, role)
    return user


def make_invitation(pathway: Pathway, role: str = Role.MEMBER, **fields) -> Invitation:
    fields.setdefault("expires_at", timezone.now() + timedelta(days=14))
    return Invitation.objects.create(pathway=pathway, role=role, **fields)


def enrol_totp(user: User, secret: str = TOTP_SECRET) -> None:
    TOTP.activate(user, secret)


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def membership(user: User, pathway: Pathway) -> Membership:
    return Membership.objects.get(user=user, pathway=pathway)


def make_forum(pathway: Pathway, name: str = "Recovery stories"):
    return do_create_forum(None, pathway, name)


def make_trusted(pathway: Pathway, role: str = Role.MEMBER, **user_fields) -> User:
    """A member whose posts skip pre-moderation."""
    user = make_member(pathway, role, **user_fields)
    Membership.objects.filter(user=user, pathway=pathway).update(
        approved_posts=pathway.premoderation_threshold
    )
    return user


def put_on_duty(pathway: Pathway, user: User, position: int = 1, hours: int = 8):
    now = timezone.now()
    return DutyShift.objects.create(
        pathway=pathway,
        user=user,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=hours),
        position=position,
    )


def make_blog_post(pathway: Pathway, title: str = "What helped", **fields):
    """A published blog post in a 'Stories' blog under the pathway's landing page."""
    from home.models import BlogIndexPage, BlogPage, PathwayPage

    landing = PathwayPage.objects.get(pathway=pathway, locale__language_code="en")
    blog = BlogIndexPage.objects.child_of(landing).first()
    if blog is None:
        blog = BlogIndexPage(title="Stories", slug="stories")
        landing.add_child(instance=blog)
        blog.save_revision().publish()
    fields.setdefault("slug", title.lower().replace(" ", "-"))
    post = BlogPage(title=title, **fields)
    blog.add_child(instance=post)
    post.save_revision().publish()
    return post


def make_gift(name: str = "A cup of tea", icon: str = "tea", pathways=()):
    """A present in the catalogue, offered in `pathways` (all when empty)."""
    from community.social.models import Gift

    gift = Gift.objects.create(name=name, icon=icon)
    gift.pathways.set(pathways)
    return gift


def make_wall_post(author: User, owner: User, pathway: Pathway, body: str, **fields):
    """A wall message stored as it is (published unless `status` says), without
    the safety pipeline: for tests that need many rows or a given status."""
    from community.social.models import WallPost

    return WallPost.objects.create(
        pathway=pathway, author=author, owner=owner, body=body, **fields
    )


def make_failed_delivery(pathway: Pathway, recipient: User | None = None, **fields):
    """An email delivery given up after its retries (the worker's last word),
    to `recipient` (a new member of `pathway` when not given)."""
    from community.notifications.models import Delivery, DeliveryState

    fields.setdefault("state", DeliveryState.FAILED)
    return Delivery.objects.create(
        channel="email",
        recipient=recipient or make_member(pathway),
        pathway=pathway,
        subject="A new notification on Harbour",
        body="You have a new notification on Harbour.",
        attempts=8,
        last_error="ConnectionRefusedError",
        **fields,
    )


def make_seasoned_member(pathway: Pathway, role: str = Role.MEMBER, **user_fields):
    """A trusted member who joined a month ago: past the survey's first two
    weeks, so its question is due (community.survey.asking)."""
    user = make_trusted(pathway, role, **user_fields)
    Membership.objects.filter(user=user, pathway=pathway).update(
        joined_at=timezone.now() - timedelta(days=30)
    )
    return user


# Insights (issue #20) ------------------------------------------------------------


def _at(text: str):
    """An aware UTC moment from 'YYYY-MM-DD HH:MM'."""
    from datetime import UTC, datetime

    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


# Cases name content by id only: each dataset's are ids of their own.
_case_ids = itertools.count(100_000)


def make_insights_dataset(pathway: Pathway) -> dict:
    """A known month in `pathway` (23 March to 12 April 2026, across the
    spring clock change, Good Friday and Easter Monday), stored as it is,
    without the safety pipeline, so tests/community/insights can assert
    every figure exactly. Times are UTC; the comments give London time.
    Returns the people by name."""
    import uuid

    from django.contrib.contenttypes.models import ContentType

    from chat.models import Message, Room, RoomKind
    from community.forums.models import Reply, Topic
    from community.moderation.models import ModerationCase, Report, RiskAlert
    from community.social.models import Present

    def join(role: str, when: str, n: int) -> list[User]:
        people = [make_member(pathway, role) for _ in range(n)]
        Membership.objects.filter(user__in=people, pathway=pathway).update(
            joined_at=_at(when)
        )
        return people

    m = join(Role.MEMBER, "2026-01-10 12:00", 6)  # 3 to 6 months by the end
    n = join(Role.MEMBER, "2026-03-25 12:00", 5)  # new in the period
    join(Role.CARER, "2026-03-01 12:00", 2)  # 1 to 3 months
    peer, clinician, lead = (
        join(role, "2025-01-01 12:00", 1)[0]
        for role in (Role.PEER, Role.CLINICIAN, Role.LEAD)
    )
    forum = make_forum(pathway)

    def topic(author, when):
        return Topic.objects.create(
            pathway=pathway,
            forum=forum,
            author=author,
            title="T",
            body="B",
            created_at=_at(when),
        )

    def reply(t, author, when):
        Reply.objects.create(
            pathway=pathway, topic=t, author=author, body="R", created_at=_at(when)
        )

    t1 = topic(m[0], "2026-03-27 08:30")  # Fri 08:30 GMT: out
    t2 = topic(m[1], "2026-03-27 16:30")  # Fri 16:30 GMT: in
    t3 = topic(m[2], "2026-03-30 08:30")  # Mon 09:30 BST: in
    t4 = topic(m[3], "2026-03-30 16:30")  # Mon 17:30 BST: out
    t5 = topic(m[4], "2026-04-03 10:00")  # Good Friday: out
    t6 = topic(m[5], "2026-04-07 08:00")  # Tue 09:00 BST exactly: in
    reply(t1, m[1], "2026-03-27 09:30")  # in; a member after 1 h
    reply(t1, peer, "2026-03-27 10:30")  # in; staff after 2 h
    reply(t2, m[1], "2026-03-27 16:35")  # in; the author's own: not a reply
    reply(t2, m[2], "2026-03-27 17:00")  # 17:00 GMT exactly: out; 0.5 h
    reply(t3, clinician, "2026-03-30 11:30")  # 12:30 BST: in; staff 3 h
    reply(t4, lead, "2026-03-30 17:30")  # 18:30 BST: out; staff 1 h
    reply(t4, m[0], "2026-03-30 20:30")  # out; a member after 4 h
    reply(t5, m[0], "2026-04-03 12:00")  # Good Friday: out; a member 2 h
    reply(t6, m[5], "2026-04-07 08:10")  # 09:10 BST: in; the author's own
    for author in m[:5]:  # Saturday: out
        make_wall_post(author, m[5], pathway, "W", created_at=_at("2026-03-28 12:00"))
    Present.objects.create(  # Wed 15:00 BST: in
        pathway=pathway,
        author=m[0],
        recipient=m[1],
        body="P",
        gift=make_gift(pathways=[pathway]),
        created_at=_at("2026-04-08 14:00"),
    )
    room = Room.objects.get(pathway=pathway, is_default=True)

    def message(in_room, author, when):
        in_room.allocate_seq()
        Message.objects.create(
            pathway=pathway,
            room=in_room,
            author=author,
            body="C",
            seq=in_room.last_seq,
            client_id=uuid.uuid4(),
            created_at=_at(when),
        )

    for author in n:  # Thu 20:00 GMT: out
        message(room, author, "2026-03-26 20:00")
    # Six support conversations asked for; five picked up after 10 to 50 min.
    for i, author in enumerate(m):
        asked = _at("2026-03-25 21:00")
        support = Room.objects.create(
            pathway=pathway,
            kind=RoomKind.SUPPORT,
            name="S",
            member=author,
            created_at=asked,
            picked_up_at=asked + timedelta(minutes=10 * (i + 1)) if i < 5 else None,
        )
        if i == 0:
            message(support, author, "2026-03-25 21:00")  # out
            message(support, clinician, "2026-03-25 21:12")  # out
    kind = ContentType.objects.get_for_model(Topic)
    ids = _case_ids

    def case(opened: timedelta | str, **fields):
        when = timezone.now() - opened if isinstance(opened, timedelta) else _at(opened)
        fields.setdefault("was_held", fields.get("held", False))
        return ModerationCase.objects.create(
            pathway=pathway,
            content_type=kind,
            object_id=next(ids),
            author=m[0],
            opened_at=when,
            **fields,
        )

    for hours in (1, 2, 3, 4, 10):  # the queue now
        case(timedelta(hours=hours), held=True)
    for hours in (1, 2, 3, 4, 5):  # held in the period, decided after 1 to 5 h
        held = case(
            "2026-03-24 10:00", state="closed", decision="approve", was_held=True
        )
        held.decided_at = held.opened_at + timedelta(hours=hours)
        held.save()
    case("2026-03-25 10:00", held=True)  # held in the period, still waiting
    # Held, then reported while waiting, then approved: held all the same.
    case(
        "2026-03-26 11:00",
        report_count=1,
        state="closed",
        decision="approve",
        was_held=True,
    )
    hidden = case("2026-03-26 10:00", report_count=5, state="closed", decision="hide")
    kept = case("2026-03-26 11:00", report_count=2, state="closed", decision="approve")
    for reporter in m[1:6]:
        Report.objects.create(
            case=hidden,
            reporter=reporter,
            reason="unkind",
            outcome="hide",
            created_at=_at("2026-03-26 10:00"),
        )
    for reporter in m[1:3]:
        Report.objects.create(
            case=kept,
            reporter=reporter,
            reason="rules",
            outcome="approve",
            created_at=_at("2026-03-26 11:00"),
        )
    risky = case("2026-03-31 10:00", risk=True, state="closed", decision="approve")
    for minutes in (2, 4, 6, 8, 10):  # urgent, acknowledged after 2 to 10 min
        created = _at("2026-03-31 10:00")
        RiskAlert.objects.create(
            pathway=pathway,
            case=risky,
            author=m[0],
            urgent=True,
            created_at=created,
            acknowledged_at=created + timedelta(minutes=minutes),
            level=1 if minutes == 10 else 0,
        )
    RiskAlert.objects.create(  # an alert that went to the leads, unacknowledged
        pathway=pathway,
        case=risky,
        author=m[0],
        created_at=_at("2026-04-01 22:00"),
        level=2,
        to_leads=True,
    )
    return {"members": m, "new": n, "peer": peer, "clinician": clinician, "lead": lead}
