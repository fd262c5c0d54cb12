"""People and pathways: who is in which closed community, in which role.

Nothing here decides who may see what; that is community/permissions.py.
"""

import re
import secrets
import uuid
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin
from wagtail.snippets.models import register_snippet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .names import skeleton

EMAIL_LIKE = re.compile(r"\S+@\S+|\S+\s*(\(at\)|\[at\])\s*\S+", re.IGNORECASE)
# Seven or more digits, allowing spaces, dots, dashes and brackets between them.
PHONE_LIKE = re.compile(r"(?:\d[\s().+-]*){7,}")
DISPLAY_NAME_CHARS = re.compile(r"^[\w][\w .'-]*$", re.UNICODE)


def validate_display_name(value: str) -> None:
    """A display name is how others see a person: never contact details."""
    if EMAIL_LIKE.search(value):
        raise ValidationError(
            _("Please don't use an email address in your display name."),
            code="email",
        )
    if PHONE_LIKE.search(value):
        raise ValidationError(
            _("Please don't use a phone number in your display name."),
            code="phone",
        )
    if not DISPLAY_NAME_CHARS.match(value):
        raise ValidationError(
            _("Use letters, numbers, spaces, dots, dashes or apostrophes."),
            code="characters",
        )


class UserQuerySet(models.QuerySet):
    """The questions asked of people everywhere, each in one filter, so the
    pathway, status and role are those of the same membership."""

    def active_in(self, pathway, roles=None) -> "UserQuerySet":
        """People with an active membership of `pathway` (in one of `roles`)."""
        wanted = {"memberships__pathway": pathway}
        wanted["memberships__status"] = MembershipStatus.ACTIVE
        if roles is not None:
            wanted["memberships__role__in"] = roles
        return self.filter(**wanted)

    def staff_of(self, pathway) -> "UserQuerySet":
        """`pathway`'s active peer supporters, clinicians and leads."""
        return self.active_in(pathway, STAFF_ROLES)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Users sign in by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class Audience(models.TextChoices):
    MEMBERS = "members", _("Everyone in a community I'm in")
    STAFF = "staff", _("Only the care team (clinicians and peer supporters)")
    NOBODY = "nobody", _("Nobody")


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As they happen")
    DAILY = "daily", _("Once a day, in one email")
    OFF = "off", _("Never")


# A safe set of pictures to choose from instead of a photo.
AVATARS = [
    ("leaf", _("Leaf")),
    ("wave", _("Wave")),
    ("sun", _("Sun")),
    ("moon", _("Moon")),
    ("bird", _("Bird")),
    ("boat", _("Boat")),
]


