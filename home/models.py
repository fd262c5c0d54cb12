"""Wagtail page types. A pathway's pages live under its PathwayPage, which is
private to the pathway (home.wagtail_hooks asks the access layer on every serve)."""

import math

from django.db import models
from django.http import HttpResponse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtailmedia.models import AbstractMedia

from community import permissions
from community.models import Pathway
from community.moderation.alerts import open_alerts_for
from community.moderation.rota import on_duty_shifts
from community.queries import crisis_contacts

from .blocks import PageBodyBlock
from .comments import comments_for
from .page_comments import PageComment  # noqa: F401 - a model of this app


class HomePage(Page):
    """The site's front door: what Harbour is to visitors, and the signed-in
    person's own communities."""

    introduction = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    subpage_types = ["home.PathwayPage"]
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        memberships = list(permissions.active_memberships(request.user))
        landing_pages = {
            page.pathway_id: page
            for page in PathwayPage.objects.live()
            .filter(pathway__in=[m.pathway for m in memberships])
            .filter(locale=self.locale)
        }
        context["my_pathways"] = [
            (m, landing_pages.get(m.pathway_id)) for m in memberships
        ]
        context["moderates"] = any(
            permissions.Capability.MODERATE in permissions.capabilities_of(m)
            for m in memberships
        )
        # Staff see the open risk alerts of their own pathways before anything.
        context["open_alerts"] = (
            open_alerts_for(request.user) if context["moderates"] else []
        )
        return context


class PathwayPage(Page):
    """The landing page of one pathway, edited by its service lead."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="pages")
    introduction = models.TextField(blank=True)
    body = StreamField(PageBodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("body"),
    ]
    settings_panels = Page.settings_panels + [FieldPanel("pathway")]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.BlogIndexPage", "home.VideoIndexPage", "home.ResourcePage"]

    class Meta:
        verbose_name = _("pathway landing page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        membership = permissions.membership_in(request.user, self.pathway)
        context["membership"] = membership
        context["capabilities"] = permissions.capabilities_of(membership)
        # Lazy: the template keeps the drawn contacts as a shared fragment
        # (cms/fragments.py), so most requests never ask for them.
        context["crisis_contacts"] = SimpleLazyObject(
            lambda: crisis_contacts([self.pathway])
        )
        context["on_duty"] = on_duty_shifts(self.pathway)
        context["latest_posts"] = (
            BlogPage.objects.live()
            .descendant_of(self)
            .select_related("owner")
            .order_by("-first_published_at")[:3]
        )
        context["blog_indexes"] = BlogIndexPage.objects.live().child_of(self)
        context["video_indexes"] = VideoIndexPage.objects.live().child_of(self)
        context["resources"] = (
            ResourcePage.objects.live().child_of(self).order_by("title")
        )
        return context


WORDS_PER_MINUTE = 200


class ContentWarningMixin(models.Model):
    """A page an author can mark with a content warning: its body stays folded
    until the reader opens it (or as the reader chose in their settings)."""

    content_warning = models.CharField(
        _("content warning"),
        max_length=120,
        blank=True,
        help_text=_(
            "For example “mentions self-harm”. The body is folded until "
            "the reader chooses to open it."
        ),
    )

    class Meta:
        abstract = True

    def warning_open(self, user) -> bool:
        """Whether to show the body unfolded for this reader."""
        return not self.content_warning or (
            user.is_authenticated and user.content_warnings == "expand"
        )


class CommentableMixin:
    """A page members of its pathway comment on (blog posts, videos)."""

    @cached_property
    def pathway_for_comments(self):
        return pathway_of(self)

    def serve(self, request, *args, **kwargs):
        if request.method == "POST" and "comment" in request.POST:
            # Not at the top: home.forms imports Wagtail's document forms,
            # which read models while this module is still loading.
            from .forms import comment_on

            result = comment_on(self, request)
            if isinstance(result, HttpResponse):
                return result
            request.comment_form = result
        return super().serve(request, *args, **kwargs)

    def comment_context(self, request) -> dict:
        from .forms import CommentForm  # see serve

        return {
            "pathway": self.pathway_for_comments,
            "comments": comments_for(request.user, self),
            "comment_form": getattr(request, "comment_form", None) or CommentForm(),
        }


class BlogIndexPage(Page):
    """A pathway's blog: posts by its peers and clinicians, newest first."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["home.PathwayPage"]
    subpage_types = ["home.BlogPage"]

    class Meta:
        verbose_name = _("blog index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["posts"] = (
            BlogPage.objects.live()
            .child_of(self)
            .select_related("owner")
            .prefetch_related("tags")
            .order_by("-first_published_at")
        )
        return context


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "home.BlogPage", related_name="tagged_items", on_delete=models.CASCADE
    )


