"""The audit log: one row for every staff action and every change of state a
trust may be asked about. Every wing writes through `audit`; nothing here
imports a wing.

Rows are append-only. On PostgreSQL a trigger (migration 0019) refuses UPDATE
and DELETE on the table unless the transaction opened the retention window
(`audit_retention_window`); retention (`purge_audit_rows`) is the one road
that uses it, and it writes a row of its own. Rows name people and objects by
id and actions by name: an erased account's User row is anonymised, never its
audit rows, so nothing a member wrote, no email and no display name may be
stored here (tests/community/test_audit.py walks every call site)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Model, QuerySet

from community.models import AuditEvent, MembershipStatus, Pathway, Role, User

# The PostgreSQL setting the append-only trigger reads (migration 0019).
RETENTION_SETTING = "harbour.audit_retention"


def audit(
    actor: User | None,
    action: str,
    *,
    pathway: Pathway | None = None,
    target: Model | None = None,
    reason: str = "",
    **data: object,
) -> AuditEvent:
    """Write one audit row. Never pass member-written text, an email or a
    display name in `data`: ids, counts, names of choices and field names."""
    return AuditEvent.objects.create(
        actor=actor,
        pathway=pathway,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        reason=reason[:500],
        data=data,
    )


@contextmanager
def audit_retention_window() -> Iterator[None]:
    """A transaction (or a savepoint of the caller's) in which the append-only
    trigger lets audit rows be deleted or changed: `SET LOCAL
    harbour.audit_retention = 'on'` on PostgreSQL, set back to 'off' when the
    block ends so the rest of an enclosing transaction is guarded again.
    Elsewhere (SQLite) there is no trigger and this is only a transaction.
    Only retention may use it."""
    with transaction.atomic():
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [RETENTION_SETTING])
        try:
            yield
        finally:
            if postgresql and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config(%s, 'off', true)", [RETENTION_SETTING]
                    )


def purge_audit_rows(before: datetime) -> int:
    """Delete the audit rows written before `before` inside the retention
    window, then write one `retention.purged` row with how many went, in one
    transaction. Returns the count. Called by the retention command."""
    with transaction.atomic():
        with audit_retention_window():
            count, _by_model = AuditEvent.objects.filter(created_at__lt=before).delete()
        audit(None, "retention.purged", count=count, before=before.isoformat())
    return count


# Reading the log ----------------------------------------------------------------


def audit_pathways_for(user: User | AnonymousUser) -> QuerySet[Pathway]:
    """The pathways whose audit rows `user` may read: every one for a site
    administrator; those they lead (an active service lead's membership) for
    anyone else; none for a signed-out person."""
    if not user.is_authenticated or not user.is_active:
        return Pathway.objects.none()
    if user.is_superuser:
        return Pathway.objects.all()
    return Pathway.objects.filter(
        memberships__user=user,
        memberships__role=Role.LEAD,
        memberships__status=MembershipStatus.ACTIVE,
    )


def can_read_audit(user: User | AnonymousUser) -> bool:
    """Site administrators and active service leads read the audit."""
    return bool(user.is_authenticated and user.is_superuser) or (
        audit_pathways_for(user).exists()
    )


def audit_rows_for(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit rows `user` may read: all of them for a site administrator;
    a service lead's own pathways' rows (not the rows that name no pathway,
    such as sign-ins and risk phrases, which are the site's); none for anyone
    else. Newest first."""
    rows = AuditEvent.objects.select_related("actor", "pathway")
    if user.is_authenticated and user.is_active and user.is_superuser:
        return rows
    return rows.filter(pathway__in=audit_pathways_for(user))
