"""Reads for pages, given a pathway the access layer has already granted."""

from collections.abc import Mapping

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from community.models import (
    AlertState,
    Block,
    CaseState,
    ContentStatus,
    CrisisContact,
    Forum,
    Invitation,
    JoinRequest,
    Membership,
    ModerationCase,
    Mute,
    Pathway,
    Reaction,
    ReactionKind,
    Reply,
    RiskAlert,
    Sanction,
    Topic,
    TopicFollow,
    User,
)
from community.permissions import visible_content, visible_pathways
from community.safety.registry import kind_of


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


# Moderation ----------------------------------------------------------------------


def open_queue(pathway):
    """The pathway's open alerts and cases, oldest first, with what a
    moderator needs to decide (content, reports, the author's strikes)."""
    alerts = list(
        RiskAlert.objects.filter(pathway=pathway)
        .exclude(state=AlertState.RESOLVED)
        .select_related("author", "notified", "acknowledged_by")
        .order_by("created_at")
    )
    cases = list(
        ModerationCase.objects.filter(pathway=pathway, state=CaseState.OPEN)
        .select_related("author")
        .prefetch_related("content", "reports")
        .order_by("opened_at")
    )
    strikes = dict(
        Sanction.objects.filter(membership__pathway=pathway)
        .values_list("membership__user")
        .annotate(n=Count("pk"))
    )
    for case in cases:
        case.kind = kind_of(case.content) if case.content is not None else None
        case.strikes = strikes.get(case.author_id, 0)
        if case.kind is not None:
            case.excerpt = case.kind.text(case.content)[:300]
    return alerts, [case for case in cases if case.kind is not None]


def moderation_counts(memberships):
    """(pathway, open alerts, open cases) for each membership, in two queries."""
    pathways = [m.pathway for m in memberships]
    alerts = dict(
        RiskAlert.objects.filter(pathway__in=pathways)
        .exclude(state=AlertState.RESOLVED)
        .values_list("pathway")
        .annotate(n=Count("pk"))
    )
    cases = dict(
        ModerationCase.objects.filter(pathway__in=pathways, state=CaseState.OPEN)
        .values_list("pathway")
        .annotate(n=Count("pk"))
    )
    return [(p, alerts.get(p.pk, 0), cases.get(p.pk, 0)) for p in pathways]


def strikes_against(pathway: Pathway, user: User):
    """The sanctions against `user` in `pathway`, newest first."""
    return Sanction.objects.filter(
        membership__pathway=pathway, membership__user=user
    ).order_by("-created_at")


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


def forums_of(pathway: Pathway):
    return Forum.objects.filter(pathway=pathway)


def topics_in(reader: User, forum):
    """The forum's topics the reader may see, pinned first then newest
    activity."""
    return (
        visible_content(reader, Topic.objects.filter(forum=forum), forum.pathway)
        .select_related("author")
        .order_by("-pinned", "-last_activity_at", "-pk")
    )


def reply_counts(topics) -> dict[int, int]:
    """Published replies of each of `topics` (one page of them), in one query.
    Counted per page, not annotated on the whole forum: a count over every
    topic before paging made a big forum's page slow (bench/pages.py)."""
    return dict(
        Reply.objects.filter(
            topic__in=[t.pk for t in topics], status=ContentStatus.PUBLISHED
        )
        .values_list("topic")
        .annotate(n=Count("pk"))
    )


def unanswered_topics(reader: User, pathway: Pathway):
    """Topics in `pathway` the reader may see that nobody but their author has
    replied to yet, longest waiting first (for peer supporters)."""
    answered = Reply.objects.filter(
        topic=OuterRef("pk"), status=ContentStatus.PUBLISHED
    ).exclude(author=OuterRef("author"))
    return (
        visible_content(reader, Topic.objects.filter(locked=False), pathway)
        .filter(status=ContentStatus.PUBLISHED)
        .exclude(Exists(answered))
        .select_related("author", "forum")
        .order_by("created_at", "pk")
    )


def reactions_to(reader: User, kind_name: str, objects) -> dict[int, list[dict]]:
    """For each object id: every reaction kind with its count and whether the
    reader gave it, in one query whatever the number of objects."""
    ids = [obj.pk for obj in objects]
    rows = (
        Reaction.objects.filter(content_kind=kind_name, object_id__in=ids)
        .values("object_id", "reaction")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user=reader)))
    )
    found: dict[tuple[int, str], Mapping[str, object]] = {
        (r["object_id"], r["reaction"]): r for r in rows
    }
    return {
        pk: [
            {
                "value": value,
                "label": label,
                "count": found.get((pk, value), {}).get("n", 0),
                "mine": bool(found.get((pk, value), {}).get("mine", 0)),
            }
            for value, label in ReactionKind.choices
        ]
        for pk in ids
    }


def follows_topic(user: User, topic) -> bool:
    return TopicFollow.objects.filter(topic=topic, user=user).exists()


def replies_to(reader: User, topic):
    """The topic's replies the reader may see, oldest first."""
    return visible_content(
        reader, Reply.objects.filter(topic=topic), topic.pathway
    ).select_related("author")
