"""The audit log: one row for every staff action and every change of state a
trust may be asked about. Every wing writes through `audit`; nothing here
imports a wing."""

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
