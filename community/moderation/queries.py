"""Reads for the moderation pages, given a pathway the access layer has
already granted: the open queue, counts for the staff header, strikes."""

from django.db.models import Count

from community.models import Pathway, User
from community.moderation.models import (
    AlertState,
    CaseState,
    ModerationCase,
    RiskAlert,
    Sanction,
)
from community.safety.registry import kind_of


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
