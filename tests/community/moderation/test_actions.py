"""The safety mechanism's rules: the rota, risk alerts and their escalation,
reports, moderators' decisions and sanctions, blocks, mutes and mute words,
and risk phrases leads add."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from community.forums import actions as forums
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
from community.moderation.alerts import (
    do_acknowledge_alert,
    do_add_alert_note,
    do_escalate_alert_now,
    do_escalate_overdue_alerts,
    do_escalate_undelivered_alert,
    do_resolve_alert,
    open_alerts_for,
)
from community.moderation.blocks import (
    do_add_mute_word,
    do_block,
    do_mute,
    do_remove_mute_word,
    do_unblock,
    do_unmute,
)
from community.moderation.cases import do_decide_case, do_report, do_sanction_member
from community.moderation.errors import SafetyError
from community.moderation.labels import (
    do_add_risk_phrase,
    do_label_alert,
    do_label_case,
    do_remove_risk_phrase,
)
from community.moderation.rota import (
    anyone_on_duty,
    check_shift,
    do_add_shift,
    on_duty_shifts,
)
from community.moderation.submission import Submission, check_can_post, store_content
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


# Reports ---------------------------------------------------------------------------


def test_content_hides_after_enough_distinct_reporters(pathway):
    topic = post(pathway)
    reporters = [make_member(pathway) for _ in range(3)]
    do_report(reporters[0], topic, ReportReason.UNKIND)
    with pytest.raises(SafetyError, match="already reported"):
        do_report(reporters[0], topic, ReportReason.SPAM)
    do_report(reporters[1], topic, ReportReason.UNKIND)
    topic.refresh_from_db()
    assert topic.status == ContentStatus.PUBLISHED
    do_report(reporters[2], topic, ReportReason.RULES)
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
    do_report(make_member(pathway), first, ReportReason.AT_RISK)
    do_report(
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
    with pytest.raises(SafetyError):
        do_report(make_member(pathway), post(pathway), "nonsense")


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
        do_decide_case(moderator, ModerationCase.objects.get(), Decision.APPROVE)
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
        do_report(reporter, topic, ReportReason.UNKIND)
    do_decide_case(
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
    do_report(make_member(pathway), topic, ReportReason.SPAM)
    moderator = moderator_of(pathway)
    do_decide_case(moderator, ModerationCase.objects.get(), Decision.APPROVE)
    do_report(make_member(pathway), topic, ReportReason.UNKIND)
    assert ModerationCase.objects.get().state == CaseState.OPEN


def test_editing_out_keeps_the_original_for_moderators(pathway):
    topic = post(pathway, "Meet me at 12 High Street")
    do_report(make_member(pathway), topic, ReportReason.RULES)
    do_decide_case(
        moderator_of(pathway),
        ModerationCase.objects.get(),
        Decision.EDIT_OUT,
        edited_text="Meet me at [removed by a moderator]",
    )
    topic.refresh_from_db()
    assert topic.body == "Meet me at [removed by a moderator]"
    assert topic.original_body == "Meet me at 12 High Street"
    assert topic.edited_by_moderator and topic.status == ContentStatus.PUBLISHED
    with pytest.raises(SafetyError):
        do_decide_case(
            moderator_of(pathway), ModerationCase.objects.get(), Decision.EDIT_OUT
        )


@pytest.mark.parametrize("kind", ["warn", "mute", "suspend"])
def test_sanctions_are_strikes_with_their_effect(pathway, kind):
    author = make_trusted(pathway)
    topic = post(pathway, author=author)
    do_report(make_member(pathway), topic, ReportReason.UNKIND)
    do_decide_case(
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
    with pytest.raises(SafetyError):
        do_decide_case(
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
    do_block(reader, blocked)
    do_mute(reader, muted)
    do_add_mute_word(reader, "  Panic ATTACK ")
    seen = visible_content(reader, Topic.objects.all(), pathway)
    assert [t.body for t in seen] == ["A calm walk today"]
    do_unblock(reader, blocked)
    do_unmute(reader, muted)
    do_remove_mute_word(reader, reader.mute_words.get().pk)
    assert visible_content(reader, Topic.objects.all(), pathway).count() == 4


def test_no_one_blocks_or_mutes_themselves_and_mute_words_are_bounded(pathway):
    reader = make_member(pathway)
    with pytest.raises(SafetyError):
        do_block(reader, reader)
    with pytest.raises(SafetyError):
        do_mute(reader, reader)
    with pytest.raises(SafetyError):
        do_add_mute_word(reader, "   ")
    with pytest.raises(SafetyError):
        do_add_mute_word(reader, "x" * 61)


# Risk phrases -------------------------------------------------------------------------


def test_a_leads_phrase_alerts_from_the_next_post_and_a_safe_phrase_does_not(
    pathway, django_capture_on_commit_callbacks
):
    lead = make_member(pathway, Role.LEAD)
    assert not run_pipeline("going to see the rainbow bridge").risk.is_risk
    with django_capture_on_commit_callbacks(execute=True):
        do_add_risk_phrase(lead, "en", "suicide", "Rainbow  Bridge")
    assert run_pipeline("going to see the rainbow bridge").risk.categories == [
        "suicide"
    ]
    assert run_pipeline("I want to die").risk.is_risk
    with django_capture_on_commit_callbacks(execute=True):
        do_add_risk_phrase(lead, "en", "safe", "want to die laughing")
    assert not run_pipeline("I want to die laughing at that").risk.is_risk
    phrase = RiskPhrase.objects.get(category="suicide")
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_risk_phrase(lead, phrase.pk)
    assert not run_pipeline("going to see the rainbow bridge").risk.is_risk
    assert AuditEvent.objects.filter(action="risk_phrase.added").count() == 2


def test_risk_phrases_are_checked(pathway):
    lead = make_member(pathway, Role.LEAD)
    for language, category, phrase in [
        ("en", "suicide", ""),
        ("en", "weather", "storm"),
        ("xx", "suicide", "storm"),
    ]:
        with pytest.raises(SafetyError):
            do_add_risk_phrase(lead, language, category, phrase)


def test_a_moderator_pauses_a_member_directly_audited_and_told(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    maple = make_trusted(pathway)
    sanction = do_sanction_member(
        membership(clinician, pathway), maple, "mute", note="from chat", mute_hours=2
    )
    assert sanction.case is None and sanction.created_by == clinician
    assert membership(maple, pathway).is_muted()
    with pytest.raises(SafetyError):
        check_can_post(maple, pathway)
    assert AuditEvent.objects.filter(action="member.mute", actor=clinician).exists()
    assert Notification.objects.filter(user=maple, kind="sanction").exists()


def test_the_care_team_and_outsiders_cannot_be_paused_this_way(pathway, other_pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    peer = make_member(pathway, Role.PEER)
    outsider = make_member(other_pathway)
    for person in (peer, outsider):
        with pytest.raises(SafetyError):
            do_sanction_member(membership(clinician, pathway), person, "mute")
    assert not Sanction.objects.exists()


# Tiers: review, alert, urgent -------------------------------------------------------


def stored(
    pathway,
    text="Some words of mine",
    *,
    review=(),
    categories=(),
    imminent=(),
    held=False,
    author=None,
    language="en",
):
    """A topic stored as the pipeline would with this risk, whatever the
    detector says of `text` today: these tests are about what follows a tier."""
    from django.db import transaction

    from community.safety.pipeline import Action, Verdict
    from community.safety.risk import ImminentMatch, RiskResult

    author = author or make_trusted(pathway)
    forum = pathway.forums.first() or make_forum(pathway)
    found = {category for category, _kind in imminent} | set(categories)
    risk = RiskResult(
        scores=dict.fromkeys(found, 1.0),
        review=list(review),
        imminent=[ImminentMatch(c, kind, "x") for c, kind in imminent],
    )
    held = held or bool(imminent)
    verdict = Verdict(
        text=text, action=Action.HOLD if held else Action.PUBLISH, risk=risk
    )
    submission = Submission(
        verdicts={"body": verdict},
        verdict=verdict,
        clean={"title": "Hi", "body": text},
        language=language,
    )
    with transaction.atomic():
        topic = Topic(
            forum=forum, pathway=pathway, author=author, title="Hi", body=text
        )
        return store_content(topic, submission)


def test_a_review_opens_a_case_for_review_and_pages_no_one(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    from community.models import Delivery

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
    from community.models import Delivery, DeliveryState

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
    from community.models import Delivery, DeliveryState
    from community.notifications import deliveries

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
    from community.models import Delivery

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


# Labels ----------------------------------------------------------------------------


def test_clearing_a_review_keeps_a_label_and_closes_the_case(pathway):
    from community.models import LabelDecision, SafetyLabel

    clinician = moderator_of(pathway)
    topic = stored(
        pathway, "Just joined. My little one is 3 weeks old.", review=["safeguarding"]
    )
    case = ModerationCase.objects.get(object_id=topic.pk)
    label = do_label_case(clinician, case, LabelDecision.NOT_A_RISK, "everyday")
    assert (label.decision, label.reason, label.tier) == (
        "not_a_risk",
        "everyday",
        "review",
    )
    assert label.text.endswith("Just joined. My little one is 3 weeks old.")
    assert label.categories == ["safeguarding"] and label.language == "en"
    assert label.decided_by == clinician.user and label.pathway == pathway
    case.refresh_from_db()
    assert not case.for_review and case.state == CaseState.CLOSED
    assert not Notification.objects.filter(user=topic.author).exists()
    assert AuditEvent.objects.filter(action="case.labelled").exists()
    dumped = " ".join(f"{r.reason} {r.data}" for r in AuditEvent.objects.all())
    assert "little one" not in dumped
    # A second decision replaces the first.
    do_label_case(clinician, case, LabelDecision.CONFIRMED, "risk_stated")
    assert SafetyLabel.objects.get().decision == LabelDecision.CONFIRMED


def test_a_held_review_stays_in_the_queue_for_its_hold_once_cleared(pathway):
    from community.models import LabelDecision

    topic = stored(pathway, review=["suicide"], held=True)
    case = ModerationCase.objects.get(object_id=topic.pk)
    do_label_case(moderator_of(pathway), case, LabelDecision.NOT_A_RISK, "misread")
    case.refresh_from_db()
    assert not case.for_review and case.state == CaseState.OPEN and case.held


def test_confirming_or_clearing_an_alert_keeps_a_label_and_moves_the_alert_on(
    pathway,
):
    from community.models import LabelDecision, SafetyLabel

    clinician = moderator_of(pathway)
    stored(pathway, "I want to die", categories=["suicide"])
    stored(pathway, "took them all", imminent=[("suicide", "act")])
    plain, urgent = RiskAlert.objects.order_by("pk")
    do_label_alert(clinician, urgent, LabelDecision.CONFIRMED, "plan_or_act")
    do_label_alert(clinician, plain, LabelDecision.NOT_A_RISK, "someone_else")
    urgent.refresh_from_db()
    plain.refresh_from_db()
    assert urgent.state == AlertState.ACKNOWLEDGED
    assert urgent.acknowledged_by == clinician.user
    assert plain.state == AlertState.RESOLVED
    labels = {label.case_id: label for label in SafetyLabel.objects.all()}
    assert (labels[urgent.case_id].tier, labels[urgent.case_id].decision) == (
        "urgent",
        "confirmed",
    )
    assert (labels[plain.case_id].tier, labels[plain.case_id].decision) == (
        "alert",
        "not_a_risk",
    )
    assert labels[urgent.case_id].text.endswith("took them all")


@pytest.mark.parametrize(
    "decision, reason",
    [
        ("not_a_risk", ""),
        ("not_a_risk", "nonsense"),
        ("not_a_risk", "risk_stated"),
        ("confirmed", "everyday"),
        ("maybe", "other"),
    ],
)
def test_a_label_needs_a_reason_that_fits_its_decision(pathway, decision, reason):
    from community.models import SafetyLabel

    topic = stored(pathway, review=["suicide"])
    case = ModerationCase.objects.get(object_id=topic.pk)
    with pytest.raises(SafetyError):
        do_label_case(moderator_of(pathway), case, decision, reason)
    assert not SafetyLabel.objects.exists()


def test_labels_go_when_the_members_data_is_erased(pathway):
    from community.models import LabelDecision, SafetyLabel

    author = make_trusted(pathway)
    topic = stored(pathway, review=["suicide"], author=author)
    case = ModerationCase.objects.get(object_id=topic.pk)
    do_label_case(moderator_of(pathway), case, LabelDecision.NOT_A_RISK, "everyday")
    assert SafetyLabel.objects.count() == 1
    author.delete()
    assert not SafetyLabel.objects.exists()
