"""community.moderation.alerts: risk alerts by tier (review pages no one, an
alert goes to the first on duty, urgent to everyone), their escalation along
the rota and beyond, notes and resolving."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from community.actions import SafetyError
from community.models import AuditEvent, ContentStatus, Role
from community.moderation.alerts import (
    do_acknowledge_alert,
    do_add_alert_note,
    do_escalate_alert_now,
    do_escalate_overdue_alerts,
    do_escalate_undelivered_alert,
    do_resolve_alert,
    open_alerts_for,
)
from community.moderation.models import (
    AlertState,
    CaseState,
    ModerationCase,
    RiskAlert,
    RiskAlertNote,
)
from community.notifications.models import Notification
from tests.community.moderation.posting import post, stored
from tests.factories import (
    make_member,
    put_on_duty,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 3 a.m.


def test_an_unacknowledged_alert_escalates_along_the_rota_then_to_leads(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    first = make_member(pathway, Role.CLINICIAN)
    second = make_member(pathway, Role.PEER)
    lead = make_member(pathway, Role.LEAD)
    with time_machine.travel(T0, tick=False) as clock:
        put_on_duty(pathway, first, position=1)
        put_on_duty(pathway, second, position=2)
        with django_capture_on_commit_callbacks(execute=True):
            post(pathway, "I'm going to end my life")
        alert = RiskAlert.objects.get()
        assert alert.notified == first
        assert alert.escalate_at == T0 + timedelta(minutes=15)

        clock.shift(timedelta(minutes=14))
        assert do_escalate_overdue_alerts() == 0

        clock.shift(timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            assert do_escalate_overdue_alerts() == 1
        alert.refresh_from_db()
        assert (alert.level, alert.notified, alert.to_leads) == (1, second, False)

        clock.shift(timedelta(minutes=15))
        with django_capture_on_commit_callbacks(execute=True):
            assert do_escalate_overdue_alerts() == 1
        alert.refresh_from_db()
        assert alert.to_leads and alert.notified == lead
        assert alert.escalate_at is None

        clock.shift(timedelta(hours=1))
        assert do_escalate_overdue_alerts() == 0
    assert [m.to[0] for m in mailoutbox] == [first.email, second.email, lead.email]
    assert AuditEvent.objects.filter(action="alert.escalated").count() == 2
    for user in (first, second, lead):
        assert Notification.objects.filter(user=user, kind="risk_alert").exists()


def test_an_acknowledged_alert_stops_escalating(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    with time_machine.travel(T0, tick=False) as clock:
        put_on_duty(pathway, clinician)
        put_on_duty(pathway, make_member(pathway, Role.PEER), position=2)
        post(pathway, "I want to kill myself")
        alert = RiskAlert.objects.get()
        do_acknowledge_alert(clinician, alert)
        clock.shift(timedelta(hours=2))
        assert do_escalate_overdue_alerts() == 0
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == clinician and alert.notified == clinician
    assert AuditEvent.objects.filter(
        action="alert.acknowledged", actor=clinician
    ).exists()


def test_an_alert_whose_every_delivery_at_its_level_failed_escalates_at_once(
    pathway,
):
    from community.notifications.models import Delivery, DeliveryState

    first = make_member(pathway, Role.CLINICIAN)
    second = make_member(pathway, Role.PEER)
    with time_machine.travel(T0, tick=False):
        put_on_duty(pathway, first)
        put_on_duty(pathway, second, position=2)
        post(pathway, "I want to kill myself")
        alert = RiskAlert.objects.get()
        [email] = Delivery.objects.filter(risk_alert=alert, alert_level=0)
        # Still trying, or reached: it stays with the first on duty.
        assert do_escalate_undelivered_alert(email) is False
        Delivery.objects.filter(pk=email.pk).update(state=DeliveryState.SENT)
        assert do_escalate_undelivered_alert(email) is False
        Delivery.objects.filter(pk=email.pk).update(state=DeliveryState.FAILED)
        assert do_escalate_undelivered_alert(email) is True
        # Once per level: the same failure again finds the alert moved on.
        assert do_escalate_undelivered_alert(email) is False
    alert.refresh_from_db()
    assert (alert.level, alert.notified, alert.to_leads) == (1, second, False)
    assert alert.escalate_at == T0 + timedelta(minutes=15)
    assert AuditEvent.objects.get(action="alert.escalated").data["because"] == (
        "undelivered"
    )
    assert Delivery.objects.get(risk_alert=alert, alert_level=1).recipient == second


def test_escalating_at_once_leaves_an_acknowledged_alert_or_one_with_the_leads(
    pathway,
):
    clinician = make_member(pathway, Role.CLINICIAN)
    make_member(pathway, Role.LEAD)
    put_on_duty(pathway, clinician)
    post(pathway, "I want to kill myself")
    alert = RiskAlert.objects.get()
    assert do_escalate_alert_now(alert) is True  # past the rota: leads
    alert.refresh_from_db()
    assert alert.to_leads and alert.escalate_at is None
    assert do_escalate_alert_now(alert) is False  # the last step
    other = post(pathway, "I'm going to end my life", title="Again")
    second = RiskAlert.objects.exclude(pk=alert.pk).get()
    assert second.case.object_id == other.pk
    do_acknowledge_alert(clinician, second)
    assert do_escalate_alert_now(second) is False
    second.refresh_from_db()
    assert second.level == 0 and second.notified == clinician


def test_notes_and_resolving_are_audited_without_copying_text(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    post(pathway, "I keep cutting my arms")
    alert = RiskAlert.objects.get()
    do_add_alert_note(clinician, alert, "Phoned the crisis team")
    do_resolve_alert(clinician, alert, "They are safe with family")
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by == clinician
    assert alert.acknowledged_by == clinician
    assert RiskAlertNote.objects.filter(alert=alert).count() == 2
    rows = AuditEvent.objects.filter(target_id=str(alert.pk))
    assert {r.action for r in rows} >= {"alert.noted", "alert.resolved"}
    dumped = " ".join(f"{r.reason} {r.data}" for r in AuditEvent.objects.all())
    assert "crisis team" not in dumped and "cutting" not in dumped
    with pytest.raises(SafetyError):
        do_add_alert_note(clinician, alert, "   ")


def test_a_review_opens_a_case_for_review_and_pages_no_one(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    from community.notifications.models import Delivery

    clinician = make_member(pathway, Role.CLINICIAN)
    make_member(pathway, Role.LEAD)
    put_on_duty(pathway, clinician)
    with django_capture_on_commit_callbacks(execute=True):
        topic = stored(pathway, review=["safeguarding"])
    assert topic.is_published and topic.risk_categories == ["safeguarding"]
    case = ModerationCase.objects.get(object_id=topic.pk)
    assert case.for_review and not case.risk and case.state == CaseState.OPEN
    assert not RiskAlert.objects.exists()
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert mailoutbox == []
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert do_escalate_overdue_alerts() == 0


def test_an_alert_still_goes_to_the_first_on_duty_only(pathway):
    first = make_member(pathway, Role.PEER)
    second = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, first, position=1)
    put_on_duty(pathway, second, position=2)
    stored(pathway, categories=["suicide"])
    alert = RiskAlert.objects.get()
    assert not alert.urgent and alert.notified == first
    assert list(Notification.objects.values_list("user", flat=True)) == [first.pk]


def test_an_urgent_alert_tells_everyone_on_duty_at_once_and_says_it_is_urgent(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    on_duty = [
        make_member(pathway, Role.PEER),
        make_member(pathway, Role.CLINICIAN),
        make_member(pathway, Role.CLINICIAN),
    ]
    off_duty = make_member(pathway, Role.CLINICIAN)
    for position, user in enumerate(on_duty, start=1):
        put_on_duty(pathway, user, position=position)
    with django_capture_on_commit_callbacks(execute=True):
        topic = stored(
            pathway,
            "took 30 paracetamol an hour ago",
            imminent=[("suicide", "act")],
        )
    assert topic.status == ContentStatus.HELD
    alert = RiskAlert.objects.get()
    assert alert.urgent and alert.kinds == ["act"] and alert.categories == ["suicide"]
    assert alert.notified == on_duty[1]  # a clinician holds it, not the peer
    told = Notification.objects.filter(kind="risk_alert")
    assert {n.user_id for n in told} == {u.pk for u in on_duty}
    assert off_duty.pk not in {n.user_id for n in told}
    assert all(n.message.startswith("URGENT") for n in told)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in on_duty)
    for message in mailoutbox:
        assert message.subject.startswith("URGENT")
        assert "paracetamol" not in message.body and "within 5 minutes" in message.body
    assert "paracetamol" not in " ".join(n.message for n in told)


def test_an_urgent_alert_escalates_after_five_minutes_clinicians_then_leads_then_peers(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    peer = make_member(pathway, Role.PEER)
    lead = make_member(pathway, Role.LEAD)
    clinician = make_member(pathway, Role.CLINICIAN)
    with time_machine.travel(T0, tick=False) as clock:
        # The rota puts the peer first; an urgent alert goes by role.
        put_on_duty(pathway, peer, position=1)
        put_on_duty(pathway, lead, position=2)
        put_on_duty(pathway, clinician, position=3)
        stored(pathway, imminent=[("self_harm", "act")])
        alert = RiskAlert.objects.get()
        assert alert.notified == clinician
        assert alert.escalate_at == T0 + timedelta(minutes=5)

        clock.shift(timedelta(minutes=4, seconds=59))
        assert do_escalate_overdue_alerts() == 0
        walked = []
        for _step in range(3):
            clock.shift(timedelta(minutes=5))
            with django_capture_on_commit_callbacks(execute=True):
                assert do_escalate_overdue_alerts() == 1
            alert.refresh_from_db()
            walked.append((alert.notified, alert.to_leads))
    assert walked == [(lead, False), (peer, False), (lead, True)]
    assert alert.escalate_at is None
    escalations = [m for m in mailoutbox if m.subject.startswith("URGENT")]
    assert [m.to[0] for m in escalations[-3:]] == [lead.email, peer.email, lead.email]


def test_the_urgent_minutes_are_the_pathways_own(pathway):
    pathway.urgent_acknowledge_minutes = 2
    pathway.save()
    clinician = make_member(pathway, Role.CLINICIAN)
    with time_machine.travel(T0, tick=False):
        put_on_duty(pathway, clinician)
        stored(pathway, imminent=[("suicide", "plan")])
    assert RiskAlert.objects.get().escalate_at == T0 + timedelta(minutes=2)


def test_an_urgent_alert_with_no_one_on_duty_reaches_the_leads_and_out_of_hours(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    from community.notifications.models import Delivery, DeliveryState

    pathway.out_of_hours_email = "crisis-team@trust.example"
    pathway.save()
    leads = [make_member(pathway, Role.LEAD), make_member(pathway, Role.LEAD)]
    make_member(pathway, Role.CLINICIAN)  # not on duty: not paged
    with django_capture_on_commit_callbacks(execute=True):
        stored(pathway, "I'm on the bridge now", imminent=[("suicide", "act")])
    alert = RiskAlert.objects.get()
    assert alert.to_leads and alert.escalate_at is None
    told = Notification.objects.filter(kind="risk_alert")
    assert {n.user_id for n in told} == {lead.pk for lead in leads}
    [route] = Delivery.objects.filter(out_of_hours=True)
    assert route.recipient is None and route.risk_alert == alert
    assert route.state == DeliveryState.SENT
    assert "crisis-team@trust.example" not in f"{route.subject} {route.body}"
    [email] = [m for m in mailoutbox if m.to == ["crisis-team@trust.example"]]
    assert email.subject.startswith("URGENT") and "bridge" not in email.body
    assert sorted(m.to[0] for m in mailoutbox if m is not email) == sorted(
        lead.email for lead in leads
    )
    assert AuditEvent.objects.filter(action="alert.out_of_hours").exists()


def test_the_out_of_hours_email_goes_to_the_address_of_the_day_or_not_at_all(
    pathway, mailoutbox
):
    from community.notifications import deliveries
    from community.notifications.models import Delivery, DeliveryState

    pathway.out_of_hours_email = "old@trust.example"
    pathway.save()
    stored(pathway, imminent=[("suicide", "means")])
    route = Delivery.objects.get(out_of_hours=True)
    Delivery.objects.filter(pk=route.pk).update(state=DeliveryState.PENDING)
    pathway.out_of_hours_email = "new@trust.example"
    pathway.save()
    assert deliveries.attempt(route.pk) == DeliveryState.SENT
    assert mailoutbox[-1].to == ["new@trust.example"]
    Delivery.objects.filter(pk=route.pk).update(state=DeliveryState.PENDING)
    pathway.out_of_hours_email = ""
    pathway.save()
    assert deliveries.attempt(route.pk) == DeliveryState.CANCELLED


def test_a_plain_alert_with_no_one_on_duty_does_not_use_the_out_of_hours_route(
    pathway,
):
    from community.notifications.models import Delivery

    pathway.out_of_hours_email = "crisis-team@trust.example"
    pathway.save()
    make_member(pathway, Role.LEAD)
    stored(pathway, categories=["suicide"])
    assert RiskAlert.objects.get().to_leads
    assert not Delivery.objects.filter(out_of_hours=True).exists()


def test_took_30_paracetamol_is_urgent_held_and_tells_everyone_on_duty(pathway):
    clinicians = [make_member(pathway, Role.CLINICIAN) for _ in range(2)]
    for user in clinicians:
        put_on_duty(pathway, user)
    topic = post(pathway, "took 30 paracetamol an hour ago")
    assert topic.status == ContentStatus.HELD
    alert = RiskAlert.objects.get()
    assert alert.urgent
    assert set(
        Notification.objects.filter(kind="risk_alert").values_list("user", flat=True)
    ) == {u.pk for u in clinicians}


def test_open_alerts_for_staff_are_their_own_pathways_urgent_first(
    pathway, other_pathway
):
    clinician = make_member(pathway, Role.CLINICIAN)
    plain = stored(pathway, categories=["self_harm"])
    urgent = stored(pathway, imminent=[("suicide", "act")])
    stored(other_pathway, imminent=[("suicide", "act")])
    resolved = stored(pathway, categories=["suicide"])
    do_resolve_alert(clinician, RiskAlert.objects.get(case__object_id=resolved.pk))
    found = open_alerts_for(clinician)
    assert [a.case.object_id for a in found] == [urgent.pk, plain.pk]
    assert open_alerts_for(make_member(pathway)) == []
