"""Demo data for `make run`: the seven pathways of the SHaRON case study, their
landing pages, national crisis contacts and an account for every role. In home,
as it builds pages as well as community data (the community app imports no
page types).

Idempotent: running it again changes nothing that is already there.
"""

from datetime import date, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from community import actions
from community.forums import actions as forums
from community.forums.models import Forum, Topic
from community.models import CrisisContact, Membership, Pathway, Role, RulePack, User
from community.moderation.models import DutyShift
from community.web.consent import do_accept_documents, needs_consent
from home.models import HomePage
from home.pathways import sync_pathway_structure

DEMO_PASSWORD = "harbour-demo-2026"  # noqa: S105 - published demo logins, dev only

# A fixed secret per demo staff account so the printed instructions stay true
# across runs; `make code EMAIL=...` prints the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPHARBOURDEMOTWOFA"  # noqa: S105 - demo only

PATHWAYS: list[dict[str, Any]] = [
    {
        "slug": "eating-disorders",
        "name": "Eating disorders",
        "description": "Peer support for adults recovering from an eating disorder.",
        "rule_packs": [RulePack.EATING_DISORDERS],
        "minimum_age": 18,
    },
    {
        "slug": "perinatal",
        "name": "Perinatal care",
        "description": "For parents during pregnancy and the first year after birth.",
        "minimum_age": 16,
    },
    {
        "slug": "cypmhs",
        "name": "Children and young people's mental health (CYPMHS)",
        "description": "A safe space for young people supported by CYPMHS.",
        "minimum_age": 11,
        "direct_messages_allowed": False,
    },
    {
        "slug": "learning-disabilities",
        "name": "Learning disabilities",
        "description": "Support in easy words, with pictures and videos.",
        "minimum_age": 16,
        # Members who join get easy read until they choose (decision 0030).
        "easy_read_by_default": True,
    },
    {
        "slug": "early-intervention-psychosis",
        "name": "Early intervention in psychosis",
        "description": "Support from people who have been there, and their care team.",
        "minimum_age": 14,
    },
    {
        "slug": "relatives-and-carers",
        "name": "Relatives and carers",
        "description": "For families, friends and carers of people using our services.",
        "minimum_age": 16,
        "allow_join_requests": True,
    },
    {
        "slug": "waiting-list",
        "name": "Waiting-list support",
        "description": "Support while you wait for your first appointment.",
        "minimum_age": 16,
        "allow_join_requests": True,
    },
]


# (email, display name, {pathway slug: role}, is staff of the whole site)
ACCOUNTS = [
    ("member.ed@example.org", "Willow", {"eating-disorders": Role.MEMBER}),
    ("carer.ed@example.org", "Harbour Friend", {"eating-disorders": Role.CARER}),
    ("peer.ed@example.org", "Robin Peer", {"eating-disorders": Role.PEER}),
    ("clinician.ed@example.org", "Dr Ash", {"eating-disorders": Role.CLINICIAN}),
    ("lead.ed@example.org", "Lead Rowan", {"eating-disorders": Role.LEAD}),
    ("member.perinatal@example.org", "Maple", {"perinatal": Role.MEMBER}),
    ("carer.perinatal@example.org", "Birch Carer", {"perinatal": Role.CARER}),
    ("peer.perinatal@example.org", "Wren Peer", {"perinatal": Role.PEER}),
    ("clinician.perinatal@example.org", "Nurse Hazel", {"perinatal": Role.CLINICIAN}),
    ("lead.perinatal@example.org", "Lead Alder", {"perinatal": Role.LEAD}),
    ("member.ld@example.org", "Daisy", {"learning-disabilities": Role.MEMBER}),
    (
        "member.both@example.org",
        "Sky",
        {"perinatal": Role.MEMBER, "relatives-and-carers": Role.CARER},
    ),
]
ADMIN_EMAIL = "admin@example.org"
DEMO_POSTS = [
    (
        "What helped me through the first month",
        "",
        [
            "I wanted to share a few small things that made a difference.",
            "Writing three things down each evening, even tiny ones.",
            "Saying yes when someone offered to walk with me.",
        ],
    ),
    (
        "My story: from the worst night to now",
        "mentions self-harm and a hospital stay",
        [
            "This is a hard one to write, so please read it when you feel ready.",
            "A year ago I was in hospital after hurting myself. I didn't think "
            "things could change.",
            "They did, slowly. Talking here, at 3 a.m., was part of it.",
        ],
    ),
]
DEMO_CAPTIONS = """WEBVTT

00:00.000 --> 00:02.000
Hello, and welcome.

00:02.000 --> 00:04.000
The first week is often the hardest.
"""
GROUNDING = (
    "5-4-3-2-1 grounding\n\nName 5 things you can see, 4 you can touch, 3 you can "
    "hear, 2 you can smell and 1 you can taste. Breathe slowly.\n"
)
TRUSTED_DEMO_MEMBERS = [
    "member.ed@example.org",
    "carer.ed@example.org",
    "member.perinatal@example.org",
    "carer.perinatal@example.org",
]


