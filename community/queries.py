"""Reads for pages, given a pathway the access layer has already granted."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from community.models import (
    Block,
    CrisisContact,
    Invitation,
    JoinRequest,
    Membership,
    Mute,
    Pathway,
    User,
)
from community.permissions import visible_pathways


def landing_url(pathway: Pathway) -> str:
    """The URL of the pathway's landing page (home if it has none yet).

    `pathway.pages` is the relation home.PathwayPage declares on the pathway, so
    the core reads its landing page without importing the page types (home
    makes the page: home.pathways)."""
    # Wagtail's PageManager has live(); the plugin, without Wagtail types, sees a
    # plain RelatedManager.
    page = pathway.pages.live().order_by("pk").first()  # type: ignore[attr-defined]
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
    rows = CrisisContact.objects.filter(
        query, locale__in={default, active}
    ).select_related("locale")  # the page marks those in another language
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


# Moderation ----------------------------------------------------------------------


def pathway_staff(pathway: Pathway):
    """The pathway's active peer supporters, clinicians and leads."""
    return User.objects.staff_of(pathway).order_by("display_name")


# People ---------------------------------------------------------------------------


def staff_roles_for(reader: User) -> dict[tuple[int, int], str]:
    """(pathway id, person id) -> role, for the active staff of every pathway
    `reader` can see, in one query: what a role badge by a name is drawn
    from (the membership, never anything the person wrote)."""
    if not reader.is_authenticated:
        return {}
    rows = (
        Membership.objects.active_staff()
        .filter(pathway__in=visible_pathways(reader))
        .values_list("pathway_id", "user_id", "role")
    )
    return {(pathway_id, user_id): role for pathway_id, user_id, role in rows}


def relation_to(viewer: User, person: User) -> dict:
    """Whether `viewer` has blocked or muted `person`."""
    return {
        "blocked": Block.objects.filter(blocker=viewer, blocked=person).exists(),
        "muted": Mute.objects.filter(muter=viewer, muted=person).exists(),
    }


def my_blocks_and_mutes(user: User) -> dict:
    return {
        "blocks": Block.objects.filter(blocker=user).select_related("blocked"),
        "mutes": Mute.objects.filter(muter=user).select_related("muted"),
    }


# Forums ---------------------------------------------------------------------------


# Languages ------------------------------------------------------------------------


def site_language(code: str | None) -> str:
    """`code` as one of the site's LANGUAGES ("cy-gb" is "cy"), or the site's
    default language when the site does not speak it (or it is empty)."""
    base = (code or "").lower().split("-")[0]
    spoken = {language for language, _name in settings.LANGUAGES}
    return base if base in spoken else settings.LANGUAGE_CODE


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The language each person last used the site in, for words Harbour sends
    them away from any request of theirs (emails, pushes): one query. Kept in
    Wagtail's user profile (`preferred_language`, which the admin follows too)
    by `community.actions.do_remember_language`; the site's default language
    for anyone never seen. Why there: docs/decisions/0033-welsh-catalogue.md."""
    ids = set(user_ids)
    found = dict(
        UserProfile.objects.filter(user_id__in=ids).values_list(
            "user_id", "preferred_language"
        )
    )
    return {pk: site_language(found.get(pk)) for pk in ids}


def language_of(user: User) -> str:
    """`languages_of` for one person."""
    return languages_of([user.pk])[user.pk]
