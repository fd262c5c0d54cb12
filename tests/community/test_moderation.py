"""The safety mechanism's rules: the rota, risk alerts and their escalation,
reports, moderators' decisions and sanctions, blocks, mutes and mute words,
and risk phrases leads add."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from community import forums, moderation
from community.models import (
    AlertState,
    AuditEvent,
    CaseState,
    ContentStatus,
    Decision,
    DutyShift,
    Membership,
    MembershipStatus,
    ModerationCase,
    Notification,
    ReportReason,
    RiskAlert,
    RiskAlertNote,
    RiskPhrase,
    Role,
    Sanction,
    Topic,
)
from community.permissions import visible_content
from community.safety.pipeline import run_pipeline
from tests.factories import (
    make_forum,
    make_member,
    make_trusted,
    membership,
    put_on_duty,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 3 a.m.


def post(pathway, text="An ordinary day", author=None, title="Hello"):
    author = author or make_trusted(pathway)
    forum = pathway.forums.first() or make_forum(pathway)
    return forums.do_start_topic(author, forum, title, text).obj


# The rota -------------------------------------------------------------------------


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
    assert [s.user for s in moderation.on_duty_shifts(pathway)] == [first, second]


def test_anyone_on_duty_counts_only_current_shifts_of_active_staff(pathway):
    assert not moderation.anyone_on_duty(pathway)
    gone = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, gone)
    Membership.objects.filter(user=gone).update(status=MembershipStatus.SUSPENDED)
    DutyShift.objects.create(
        pathway=pathway,
        user=make_member(pathway, Role.CLINICIAN),
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    assert not moderation.anyone_on_duty(pathway)
    put_on_duty(pathway, make_member(pathway, Role.PEER))
    assert moderation.anyone_on_duty(pathway)


def test_a_shift_is_for_staff_of_the_pathway_and_ends_after_it_starts(pathway):
    lead = membership(make_member(pathway, Role.LEAD), pathway)
    member = make_member(pathway)
    now = timezone.now()
    with pytest.raises(moderation.SafetyError, match="peer supporter"):
        moderation.check_shift(lead, member.pk, now, now + timedelta(hours=1))
    peer = make_member(pathway, Role.PEER)
    with pytest.raises(moderation.SafetyError, match="end after"):
        moderation.check_shift(lead, peer.pk, now, now)
    shift = moderation.do_add_shift(lead, peer, now, now + timedelta(hours=1))
    assert AuditEvent.objects.filter(action="rota.added", target_id=shift.pk).exists()


# Alerts and escalation ------------------------------------------------------------


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
        assert moderation.do_escalate_overdue_alerts() == 0

        clock.shift(timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            assert moderation.do_escalate_overdue_alerts() == 1
        alert.refresh_from_db()
        assert (alert.level, alert.notified, alert.to_leads) == (1, second, False)

        clock.shift(timedelta(minutes=15))
        with django_capture_on_commit_callbacks(execute=True):
            assert moderation.do_escalate_overdue_alerts() == 1
        alert.refresh_from_db()
        assert alert.to_leads and alert.notified == lead
        assert alert.escalate_at is None

        clock.shift(timedelta(hours=1))
        assert moderation.do_escalate_overdue_alerts() == 0
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
        moderation.do_acknowledge_alert(clinician, alert)
        clock.shift(timedelta(hours=2))
        assert moderation.do_escalate_overdue_alerts() == 0
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == clinician and alert.notified == clinician
    assert AuditEvent.objects.filter(
        action="alert.acknowledged", actor=clinician
    ).exists()


def test_an_alert_whose_every_delivery_at_its_level_failed_escalates_at_once(
    pathway,
):
    from community.models import Delivery, DeliveryState

    first = make_member(pathway, Role.CLINICIAN)
    second = make_member(pathway, Role.PEER)
    with time_machine.travel(T0, tick=False):
        put_on_duty(pathway, first)
        put_on_duty(pathway, second, position=2)
        post(pathway, "I want to kill myself")
        alert = RiskAlert.objects.get()
        [email] = Delivery.objects.filter(risk_alert=alert, alert_level=0)
        # Still trying, or reached: it stays with the first on duty.
        assert moderation.do_escalate_undelivered_alert(email) is False
        Delivery.objects.filter(pk=email.pk).update(state=DeliveryState.SENT)
        assert moderation.do_escalate_undelivered_alert(email) is False
        Delivery.objects.filter(pk=email.pk).update(state=DeliveryState.FAILED)
        assert moderation.do_escalate_undelivered_alert(email) is True
        # Once per level: the same failure again finds the alert moved on.
        assert moderation.do_escalate_undelivered_alert(email) is False
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
    assert moderation.do_escalate_alert_now(alert) is True  # past the rota: leads
    alert.refresh_from_db()
    assert alert.to_leads and alert.escalate_at is None
    assert moderation.do_escalate_alert_now(alert) is False  # the last step
    other = post(pathway, "I'm going to end my life", title="Again")
    second = RiskAlert.objects.exclude(pk=alert.pk).get()
    assert second.case.object_id == other.pk
    moderation.do_acknowledge_alert(clinician, second)
    assert moderation.do_escalate_alert_now(second) is False
    second.refresh_from_db()
    assert second.level == 0 and second.notified == clinician


def test_notes_and_resolving_are_audited_without_copying_text(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    post(pathway, "I keep cutting my arms")
    alert = RiskAlert.objects.get()
    moderation.do_add_alert_note(clinician, alert, "Phoned the crisis team")
    moderation.do_resolve_alert(clinician, alert, "They are safe with family")
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by == clinician
    assert alert.acknowledged_by == clinician
    assert RiskAlertNote.objects.filter(alert=alert).count() == 2
    rows = AuditEvent.objects.filter(target_id=str(alert.pk))
    assert {r.action for r in rows} >= {"alert.noted", "alert.resolved"}
    dumped = " ".join(f"{r.reason} {r.data}" for r in AuditEvent.objects.all())
    assert "crisis team" not in dumped and "cutting" not in dumped
    with pytest.raises(moderation.SafetyError):
        moderation.do_add_alert_note(clinician, alert, "   ")


# Reports ---------------------------------------------------------------------------


def test_content_hides_after_enough_distinct_reporters(pathway):
    topic = post(pathway)
    reporters = [make_member(pathway) for _ in range(3)]
    moderation.do_report(reporters[0], topic, ReportReason.UNKIND)
    with pytest.raises(moderation.SafetyError, match="already reported"):
        moderation.do_report(reporters[0], topic, ReportReason.SPAM)
    moderation.do_report(reporters[1], topic, ReportReason.UNKIND)
    topic.refresh_from_db()
    assert topic.status == ContentStatus.PUBLISHED
    moderation.do_report(reporters[2], topic, ReportReason.RULES)
    topic.refresh_from_db()
    case = ModerationCase.objects.get()
    assert topic.status == ContentStatus.HIDDEN_BY_REPORTS
    assert case.report_count == 3 and case.state == CaseState.OPEN
    # Hidden from others, still shown to its author.
    others = visible_content(reporters[0], Topic.objects.all(), pathway)
    assert not others.exists()
    assert visible_content(topic.author, Topic.objects.all(), pathway).exists()


def test_at_risk_reports_and_risk_in_the_detail_raise_an_alert(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    first, second = post(pathway), post(pathway, "Another day")
    moderation.do_report(make_member(pathway), first, ReportReason.AT_RISK)
    moderation.do_report(
        make_member(pathway),
        second,
        ReportReason.OTHER,
        "they messaged me: I want to die",
    )
    alerts = RiskAlert.objects.order_by("pk")
    assert [a.reported for a in alerts] == [True, True]
    assert alerts[1].categories == ["suicide"]
    assert all(a.notified == clinician for a in alerts)


def test_a_report_needs_a_known_reason(pathway):
    with pytest.raises(moderation.SafetyError):
        moderation.do_report(make_member(pathway), post(pathway), "nonsense")


# Decisions and sanctions ------------------------------------------------------------


def moderator_of(pathway, role=Role.CLINICIAN):
    return membership(make_member(pathway, role), pathway)


def test_approving_a_held_post_publishes_it_and_counts_towards_trust(
    pathway, django_capture_on_commit_callbacks
):
    author = make_member(pathway)
    topic = post(pathway, author=author)
    assert topic.status == ContentStatus.HELD
    moderator = moderator_of(pathway, Role.PEER)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_decide_case(
            moderator, ModerationCase.objects.get(), Decision.APPROVE
        )
    topic.refresh_from_db()
    assert topic.status == ContentStatus.PUBLISHED
    assert membership(author, pathway).approved_posts == 1
    assert Notification.objects.get(user=author).kind == "moderation"
    case = ModerationCase.objects.get()
    assert case.state == CaseState.CLOSED and case.decided_by == moderator.user


def test_hiding_tells_each_reporter_the_outcome(pathway):
    topic = post(pathway)
    reporters = [make_member(pathway) for _ in range(2)]
    for reporter in reporters:
        moderation.do_report(reporter, topic, ReportReason.UNKIND)
    moderation.do_decide_case(
        moderator_of(pathway),
        ModerationCase.objects.get(),
        Decision.HIDE,
        note="unkind",
    )
    topic.refresh_from_db()
    assert topic.status == ContentStatus.HIDDEN
    for reporter in reporters:
        notice = Notification.objects.get(user=reporter)
        assert notice.kind == "report_outcome" and "removed" in notice.message
    audit = AuditEvent.objects.get(action="case.decided")
    assert audit.reason == "unkind" and audit.data["decision"] == "hide"


def test_a_reported_post_reported_again_after_a_decision_reopens(pathway):
    topic = post(pathway)
    moderation.do_report(make_member(pathway), topic, ReportReason.SPAM)
    moderator = moderator_of(pathway)
    moderation.do_decide_case(moderator, ModerationCase.objects.get(), Decision.APPROVE)
    moderation.do_report(make_member(pathway), topic, ReportReason.UNKIND)
    assert ModerationCase.objects.get().state == CaseState.OPEN


def test_editing_out_keeps_the_original_for_moderators(pathway):
    topic = post(pathway, "Meet me at 12 High Street")
    moderation.do_report(make_member(pathway), topic, ReportReason.RULES)
    moderation.do_decide_case(
        moderator_of(pathway),
        ModerationCase.objects.get(),
        Decision.EDIT_OUT,
        edited_text="Meet me at [removed by a moderator]",
    )
    topic.refresh_from_db()
    assert topic.body == "Meet me at [removed by a moderator]"
    assert topic.original_body == "Meet me at 12 High Street"
    assert topic.edited_by_moderator and topic.status == ContentStatus.PUBLISHED
    with pytest.raises(moderation.SafetyError):
        moderation.do_decide_case(
            moderator_of(pathway), ModerationCase.objects.get(), Decision.EDIT_OUT
        )


@pytest.mark.parametrize("kind", ["warn", "mute", "suspend"])
def test_sanctions_are_strikes_with_their_effect(pathway, kind):
    author = make_trusted(pathway)
    topic = post(pathway, author=author)
    moderation.do_report(make_member(pathway), topic, ReportReason.UNKIND)
    moderation.do_decide_case(
        moderator_of(pathway),
        ModerationCase.objects.get(),
        Decision.HIDE,
        sanction=kind,
        mute_hours=6,
        note="second time",
    )
    held = membership(author, pathway)
    assert Sanction.objects.get(membership=held).kind == kind
    assert held.is_muted() == (kind == "mute")
    expected = (
        MembershipStatus.SUSPENDED if kind == "suspend" else MembershipStatus.ACTIVE
    )
    assert held.status == expected
    assert Notification.objects.filter(user=author, kind="sanction").exists()
    assert AuditEvent.objects.get(action=f"member.{kind}").data["strikes"] == 1


def test_a_decision_must_be_one_we_know(pathway):
    post(pathway, author=make_member(pathway))
    with pytest.raises(moderation.SafetyError):
        moderation.do_decide_case(
            moderator_of(pathway), ModerationCase.objects.get(), "delete-all"
        )


# Blocks, mutes, mute words ------------------------------------------------------------


def test_blocks_mutes_and_mute_words_leave_content_out_of_what_i_read(pathway):
    reader = make_member(pathway)
    blocked, muted, other = (make_trusted(pathway) for _ in range(3))
    post(pathway, "from the blocked one", author=blocked)
    post(pathway, "from the muted one", author=muted)
    post(pathway, "I had a panic attack on the bus", author=other)
    post(pathway, "A calm walk today", author=other)
    moderation.do_block(reader, blocked)
    moderation.do_mute(reader, muted)
    moderation.do_add_mute_word(reader, "  Panic ATTACK ")
    seen = visible_content(reader, Topic.objects.all(), pathway)
    assert [t.body for t in seen] == ["A calm walk today"]
    moderation.do_unblock(reader, blocked)
    moderation.do_unmute(reader, muted)
    moderation.do_remove_mute_word(reader, reader.mute_words.get().pk)
    assert visible_content(reader, Topic.objects.all(), pathway).count() == 4


def test_no_one_blocks_or_mutes_themselves_and_mute_words_are_bounded(pathway):
    reader = make_member(pathway)
    with pytest.raises(moderation.SafetyError):
        moderation.do_block(reader, reader)
    with pytest.raises(moderation.SafetyError):
        moderation.do_mute(reader, reader)
    with pytest.raises(moderation.SafetyError):
        moderation.do_add_mute_word(reader, "   ")
    with pytest.raises(moderation.SafetyError):
        moderation.do_add_mute_word(reader, "x" * 61)


# Risk phrases -------------------------------------------------------------------------


def test_a_leads_phrase_alerts_from_the_next_post_and_a_safe_phrase_does_not(
    pathway, django_capture_on_commit_callbacks
):
    lead = make_member(pathway, Role.LEAD)
    assert not run_pipeline("going to see the rainbow bridge").risk.is_risk
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_add_risk_phrase(lead, "en", "suicide", "Rainbow  Bridge")
    assert run_pipeline("going to see the rainbow bridge").risk.categories == [
        "suicide"
    ]
    assert run_pipeline("I want to die").risk.is_risk
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_add_risk_phrase(lead, "en", "safe", "want to die laughing")
    assert not run_pipeline("I want to die laughing at that").risk.is_risk
    phrase = RiskPhrase.objects.get(category="suicide")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_remove_risk_phrase(lead, phrase.pk)
    assert not run_pipeline("going to see the rainbow bridge").risk.is_risk
    assert AuditEvent.objects.filter(action="risk_phrase.added").count() == 2


def test_risk_phrases_are_checked(pathway):
    lead = make_member(pathway, Role.LEAD)
    for language, category, phrase in [
        ("en", "suicide", ""),
        ("en", "weather", "storm"),
        ("xx", "suicide", "storm"),
    ]:
        with pytest.raises(moderation.SafetyError):
            moderation.do_add_risk_phrase(lead, language, category, phrase)


def test_a_moderator_pauses_a_member_directly_audited_and_told(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    maple = make_trusted(pathway)
    sanction = moderation.do_sanction_member(
        membership(clinician, pathway), maple, "mute", note="from chat", mute_hours=2
    )
    assert sanction.case is None and sanction.created_by == clinician
    assert membership(maple, pathway).is_muted()
    with pytest.raises(moderation.SafetyError):
        moderation.check_can_post(maple, pathway)
    assert AuditEvent.objects.filter(action="member.mute", actor=clinician).exists()
    assert Notification.objects.filter(user=maple, kind="sanction").exists()


def test_the_care_team_and_outsiders_cannot_be_paused_this_way(pathway, other_pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    peer = make_member(pathway, Role.PEER)
    outsider = make_member(other_pathway)
    for person in (peer, outsider):
        with pytest.raises(moderation.SafetyError):
            moderation.do_sanction_member(
                membership(clinician, pathway), person, "mute"
            )
    assert not Sanction.objects.exists()