def staff_roles(roles: dict) -> bool:
    return any(
        role in (Role.PEER, Role.CLINICIAN, Role.LEAD) for role in roles.values()
    )


def publish_under(parent, page, user=None):
    """Add `page` under `parent` and publish it (as `user`, its author)."""
    parent.add_child(instance=page)
    page.save_revision(user=user).publish()
    return page


class Command(BaseCommand):
    help = "Create the demo pathways, pages and accounts (idempotent); print logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            self.ensure_site()
            pathways = self.ensure_pathways()
            self.ensure_contacts(pathways)
            self.ensure_accounts(pathways)
            self.ensure_forums(pathways)
            self.ensure_rota(pathways)
            self.ensure_walls(pathways["perinatal"])
            self.ensure_content(pathways)
            self.ensure_videos(pathways)
        self.print_logins()

    def ensure_site(self):
        Locale.objects.get_or_create(language_code="en")
        Locale.objects.get_or_create(language_code="cy")
        if HomePage.objects.exists():
            return
        root = Page.get_first_root_node()
        # Wagtail's initial migration makes a placeholder "Welcome" page; replace it.
        for page in root.get_children():
            page.delete()
        home = HomePage(
            title="Welcome to Harbour",
            slug="home",
            introduction=(
                "<p>Harbour is a safe place to talk with people who understand, "
                "and with your care team, at any time of the day or night. "
                "Each community is private to the people your care team invites.</p>"
            ),
        )
        publish_under(root, home)
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )

    def ensure_pathways(self) -> dict[str, Pathway]:
        pathways = {}
        for spec in PATHWAYS:
            spec = dict(spec)
            slug = spec.pop("slug")
            pathway = Pathway.objects.filter(slug=slug).first()
            if pathway is None:
                pathway = actions.do_create_pathway(slug=slug, **spec)
            else:
                sync_pathway_structure(pathway)
            pathways[slug] = pathway
        return pathways

    def ensure_contacts(self, pathways):
        # National contacts come with migration community 0004; each demo
        # pathway adds its own crisis team.
        locale = Locale.get_default()
        for pathway in pathways.values():
            CrisisContact.objects.get_or_create(
                pathway=pathway,
                name=f"{pathway.name} crisis team",
                locale=locale,
                defaults={
                    "phone": "0300 123 4567",
                    "description": "Your care team's crisis line (a demo number).",
                },
            )

    def ensure_accounts(self, pathways):
        for email, display_name, roles in ACCOUNTS:
            user = self.ensure_user(email, display_name)
            for slug, role in roles.items():
                actions.do_add_membership(user, pathways[slug], role)
            if staff_roles(roles):
                self.ensure_totp(user)
        admin = self.ensure_user(ADMIN_EMAIL, "Site Admin", superuser=True)
        self.ensure_totp(admin)

    def ensure_forums(self, pathways):
        """Two forums a pathway and a first topic, from a trusted demo member
        (Sky stays new, so their posts show pre-moderation)."""
        Membership.objects.filter(user__email__in=TRUSTED_DEMO_MEMBERS).update(
            approved_posts=3
        )
        for pathway in pathways.values():
            if Forum.objects.filter(pathway=pathway).exists():
                continue
            stories = forums.do_create_forum(
                None,
                pathway,
                "Recovery stories",
                "What has helped, big or small. Hope is welcome here.",
            )
            forums.do_create_forum(
                None, pathway, "Day to day", "Ask, share and check in."
            )
            author = User.objects.filter(
                memberships__pathway=pathway, memberships__role=Role.PEER
            ).first()
            if author is not None:
                Topic.objects.create(
                    forum=stories,
                    pathway=pathway,
                    author=author,
                    title="Welcome: what helped you this week?",
                    body=(
                        "Hello everyone. I'm one of the peer supporters here. "
                        "What is one small thing that helped you this week?"
                    ),
                )

    def ensure_walls(self, pathway):
        """In the perinatal pathway: a wall message, a milestone, a present and
        a reaction, through the same actions (and safety pipeline) as people."""
        from community.social import actions as social
        from community.social.models import Gift, WallPost

        if WallPost.objects.filter(pathway=pathway).exists():
            return
        member = User.objects.get(email="member.perinatal@example.org")
        carer = User.objects.get(email="carer.perinatal@example.org")
        social.do_post_on_wall(
            member,
            member,
            pathway,
            "Six weeks since I first came here. Slept four hours straight last night!",
            milestone=True,
        )
        message = social.do_post_on_wall(
            carer,
            member,
            pathway,
            "So glad to see you doing a bit better. Here whenever you want a chat.",
        ).obj
        social.do_toggle_reaction(member, message, "thanks")
        gift = Gift.objects.filter(live=True).first()
        if gift is not None:
            social.do_send_present(carer, member, pathway, gift, "For a good week")

    def ensure_content(self, pathways):
        """Each pathway's blog with two posts by its peer supporter (one behind
        a content warning) and a self-help resource with a document."""
        from django.core.files.base import ContentFile
        from wagtail.documents import get_document_model

        from home.models import BlogIndexPage, BlogPage, PathwayPage, ResourcePage

        Document = get_document_model()
        for pathway in pathways.values():
            landing = PathwayPage.objects.filter(pathway=pathway).first()
            if landing is None or BlogIndexPage.objects.child_of(landing).exists():
                continue
            author = User.objects.filter(
                memberships__pathway=pathway,
                memberships__role__in=[Role.PEER, Role.CLINICIAN],
            ).first()
            blog = BlogIndexPage(
                title="Stories and blogs",
                slug="blog",
                introduction="Written by peers and clinicians of this community.",
            )
            publish_under(landing, blog)
            for title, warning, text in DEMO_POSTS:
                post = BlogPage(
                    title=title,
                    slug=slugify(title)[:50],
                    owner=author,
                    introduction=text[0],
                    content_warning=warning,
                    body=[("rich_text", "".join(f"<p>{p}</p>" for p in text[1:]))],
                )
                publish_under(blog, post, author)
            document = Document(
                title="Grounding exercise",
                collection=pathway.collection,
            )
            document.file.save(
                "grounding-exercise.txt", ContentFile(GROUNDING.encode()), save=False
            )
            document.save()
            resource = ResourcePage(
                title="Getting through a hard night",
                slug="hard-night",
                owner=author,
                introduction="Small things that can help until morning.",
                body=[
                    (
                        "rich_text",
                        "<p>Try the 5-4-3-2-1 exercise below. If you feel unsafe, "
                        "use the crisis contacts on this page.</p>",
                    ),
                    ("document", {"document": document, "description": "1 page"}),
                ],
            )
            publish_under(landing, resource, author)

    def ensure_videos(self, pathways):
        """A video page in each pathway: a short generated clip with captions
        when ffmpeg is installed, else a page clearly marked as a placeholder."""
        from django.core.files.base import ContentFile
        from wagtail.documents import get_document_model

        from home import media
        from home.models import PathwayPage, PeerMedia, VideoIndexPage, VideoPage

        clip = media.generate_clip()
        for pathway in pathways.values():
            landing = PathwayPage.objects.filter(pathway=pathway).first()
            if landing is None or VideoIndexPage.objects.child_of(landing).exists():
                continue
            author = User.objects.filter(
                memberships__pathway=pathway, memberships__role=Role.PEER
            ).first()
            index = VideoIndexPage(
                title="Videos from peers",
                slug="videos",
                introduction="Short videos by people who have been there.",
            )
            publish_under(landing, index)
            video = captions = None
            if clip:
                video = PeerMedia(
                    title="A message for your first week",
                    collection=pathway.collection,
                    type="video",
                )
                video.file.save("first-week.mp4", ContentFile(clip), save=False)
                video.save()
                captions = get_document_model()(
                    title="Captions: a message for your first week",
                    collection=pathway.collection,
                )
                captions.file.save(
                    "first-week.vtt", ContentFile(DEMO_CAPTIONS.encode()), save=False
                )
                captions.save()
            page = VideoPage(
                title="A message for your first week",
                slug="first-week",
                owner=author,
                introduction=(
                    "A demo clip (colour bars and a tone) standing in for a peer's "
                    "video."
                    if clip
                    else ""
                ),
                video=video,
                captions=captions,
                transcript=(
                    "<p>Hello, and welcome. The first week is often the hardest. "
                    "You don't have to say anything yet: reading is enough.</p>"
                ),
            )
            publish_under(index, page, author)

    def ensure_rota(self, pathways):
        """The demo clinicians are on duty first and peers second, from now for
        a week, so alerts have somewhere to go."""
        now = timezone.now()
        for pathway in pathways.values():
            if DutyShift.objects.filter(pathway=pathway, ends_at__gt=now).exists():
                continue
            staff = Membership.objects.filter(
                pathway=pathway, role__in=[Role.CLINICIAN, Role.PEER]
            ).select_related("user")
            for membership in staff:
                DutyShift.objects.create(
                    pathway=pathway,
                    user=membership.user,
                    starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(days=7),
                    position=1 if membership.role == Role.CLINICIAN else 2,
                )

    def ensure_user(self, email, display_name, superuser=False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = (
                User.objects.create_superuser if superuser else User.objects.create_user
            )
            user = create(
                email=email,
                password=DEMO_PASSWORD,
                display_name=display_name,
                date_of_birth=date(1990, 1, 1),
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if needs_consent(user):
            # Demo people have agreed to the current terms, as at sign-up.
            do_accept_documents(user)
        return user

    def ensure_totp(self, user):
        if not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)

    def print_logins(self):
        out = self.stdout
        out.write("")
        # The site's own address: make run's, or make serve's https one.
        site = settings.WAGTAILADMIN_BASE_URL
        out.write(self.style.SUCCESS(f"Harbour demo is ready at {site}/"))
        out.write(f"Every demo account's password: {DEMO_PASSWORD}")
        out.write("")
        for email, _name, roles in ACCOUNTS:
            where = ", ".join(f"{role.label} in {slug}" for slug, role in roles.items())
            out.write(f"  {email:34} {where}")
        out.write(f"  {ADMIN_EMAIL:34} site administrator (Wagtail admin at /admin/)")
        out.write("")
        out.write(
            "Staff accounts (peers, clinicians, leads, admin) use two-factor sign-in."
        )
        out.write(
            f"  Authenticator secret for every demo staff account: {DEMO_TOTP_SECRET}"
        )
        out.write(
            "  Or print the current 6-digit code: "
            "make code EMAIL=clinician.ed@example.org"
        )
        out.write("")
