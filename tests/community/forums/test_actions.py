"""Forum actions: every topic and reply goes through the safety pipeline, and
is published, held or sent back for a rewrite as the pathway's rules say."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import Refused
from community.forums import actions as forums
from community.forums.models import Topic
from community.models import ContentStatus, Membership, Role
from community.moderation.models import AlertState, ModerationCase, RiskAlert
from community.notifications.models import Notification
from tests.factories import make_forum, make_member, make_trusted, put_on_duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(pathway):
    return make_forum(pathway)


def test_a_trusted_members_topic_is_published_with_clean_text(forum):
    author = make_trusted(forum.pathway)
    submission = forums.do_start_topic(
        author, forum, "<b>Hello</b>", "A <script>x</script>good day"
    )
    topic = submission.obj
    assert topic.status == ContentStatus.PUBLISHED
    assert topic.title == "Hello"
    assert "<" not in topic.body
    assert not ModerationCase.objects.exists()


def test_a_new_members_topic_is_held_in_the_queue(forum):
    author = make_member(forum.pathway)
    submission = forums.do_start_topic(author, forum, "Hi", "I'm new here")
    assert submission.obj.status == ContentStatus.HELD
    case = ModerationCase.objects.get()
    assert case.held and case.author == author and case.content == submission.obj
    assert "checked by a moderator" in submission.verdict.messages[0]


def test_rule_pack_hits_store_nothing_and_say_what_to_change(other_pathway):
    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    forum = make_forum(other_pathway)
    author = make_trusted(other_pathway)
    submission = forums.do_start_topic(author, forum, "Progress", "I was 7 stone")
    assert submission.needs_rewrite
    assert not Topic.objects.exists()
    assert "body" in submission.errors() and "title" not in submission.errors()


def test_risk_publishes_alerts_the_one_on_duty_and_shows_crisis_contacts(
    forum, mailoutbox, django_capture_on_commit_callbacks
):
    clinician = make_member(forum.pathway, Role.CLINICIAN)
    put_on_duty(forum.pathway, clinician)
    author = make_trusted(forum.pathway)
    with django_capture_on_commit_callbacks(execute=True):
        submission = forums.do_start_topic(
            author, forum, "tonight", "I want to kill myself"
        )
    assert submission.obj.status == ContentStatus.PUBLISHED
    assert submission.verdict.show_crisis_contacts
    alert = RiskAlert.objects.get()
    assert alert.notified == clinician and alert.state == AlertState.OPEN
    assert alert.categories == ["suicide"]
    assert alert.escalate_at > timezone.now() + timedelta(minutes=14)
    assert Notification.objects.get(user=clinician).kind == "risk_alert"
    assert [m.to for m in mailoutbox] == [[clinician.email]]
    # For privacy the email names no one and quotes nothing.
    assert "kill" not in mailoutbox[0].body


def test_risk_with_no_one_on_duty_is_held_and_goes_to_the_leads(forum):
    lead = make_member(forum.pathway, Role.LEAD)
    author = make_trusted(forum.pathway)
    submission = forums.do_start_topic(author, forum, "help", "I want to die")
    assert submission.obj.status == ContentStatus.HELD
    alert = RiskAlert.objects.get()
    assert alert.to_leads and alert.notified == lead and alert.escalate_at is None


def test_out_of_hours_rule_holds_everything_when_no_one_is_on_duty(forum):
    forum.pathway.hold_all_when_unstaffed = True
    forum.pathway.save()
    author = make_trusted(forum.pathway)
    held = forums.do_start_topic(author, forum, "Evening", "Quiet day").obj
    assert held.status == ContentStatus.HELD
    put_on_duty(forum.pathway, make_member(forum.pathway, Role.PEER))
    shown = forums.do_start_topic(author, forum, "Later", "Still quiet").obj
    assert shown.status == ContentStatus.PUBLISHED


def test_a_muted_member_cannot_post_and_is_told_until_when(forum):
    author = make_trusted(forum.pathway)
    Membership.objects.filter(user=author).update(
        muted_until=timezone.now() + timedelta(hours=2)
    )
    with pytest.raises(Refused, match="paused your posting"):
        forums.do_start_topic(author, forum, "Hi", "Hello")
    assert not Topic.objects.exists()


def test_a_reply_moves_its_topic_up(forum):
    author = make_trusted(forum.pathway)
    topic = forums.do_start_topic(author, forum, "Hi", "Hello").obj
    Topic.objects.filter(pk=topic.pk).update(
        last_activity_at=timezone.now() - timedelta(days=1)
    )
    reply = forums.do_reply(make_trusted(forum.pathway), topic, "Welcome!").obj
    topic.refresh_from_db()
    assert reply.status == ContentStatus.PUBLISHED
    assert topic.last_activity_at > timezone.now() - timedelta(minutes=1)


def test_forum_slugs_are_unique_per_pathway(pathway):
    first = make_forum(pathway, "Day to day")
    second = make_forum(pathway, "Day to day")
    assert first.slug == "day-to-day" and second.slug == "day-to-day-2"


def test_a_classifier_only_sign_is_marked_for_review_and_pages_no_one(forum):
    clinician = make_member(forum.pathway, Role.CLINICIAN)
    put_on_duty(forum.pathway, clinician)
    topic = forums.do_start_topic(
        make_trusted(forum.pathway),
        forum,
        "Tired",
        "there is no reason for me to keep going on like this",
    ).obj
    assert not RiskAlert.objects.exists()
    case = ModerationCase.objects.get(object_id=topic.pk)
    assert case.for_review and not case.risk and topic.risk_categories == ["suicide"]
    assert topic.is_published
