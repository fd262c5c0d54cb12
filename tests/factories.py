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
