"""The duty rota: who is on duty in a pathway now, in what order an urgent
alert reaches them, and the lead's shifts.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import InvalidInput
from community.audit import audit
from community.models import (
    STAFF_ROLES,
    URGENT_ROLE_ORDER,
    Membership,
    MembershipStatus,
    Pathway,
    Role,
    User,
)
from community.moderation.models import DutyShift


def _shifts_now(pathway: Pathway, now: datetime | None) -> QuerySet[DutyShift]:
    """Shifts of `pathway` covering `now` held by its active staff."""
    now = now or timezone.now()
    return DutyShift.objects.filter(
        pathway=pathway, starts_at__lte=now, ends_at__gt=now
    ).filter(
        user__memberships__pathway=pathway,
        user__memberships__status=MembershipStatus.ACTIVE,
        user__memberships__role__in=STAFF_ROLES,
    )


def on_duty_shifts(pathway: Pathway, now: datetime | None = None) -> list[DutyShift]:
    """Shifts covering `now`, first to be alerted first, one per person, each
    with its holder's `role` in the pathway."""
    role = Membership.objects.filter(user=OuterRef("user"), pathway=pathway).values(
        "role"
    )[:1]
    shifts = (
        _shifts_now(pathway, now)
        .select_related("user")
        .annotate(role=Subquery(role))
        .order_by("position", "starts_at", "pk")
    )
    seen: set[int] = set()
    result: list[DutyShift] = []
    for shift in shifts:
        if shift.user_id not in seen:
            seen.add(shift.user_id)
            result.append(shift)
    return result


def urgent_order(shifts: list[DutyShift]) -> list[DutyShift]:
    """`shifts` (from `on_duty_shifts`) in the order an urgent alert walks
    them: clinicians, then leads, then peer supporters, each by rota
    position."""

    def rank(shift: DutyShift) -> int:
        role = getattr(shift, "role", None)
        return (
            URGENT_ROLE_ORDER.index(role)
            if role in URGENT_ROLE_ORDER
            else len(URGENT_ROLE_ORDER)
        )

    return sorted(shifts, key=rank)  # stable: rota order within a role


def anyone_on_duty(pathway: Pathway, now: datetime | None = None) -> bool:
    """Whether anyone is on `pathway`'s rota now (`on_duty_shifts` is who)."""
    return _shifts_now(pathway, now).exists()


def service_leads(pathway: Pathway) -> list[User]:
    return list(
        User.objects.filter(
            memberships__pathway=pathway,
            memberships__role=Role.LEAD,
            memberships__status=MembershipStatus.ACTIVE,
        )
    )


def check_shift(
    membership: Membership, user_id: int, starts_at: datetime, ends_at: datetime
) -> User:
    """The staff member to put on the lead's pathway rota; InvalidInput if not
    staff there or the times are the wrong way round."""
    staff: User | None = (
        User.objects.staff_of(membership.pathway).filter(pk=user_id).first()
    )
    if staff is None:
        raise InvalidInput(
            _("Choose a peer supporter, clinician or lead of this community.")
        )
    if ends_at <= starts_at:
        raise InvalidInput(_("The shift must end after it starts."))
    return staff


def do_add_shift(
    membership: Membership,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    position: int = 1,
) -> DutyShift:
    """Put `user` on the rota (the caller is a lead; see check_shift)."""
    with transaction.atomic():
        shift = DutyShift.objects.create(
            pathway=membership.pathway,
            user=user,
            starts_at=starts_at,
            ends_at=ends_at,
            position=position,
            created_by=membership.user,
        )
        audit(membership.user, "rota.added", pathway=membership.pathway, target=shift)
    return shift


def do_remove_shift(membership: Membership, shift: DutyShift) -> None:
    """A lead takes `shift` off the pathway's rota. The caller holds
    `membership` from access_pathway_capability(EDIT_SETTINGS) and `shift`
    from access_shift. Audited, then deleted, in one transaction, without a
    lock; nobody is notified."""
    with transaction.atomic():
        audit(membership.user, "rota.removed", pathway=membership.pathway, target=shift)
        shift.delete()
