"""community.moderation.cases: reports, moderators' decisions and sanctions."""

import pytest

from community.actions import SafetyError
from community.forums.models import Topic
from community.models import AuditEvent, ContentStatus, MembershipStatus, Role
from community.moderation.cases import do_decide_case, do_report, do_sanction_member
from community.moderation.models import (
    CaseState,
    Decision,
    ModerationCase,
    ReportReason,
    RiskAlert,
    Sanction,
)
from community.moderation.submission import check_can_post
from community.notifications.models import Notification
from community.permissions import visible_content
from tests.community.moderation.posting import moderator_of, post
from tests.factories import (
    make_member,
    make_trusted,
    membership,
    put_on_duty,
)

pytestmark = pytest.mark.django_db


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
