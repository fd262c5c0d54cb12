"""The audit log: one row for every staff action and every change of state a
trust may be asked about. Every wing writes through `audit`; nothing here
imports a wing."""

from datetime import datetime

from django.db.models import Model

from community.models import AuditEvent, Pathway, User


def audit(
    actor: User | None,
    action: str,
    *,
    pathway: Pathway | None = None,
    target: Model | None = None,
    reason: str = "",
    **data: object,
) -> AuditEvent:
    """Write one audit row. Never pass member-written text in `data`."""
    return AuditEvent.objects.create(
        actor=actor,
        pathway=pathway,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        reason=reason[:500],
        data=data,
    )


def purge_audit_rows(before: datetime) -> int:
    """Delete the audit rows written before `before` (retention: settings.
    HARBOUR_RETENTION_DAYS["audit"]) and write one "retention.purged" row
    with how many went. Returns that count.

    A minimal version for the data-rights branch: the append-only audit
    (a PostgreSQL trigger refusing UPDATE and DELETE outside a retention
    window) replaces it with the same signature."""
    count, _ = AuditEvent.objects.filter(created_at__lt=before).delete()
    audit(None, "retention.purged", kind="audit", count=count)
    return count
