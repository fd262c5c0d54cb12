"""community.moderation.rota: who is on duty now, and the lead's shifts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import SafetyError
from community.models import AuditEvent, Membership, MembershipStatus, Role
from community.moderation.models import DutyShift
from community.moderation.rota import (
    anyone_on_duty,
    check_shift,
    do_add_shift,
    on_duty_shifts,
)
from tests.factories import (
    make_member,
    membership,
    put_on_duty,
)

pytestmark = pytest.mark.django_db


def test_on_duty_is_ordered_by_position_and_only_current_active_staff(pathway):
    first, second = (
        make_member(pathway, Role.CLINICIAN),
        make_member(pathway, Role.PEER),
    )
    put_on_duty(pathway, second, position=2)
    put_on_duty(pathway, first, position=1)
    gone = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, gone)
    Membership.objects.filter(user=gone).update(status=MembershipStatus.SUSPENDED)
    later = make_member(pathway, Role.CLINICIAN)
    DutyShift.objects.create(
        pathway=pathway,
        user=later,
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    assert [s.user for s in on_duty_shifts(pathway)] == [first, second]


def test_anyone_on_duty_counts_only_current_shifts_of_active_staff(pathway):
    assert not anyone_on_duty(pathway)
    gone = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, gone)
    Membership.objects.filter(user=gone).update(status=MembershipStatus.SUSPENDED)
    DutyShift.objects.create(
        pathway=pathway,
        user=make_member(pathway, Role.CLINICIAN),
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    assert not anyone_on_duty(pathway)
    put_on_duty(pathway, make_member(pathway, Role.PEER))
    assert anyone_on_duty(pathway)


def test_a_shift_is_for_staff_of_the_pathway_and_ends_after_it_starts(pathway):
    lead = membership(make_member(pathway, Role.LEAD), pathway)
    member = make_member(pathway)
    now = timezone.now()
    with pytest.raises(SafetyError, match="peer supporter"):
        check_shift(lead, member.pk, now, now + timedelta(hours=1))
    peer = make_member(pathway, Role.PEER)
    with pytest.raises(SafetyError, match="end after"):
        check_shift(lead, peer.pk, now, now)
    shift = do_add_shift(lead, peer, now, now + timedelta(hours=1))
    assert AuditEvent.objects.filter(action="rota.added", target_id=shift.pk).exists()
