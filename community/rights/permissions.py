"""Who may read a copy of someone's data, and whose account a staff member
may close. Each answers "not found" alike for what is missing and what is
forbidden (STYLE.md: nothing leaks that a person or an export exists)."""

import uuid

from django.db.models import QuerySet
from django.http import Http404

from community.models import STAFF_ROLES, Membership, MembershipStatus, Role, User
from community.rights.models import DataExport


def exports_of(user: User) -> QuerySet[DataExport]:
    """`user`'s own copies of their data, newest first; none for anyone
    signed out. Nobody sees another person's."""
    if not user.is_authenticated:
        return DataExport.objects.none()
    return DataExport.objects.filter(user=user)


def access_export(user: User, export_id: object) -> DataExport:
    """`user`'s own export `export_id`; Http404 for another's, a malformed
    id, or one that is gone. Nobody else may read it: not staff, not admins."""
    try:
        key = uuid.UUID(str(export_id))
    except ValueError:
        raise Http404("No such export") from None
    found = exports_of(user).filter(pk=key).first()
    if found is None:
        raise Http404("No such export")
    return found


def closable_by(staff: User) -> QuerySet[User]:
    """The accounts `staff` may close on a member's written request: a site
    administrator, anyone's but their own; a service lead, those of members
    and carers of a pathway they lead who hold no staff role anywhere."""
    people: QuerySet[User] = User.objects.filter(is_active=True).exclude(pk=staff.pk)
    if staff.is_superuser:
        return people
    led = Membership.objects.filter(
        user=staff, role=Role.LEAD, status=MembershipStatus.ACTIVE
    ).values("pathway")
    staff_anywhere = Membership.objects.filter(role__in=STAFF_ROLES).values("user")
    closable: QuerySet[User] = (
        people.filter(memberships__pathway__in=led)
        .exclude(pk__in=staff_anywhere)
        .exclude(is_superuser=True)
        .distinct()
    )
    return closable


def may_close_accounts(staff: User) -> bool:
    """Whether `staff` may close anyone's account (the staff page's door)."""
    if not staff.is_authenticated:
        return False
    return (
        staff.is_superuser
        or Membership.objects.filter(
            user=staff, role=Role.LEAD, status=MembershipStatus.ACTIVE
        ).exists()
    )


def access_account_to_close(staff: User, user_id: object) -> User:
    """The account `user_id` if `staff` may close it (`closable_by`);
    Http404 alike for a missing, closed or forbidden one."""
    try:
        key = int(str(user_id))
    except ValueError:
        raise Http404("No such person") from None
    found = closable_by(staff).filter(pk=key).first()
    if found is None:
        raise Http404("No such person")
    return found
