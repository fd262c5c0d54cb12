"""What members do together besides forums: reactions, walls, presents and
profile text. Wall messages, presents and profile text are MemberContent, so
the safety pipeline, reports and the moderation queue work for them as for
forum posts. Who may see what is decided in permissions.py here on the core's
access layer; how it changes, in actions.py."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from community.forums.models import SEARCH_FILTERS
from community.models import MemberContent, Pathway, User


class ReactionKind(models.TextChoices):
    """Supportive reactions only: counts, never a downvote."""

    HUG = "hug", _("Hug")
    THANKS = "thanks", _("Thank you")
    ME_TOO = "me_too", _("Me too")


class Reaction(models.Model):
    """One member's reaction to one piece of content, named by its registered
    kind (community.safety.registry) and id."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    content_kind = models.CharField(max_length=24)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reaction = models.CharField(max_length=16, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_kind", "object_id", "user", "reaction"],
                name="one_reaction_of_a_kind_per_member",
            )
        ]
        indexes = [models.Index(fields=["content_kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.reaction} on {self.content_kind} {self.object_id}"


class WallPost(index.Indexed, MemberContent):
    """A message on a member's wall, written in one pathway the writer and the
    owner share and seen only by that pathway's members. `parent` makes it a
    reply under another wall message. A `milestone` is one the owner shares on
    their own wall ("three months since my last admission")."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wall")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    milestone = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The wall's owner may take a message off their wall; it stays for
    # moderators (and the record) but nobody else sees it.
    removed_by_owner_at = models.DateTimeField(null=True, blank=True)

    search_fields = [
        index.SearchField("body"),
        *SEARCH_FILTERS,
        index.FilterField("removed_by_owner_at"),
    ]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status", "created_at"]),
            models.Index(fields=["pathway", "status", "created_at"]),
        ]


class PresentIcon(models.TextChoices):
    TEA = "tea", _("A cup of tea")
    FLOWER = "flower", _("A flower")
    STAR = "star", _("A star")
    SUN = "sun", _("Some sunshine")
    HEART = "heart", _("A heart")
    RAINBOW = "rainbow", _("A rainbow")


class Gift(models.Model):
    """A present in the catalogue (a Wagtail snippet kept by editors). No
    monetary value and no links: an icon or image and a name."""

    name = models.CharField(_("name"), max_length=60)
    icon = models.CharField(
        _("icon"), max_length=16, choices=PresentIcon.choices, default="star"
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Optional: a picture shown instead of the icon."),
    )
    pathways = models.ManyToManyField(
        Pathway,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to offer it in every pathway."),
    )
    live = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("present")

    def __str__(self) -> str:
        return self.name


class Present(MemberContent):
    """A present sent with a short note (`body`, through the safety pipeline)
    from `author` to `recipient`, in a pathway they share. Shown on the
    recipient's wall and the pathway's timeline."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="presents"
    )
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "status", "created_at"]),
            models.Index(fields=["author", "created_at"]),
            models.Index(fields=["pathway", "status", "created_at"]),
        ]


class ProfileText(MemberContent):
    """A member's short bio as seen in one pathway. Written once by the member
    and stored per active pathway, so each pathway's rules and moderators
    apply, and nobody outside a pathway sees what its moderators held."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "pathway"], name="one_bio_per_pathway"
            )
        ]