# Wagtail ships no type information, so the django-stubs plugin cannot resolve
# the managers of page models (here and below).
class BlogPage(CommentableMixin, Page, ContentWarningMixin):  # type: ignore[django-manager-missing]  # noqa: DJ008
    """A blog post. Its author is shown by display name, never by real name."""

    introduction = models.TextField(blank=True)
    body = StreamField(PageBodyBlock(), blank=True, use_json_field=True)
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("content_warning"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    parent_page_types = ["home.BlogIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("blog post")

    @property
    def author_name(self) -> str:
        return self.owner.display_name if self.owner else ""

    @property
    def reading_minutes(self) -> int:
        words = len(strip_tags(str(self.body)).split()) + len(self.introduction.split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["warning_open"] = self.warning_open(request.user)
        context.update(self.comment_context(request))
        return context


class ResourcePage(Page, ContentWarningMixin):  # type: ignore[django-manager-missing]  # noqa: DJ008
    """Self-help material, with downloadable documents in its body."""

    introduction = models.TextField(blank=True)
    body = StreamField(PageBodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("content_warning"),
        FieldPanel("body"),
    ]
    parent_page_types = ["home.PathwayPage"]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("resource")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["warning_open"] = self.warning_open(request.user)
        return context


def pathway_of(page: Page) -> Pathway | None:
    """The pathway whose subtree holds `page`, or None for site-wide pages."""
    landing = (
        PathwayPage.objects.filter(path__in=_ancestor_paths(page))
        .select_related("pathway")
        .first()
    )
    return landing.pathway if landing else None


def _ancestor_paths(page: Page) -> list[str]:
    # Treebeard paths: each ancestor's path is a prefix of the page's path.
    steplen = Page.steplen
    return [page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)]


class PeerMedia(AbstractMedia):
    """An uploaded video (wagtailmedia), checked by content and size; with
    ffmpeg, its duration, size and a poster frame are read on upload."""

    admin_form_fields = (
        "title",
        "file",
        "collection",
        "thumbnail",
        "tags",
    )

    class Meta(AbstractMedia.Meta):
        verbose_name = _("video file")

    def clean(self, *args, **kwargs):
        from django.core.exceptions import ValidationError

        from . import media

        super().clean(*args, **kwargs)
        errors = {}
        if self.file:
            try:
                media.check_video_upload(self.file)
            except ValidationError as error:
                errors["file"] = error.messages
        if self.thumbnail:
            try:
                media.check_poster_upload(self.thumbnail)
            except ValidationError as error:
                errors["thumbnail"] = error.messages
        if errors:
            raise ValidationError(errors)
        self.type = "video"

    def save(self, *args, **kwargs):
        if self.file and (not self.duration or not self.thumbnail):
            self.read_video_facts()
        super().save(*args, **kwargs)

    def read_video_facts(self) -> None:
        """Duration, size and (when missing) a poster frame, with ffmpeg."""
        from django.core.files.base import ContentFile

        from . import media

        if not self.file or not media.ffmpeg_available():
            return
        path = media.local_copy(self.file)
        try:
            facts = media.probe(path)
            if facts:
                self.duration = facts["duration"]
                self.width, self.height = facts["width"], facts["height"]
            if not self.thumbnail:
                frame = media.poster_frame(path, min(1.0, (self.duration or 0) / 2))
                if frame:
                    self.thumbnail.save("poster.jpg", ContentFile(frame), save=False)
        finally:
            path.unlink(missing_ok=True)

    @property
    def content_type(self) -> str:
        return "video/webm" if self.file.name.endswith(".webm") else "video/mp4"


class VideoIndexPage(Page):
    """A pathway's videos from peers, newest first."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["home.PathwayPage"]
    subpage_types = ["home.VideoPage"]

    class Meta:
        verbose_name = _("video index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["videos"] = (
            VideoPage.objects.live()
            .child_of(self)
            .select_related("owner", "video")
            .order_by("-first_published_at")
        )
        return context


class VideoPage(CommentableMixin, Page, ContentWarningMixin):  # type: ignore[django-manager-missing]  # noqa: DJ008
    """A peer's video with captions (WebVTT) and a transcript below it."""

    introduction = models.TextField(blank=True)
    video = models.ForeignKey(
        "home.PeerMedia",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    captions = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A WebVTT (.vtt) captions file."),
    )
    captions_on = models.BooleanField(
        _("captions on by default"),
        default=True,
    )
    transcript = RichTextField(blank=True, features=["bold", "italic"])

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("content_warning"),
        FieldPanel("video"),
        FieldPanel("captions"),
        FieldPanel("captions_on"),
        FieldPanel("transcript"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("transcript"),
    ]
    parent_page_types = ["home.VideoIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("video page")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.captions and self.captions.file_extension.lower() != "vtt":
            raise ValidationError(
                {"captions": _("Captions must be a WebVTT file ending in .vtt.")}
            )

    @property
    def author_name(self) -> str:
        return self.owner.display_name if self.owner else ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["warning_open"] = self.warning_open(request.user)
        context.update(self.comment_context(request))
        return context
