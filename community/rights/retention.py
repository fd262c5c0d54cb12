"""How long each kind of data is kept, applied daily by the worker and by
`manage.py retention [--dry-run]`. The periods are
settings.HARBOUR_RETENTION_DAYS; where each number comes from is
docs/decisions/0023-data-rights.md.

What a risk alert was raised on is never removed here: the alert, its case
and the words are the trust's clinical record, kept under its own records
policy (not a period in this dict)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from community.audit import audit, purge_audit_rows
from community.models import AuditEvent, ContentRevision, ContentStatus
from community.moderation.models import ModerationCase, RiskAlert, SafetyLabel
from community.notifications.models import Notification
from community.rights.actions import retention_days
from community.rights.models import DataExport, ExportState
from community.safety.registry import ContentKind, registered_kinds

KINDS = (
    "notifications",
    "chat_messages",
    "held_posts",
    "removed_posts",
    "exports",
    "safety_labels",
    "audit",
)
REMOVED = (ContentStatus.HIDDEN, ContentStatus.HIDDEN_BY_REPORTS)


def _cutoff(kind: str, now: datetime) -> datetime:
    return now - timedelta(days=retention_days(kind))


def _not_alerted(kind: ContentKind, rows: QuerySet) -> QuerySet:
    content_type = ContentType.objects.get_for_model(kind.model)
    alerted = RiskAlert.objects.filter(
        case__content_type=content_type, case__object_id=OuterRef("pk")
    )
    return rows.exclude(Exists(alerted))


def _content(kinds: list[ContentKind], now: datetime, period: str, **where: Any):
    """Rows of `kinds` older than `period`'s cutoff matching `where`, with
    no risk alert, per kind."""
    date_field = {"comment": "submit_date"}
    for kind in kinds:
        model: Any = kind.model
        field = date_field.get(kind.name, "created_at")
        rows = model.objects.filter(**{f"{field}__lt": _cutoff(period, now)}, **where)
        yield kind, _not_alerted(kind, rows)


def _delete_content(pairs) -> int:
    """Delete the rows and what hangs off them by id: their moderation cases
    (no alert by construction) and earlier texts."""
    total = 0
    for kind, rows in pairs:
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            continue
        content_type = ContentType.objects.get_for_model(kind.model)
        ModerationCase.objects.filter(
            content_type=content_type, object_id__in=ids
        ).delete()
        ContentRevision.objects.filter(
            content_kind=kind.name, object_id__in=ids
        ).delete()
        kind.model.objects.filter(pk__in=ids).delete()
        total += len(ids)
    return total


def _count_content(pairs) -> int:
    return sum(rows.count() for _, rows in pairs)


def _chat(now: datetime) -> list:
    return list(
        _content(
            [k for k in registered_kinds() if k.name == "chat"], now, "chat_messages"
        )
    )


def _held(now: datetime) -> list:
    return list(
        _content(registered_kinds(), now, "held_posts", status=ContentStatus.HELD)
    )


def _removed(now: datetime) -> list:
    return list(_content(registered_kinds(), now, "removed_posts", status__in=REMOVED))


def _exports(now: datetime) -> QuerySet[DataExport]:
    expired = DataExport.objects.filter(expires_at__lt=now)
    stale = DataExport.objects.filter(
        state__in=(ExportState.FAILED, ExportState.PENDING),
        requested_at__lt=_cutoff("exports", now),
    )
    return expired | stale


def _delete_exports(rows: QuerySet[DataExport]) -> int:
    count = 0
    for export in rows:
        name, storage = export.file.name, export.file.storage
        export.delete()
        if name:
            transaction.on_commit(partial(storage.delete, name), robust=True)
        count += 1
    return count


# Per kind: (how many would go, make them go).
STEPS: dict[str, tuple[Callable[[datetime], int], Callable[[datetime], int]]] = {
    "notifications": (
        lambda now: Notification.objects.filter(
            created_at__lt=_cutoff("notifications", now)
        ).count(),
        lambda now: (
            Notification.objects.filter(created_at__lt=_cutoff("notifications", now))
            .delete()[1]
            .get("community.Notification", 0)
        ),
    ),
    "chat_messages": (
        lambda now: _count_content(_chat(now)),
        lambda now: _delete_content(_chat(now)),
    ),
    "held_posts": (
        lambda now: _count_content(_held(now)),
        lambda now: _delete_content(_held(now)),
    ),
    "removed_posts": (
        lambda now: _count_content(_removed(now)),
        lambda now: _delete_content(_removed(now)),
    ),
    "exports": (
        lambda now: _exports(now).count(),
        lambda now: _delete_exports(_exports(now)),
    ),
    "safety_labels": (
        lambda now: SafetyLabel.objects.filter(
            decided_at__lt=_cutoff("safety_labels", now)
        ).count(),
        lambda now: SafetyLabel.objects.filter(
            decided_at__lt=_cutoff("safety_labels", now)
        ).delete()[0],
    ),
    "audit": (
        lambda now: AuditEvent.objects.filter(
            created_at__lt=_cutoff("audit", now)
        ).count(),
        lambda now: purge_audit_rows(_cutoff("audit", now)),
    ),
}


def apply_retention(
    *, dry_run: bool = False, now: datetime | None = None
) -> dict[str, int]:
    """For each kind, remove what is older than its period (or, with
    `dry_run`, only count it). Each kind commits on its own, so one that
    fails leaves the others done. Audited per kind that removed anything
    ("retention.applied", counts only); the audit's own purge audits
    itself. Returns the count per kind."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for kind in KINDS:
        count_step, delete_step = STEPS[kind]
        if dry_run:
            counts[kind] = count_step(now)
            continue
        with transaction.atomic():
            counts[kind] = delete_step(now)
            if counts[kind] and kind != "audit":
                audit(None, "retention.applied", kind=kind, count=counts[kind])
    return counts


def run_daily_retention_if_due(now: datetime | None = None) -> dict[str, int] | None:
    """The worker's daily step: apply retention once a local day (a cache
    key per date, shared by every worker through Redis in production); None
    when already done today. Where the cache forgets, it runs again, which
    is harmless: what went is gone."""
    now = now or timezone.now()
    key = f"rights:retention:{timezone.localtime(now).date().isoformat()}"
    if not cache.add(key, now.isoformat(), timeout=2 * 24 * 60 * 60):
        return None
    try:
        return apply_retention(now=now)
    except Exception:
        cache.delete(key)  # let the next pass try again
        raise