# Wagtail ships no type information, so the django-stubs plugin cannot resolve
# the managers of its page and media models (User.peermedia_set).
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person. Others only ever see `display_name`; email and real names stay
    private to the person and the site's administrators."""

    # No username (sign-in is by email): django-stubs types it as always str.
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=30,
        validators=[validate_display_name],
        help_text=_(
            "The name others see. Choose one that isn't your real name, "
            "email or phone number."
        ),
    )
    # What the display name looks like (community.models.names.skeleton), kept with
    # it on every save: two people never have names a reader could take for
    # each other. Empty only for rows the previous release wrote.
    display_name_skeleton = models.CharField(
        max_length=255, blank=True, default="", db_default="", editable=False
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # The versions of the terms and privacy notice last agreed to, as
    # community.web.consent.signature writes them: the check on every page reads
    # it from the user row it has already loaded (the history is Consent).
    consented_versions = models.CharField(
        max_length=100, blank=True, default="", db_default=""
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    # A manager built from_queryset: django-stubs cannot type its dynamic base.
    objects = UserManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("display_name"), name="unique_display_name_ci"
            ),
            models.UniqueConstraint(
                fields=["display_name_skeleton"],
                condition=~models.Q(display_name_skeleton=""),
                name="unique_display_name_skeleton",
            ),
        ]

    content_warnings = models.CharField(
        _("content warnings"),
        max_length=8,
        choices=[
            ("collapse", _("Keep them folded until I choose to open them")),
            ("expand", _("Always show the content open")),
        ],
        default="collapse",
    )

    # Profile ------------------------------------------------------------
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    avatar = models.CharField(
        _("picture"), max_length=16, choices=AVATARS, default="leaf"
    )
    avatar_image = models.ImageField(
        _("your own picture"), upload_to="avatars/", blank=True
    )
    wall_audience = models.CharField(
        _("who can see my wall"),
        max_length=8,
        choices=Audience.choices,
        default=Audience.MEMBERS,
    )
    wall_open = models.BooleanField(_("others can write on my wall"), default=True)
    message_audience = models.CharField(
        _("who can message me"),
        max_length=8,
        choices=Audience.choices,
        default=Audience.MEMBERS,
    )
    # Chat: whether others see this person in a room's "here" list, and how
    # far they have read. Their own unread counts and notices are unaffected.
    show_presence = models.BooleanField(
        _("show others when I'm in a chat"), default=True
    )
    share_read_receipts = models.BooleanField(
        _("show others when I've read their messages"), default=True
    )
    # Notices: the bell in the page is always on; email and push are opt-in.
    email_notifications = models.CharField(
        _("email me about notifications"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.OFF,
    )
    web_push = models.BooleanField(_("send notifications to this phone"), default=False)
    # Emails and lock screens can be seen by others: unless the member asks,
    # they say only that something is new, not who or in which community.
    notice_details = models.BooleanField(
        _("say who and which community in emails and phone notices"), default=False
    )
    # Easy read (docs/decisions/0030-easy-read.md): larger text and targets,
    # plain words, pictures and "read this to me". A pathway may turn it on
    # when someone joins (Pathway.easy_read_by_default) until the member has
    # chosen for themselves: `easy_read_chosen` remembers that they have, so
    # joining another such pathway never overrides their choice.
    easy_read = models.BooleanField(_("easy read"), default=False, db_default=False)
    easy_read_chosen = models.BooleanField(
        default=False, db_default=False, editable=False
    )

    def __str__(self) -> str:
        return self.display_name or f"user {self.pk}"

    def save(self, *args, **kwargs):
        self.display_name_skeleton = skeleton(self.display_name)[:255]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "display_name_skeleton"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        # Wagtail shows this name in its admin (page owners, revisions): keep it
        # pseudonymous there too.
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def age_on(self, day: date) -> int | None:
        if not self.date_of_birth:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


URGENT_ACKNOWLEDGE_MINUTES = 5


class RulePack(models.TextChoices):
    EATING_DISORDERS = "eating_disorders", _("Eating disorders: no numbers")


# Pathway.pages is home.PathwayPage's relation; Wagtail ships no types (above).
class Pathway(models.Model):  # type: ignore[django-manager-missing]
    """A closed community for one care pathway, with its own safety settings."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    premoderation_threshold = models.PositiveSmallIntegerField(
        _("approved posts before a member is trusted"),
        default=3,
        help_text=_(
            "A new member's posts are held for approval until this many are approved."
        ),
    )
    rule_packs = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Rule packs applied to every post, e.g. eating_disorders."),
    )
    watched_words = models.TextField(
        _("watched words"),
        blank=True,
        help_text=_(
            "Words or phrases this community asks members not to use, one a line. "
            "The author is asked to rewrite; nothing is changed silently."
        ),
    )
    minimum_age = models.PositiveSmallIntegerField(
        default=16, validators=[MaxValueValidator(99)]
    )
    direct_messages_allowed = models.BooleanField(default=True)
    allow_join_requests = models.BooleanField(
        _("people may ask to join"),
        default=False,
        help_text=_(
            "If on, people without an invitation may ask to join and a clinician "
            "approves them."
        ),
    )
    support_chat_opens = models.TimeField(null=True, blank=True)
    support_chat_closes = models.TimeField(null=True, blank=True)
    reports_to_hide = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)]
    )
    alert_acknowledge_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1)]
    )
    # Blank in a form means "as before" (or the default): forms that predate
    # the setting leave it out and must not fail for it.
    urgent_acknowledge_minutes = models.PositiveSmallIntegerField(
        _("minutes to acknowledge an urgent alert"),
        default=URGENT_ACKNOWLEDGE_MINUTES,
        db_default=URGENT_ACKNOWLEDGE_MINUTES,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "A plan, a means or an act in progress: everyone on duty is told at "
            "once, and if no one acknowledges in this many minutes it escalates."
        ),
    )
    out_of_hours_email = models.EmailField(
        _("out-of-hours crisis team email"),
        blank=True,
        db_default="",
        help_text=_(
            "When an urgent alert comes and no one is on the rota, Harbour emails "
            "this address (the trust's crisis team) as well as the service leads. "
            "The email never includes what the member wrote."
        ),
    )
    out_of_hours_phone = models.CharField(
        _("out-of-hours crisis team phone"),
        max_length=40,
        blank=True,
        db_default="",
        help_text=_("Shown to staff on urgent alerts, to call the crisis team."),
    )
    hold_all_when_unstaffed = models.BooleanField(
        _("hold every post when no one is on duty"),
        default=False,
        help_text=_(
            "Out of hours, when the rota is empty, hold all members' posts for a "
            "moderator (for high-risk communities). New members' posts are always "
            "held, and crisis contacts are always shown."
        ),
    )
    easy_read_by_default = models.BooleanField(
        _("easy read for new members"),
        default=False,
        db_default=False,
        help_text=_(
            "Members and carers who join get easy read (bigger text, plain words, "
            "pictures, read aloud) unless they have chosen for themselves. Each "
            "person can turn it off."
        ),
    )
    collection = models.ForeignKey(
        "wagtailcore.Collection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("Where the pathway's documents and media live."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def watched_words_list(self) -> list[str]:
        return [
            line.strip() for line in self.watched_words.splitlines() if line.strip()
        ]

    def clean(self) -> None:
        if self.urgent_acknowledge_minutes is None:
            self.urgent_acknowledge_minutes = URGENT_ACKNOWLEDGE_MINUTES
        unknown = set(self.rule_packs or []) - set(RulePack.values)
        if unknown:
            raise ValidationError(
                {"rule_packs": _("Unknown rule pack: %s") % ", ".join(sorted(unknown))}
            )


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    CARER = "carer", _("Relative or carer")
    PEER = "peer", _("Peer supporter")
    CLINICIAN = "clinician", _("Clinician")
    LEAD = "lead", _("Service lead")


STAFF_ROLES = frozenset({Role.PEER, Role.CLINICIAN, Role.LEAD})
# Who an urgent alert reaches first among those on duty: clinicians can act on
# a plan or an act in progress, then leads, then peer supporters.
URGENT_ROLE_ORDER = (Role.CLINICIAN, Role.LEAD, Role.PEER)


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class MembershipQuerySet(models.QuerySet):
    """Memberships as they are asked for everywhere."""

    def active(self) -> "MembershipQuerySet":
        return self.filter(status=MembershipStatus.ACTIVE)

    def active_staff(self) -> "MembershipQuerySet":
        """Active memberships as a peer supporter, clinician or lead."""
        return self.filter(status=MembershipStatus.ACTIVE, role__in=STAFF_ROLES)


class Membership(models.Model):
    """One person's role in one pathway. Its Django groups follow it
    (community.signals keeps them in step)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    joined_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_posts = models.PositiveIntegerField(
        default=0, help_text=_("Posts a moderator approved; enough makes trusted.")
    )
    muted_until = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pathway"], name="one_membership_per_pathway"
            )
        ]
        indexes = [models.Index(fields=["pathway", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.pathway} as {self.get_role_display()}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_trusted(self) -> bool:
        """Staff, or a member with enough approved posts to skip pre-moderation."""
        return (
            self.is_staff_role
            or self.approved_posts >= self.pathway.premoderation_threshold
        )

    def is_muted(self, now=None) -> bool:
        return bool(self.muted_until and self.muted_until > (now or timezone.now()))


class PathwayGroup(models.Model):
    """The Django group that holds a pathway's people in one role. Wagtail page
    permissions and view restrictions are granted to these groups."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="groups"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="pathway_group"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "role"], name="one_group_per_role"
            )
        ]

    def __str__(self) -> str:
        return self.group.name


def new_invitation_code() -> str:
    # 10 characters from an alphabet without look-alikes (0/O, 1/I/L): easy to
    # read out over the phone, 31**10 possibilities so it cannot be guessed.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Invitation(models.Model):
    """A single-use code a care team gives to someone to join a pathway."""

    code = models.CharField(max_length=16, unique=True, default=new_invitation_code)
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    note = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("For the care team only, e.g. a waiting-list reference."),
    )
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} ({self.pathway})"

    STATE_LABELS = {
        "open": _("Open"),
        "used": _("Used"),
        "revoked": _("Withdrawn"),
        "expired": _("Expired"),
    }

    @property
    def state_label(self) -> "StrOrPromise":
        return self.STATE_LABELS[self.state]

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class JoinRequest(models.Model):
    """Someone asking to join a pathway that allows requests; a clinician decides."""

    class Decision(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(blank=True, max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.WAITING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pathway"],
                condition=models.Q(decision="waiting"),
                name="one_waiting_request_per_pathway",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.pathway}"


@register_snippet
class CrisisContact(TranslatableMixin, models.Model):
    """Where to turn right now. National ones have no pathway; a pathway adds
    its own (its crisis team, its out-of-hours line)."""

    pathway = models.ForeignKey(
        Pathway,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crisis_contacts",
        help_text=_("Leave empty for a national contact shown everywhere."),
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=255, blank=True)
    url = models.URLField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_href(self) -> str:
        return "tel:" + re.sub(r"[^\d+]", "", self.phone)


class AuditEvent(models.Model):
    """One row per staff or moderation action: who, what, when, why.

    It names objects by type and id and never copies what a member wrote.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
