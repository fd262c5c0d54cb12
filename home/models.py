"""Wagtail page types. A pathway's pages live under its PathwayPage, which is
private to the pathway (home.wagtail_hooks asks the access layer on every serve)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from community import permissions
from community.models import Pathway
from community.moderation import on_duty_shifts
from community.queries import crisis_contacts

from .blocks import PageBodyBlock


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
            permissions.Capability.MODERATE in permissions.ROLE_CAPABILITIES[m.role]
            for m in memberships
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
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("pathway landing page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        membership = permissions.membership_in(request.user, self.pathway)
        context["membership"] = membership
        context["capabilities"] = (
            permissions.ROLE_CAPABILITIES[membership.role]
            if membership
            else frozenset()
        )
        context["crisis_contacts"] = crisis_contacts([self.pathway])
        context["on_duty"] = on_duty_shifts(self.pathway)
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
