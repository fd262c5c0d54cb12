"""Reads for pages, given a pathway the access layer has already granted."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from .models import CrisisContact, Invitation, JoinRequest, Pathway, User
from .permissions import visible_pathways


def landing_url(pathway: Pathway) -> str:
    """The URL of the pathway's landing page (home if it has none yet)."""
    from home.models import PathwayPage

    page = PathwayPage.objects.live().filter(pathway=pathway).order_by("pk").first()
    return page.url if page else "/"


def invitation_path(code: str) -> str:
    return reverse("community:join_invitation", kwargs={"code": code})


def recent_invitations(pathway: Pathway, limit: int = 20) -> list[Invitation]:
    return list(
        Invitation.objects.filter(pathway=pathway)
        .select_related("created_by", "used_by")
        .order_by("-created_at")[:limit]
    )


def batch_invitations(pathway: Pathway, batch) -> list[Invitation]:
    return list(Invitation.objects.filter(pathway=pathway, batch=batch).order_by("pk"))


def waiting_join_requests(pathway: Pathway) -> list[JoinRequest]:
    return list(
        JoinRequest.objects.filter(
            pathway=pathway, decision=JoinRequest.Decision.WAITING
        )
        .select_related("user")
        .order_by("created_at")
    )


def crisis_contacts(pathways=None) -> list[CrisisContact]:
    """National contacts, plus those of `pathways`: each in the active language
    where a translation exists, in the default language otherwise. One query."""
    query = Q(pathway__isnull=True)
    if pathways is not None:
        query |= Q(pathway__in=pathways)
    default, active = Locale.get_default(), Locale.get_active()
    rows = CrisisContact.objects.filter(query, locale__in={default, active})
    chosen: dict = {}
    for contact in rows:
        if contact.translation_key not in chosen or contact.locale_id == active.pk:
            chosen[contact.translation_key] = contact
    return sorted(
        chosen.values(), key=lambda c: (c.pathway_id is None, c.sort_order, c.name)
    )


def help_contacts(user: User) -> dict:
    pathways = list(visible_pathways(user).order_by("name"))
    contacts = crisis_contacts(pathways)
    return {
        "pathway_contacts": [c for c in contacts if c.pathway_id],
        "national_contacts": [c for c in contacts if not c.pathway_id],
        "now": timezone.now(),
    }
