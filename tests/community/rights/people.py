"""A member with a row in nearly every place a person leaves data, for the
export and erasure walks."""

import uuid
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from chat.models import Message, Room
from community.models import Block, ContentRevision, Mute, MuteWord, Role, User
from community.moderation.models import ModerationCase, Report, RiskAlert, SafetyLabel
from community.notifications.models import Notification, PushSubscription
from community.safetyplan.models import SafetyPlan, SafetyPlanStep
from community.social.models import Present, ProfileText, Reaction, WallPost
from community.survey.models import SurveyAnswer, SurveyComment, SurveyPrompt
from tests.factories import enrol_totp, make_forum, make_gift, make_member

BIO = "I like long walks by the estuary at Pembrey"
TOPIC_BODY = "What helped me most was <script>alert(1)</script> my sister's calls"
REPLY_BODY = "Thank you, this helped a lot tonight"
WALL_BODY = "Thinking of you, Maple"
CHAT_BODY = "Is anyone around this evening?"
ALERT_BODY = "I have been thinking about ending it"
REPORT_DETAIL = "They keep messaging me about my weight"
SURVEY_COMMENT = "The night-time forum got me through the winter"
PLAN_BODY = "Ring my sister Eluned on the landline"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/member-phone-123"


@dataclass
class Member:
    user: User
    friend: User
    email: str
    name: str
    topic: object
    reply: object
    alerted: object


def make_full_member(pathway) -> Member:
    user = make_member(pathway, display_name="Maple Leaf", pronouns="she/her")
    friend = make_member(pathway, display_name="Birch Bark")
    enrol_totp(user)
    assert Authenticator.objects.filter(user=user).exists()
    forum = make_forum(pathway)
    topic = forum.topics.create(
        pathway=pathway, author=user, title="My first week", body=TOPIC_BODY
    )
    ContentRevision.objects.create(
        pathway=pathway, content_kind="topic", object_id=topic.pk, body="first draft"
    )
    reply = topic.replies.create(pathway=pathway, author=user, body=REPLY_BODY)
    # Someone else replied under the member's topic.
    topic.replies.create(pathway=pathway, author=friend, body="Same here")
    alerted = topic.replies.create(pathway=pathway, author=user, body=ALERT_BODY)
    case = ModerationCase.objects.create(
        pathway=pathway,
        content_type=ContentType.objects.get_for_model(alerted),
        object_id=alerted.pk,
        author=user,
        risk=True,
    )
    RiskAlert.objects.create(pathway=pathway, case=case, author=user)
    SafetyLabel.objects.create(
        pathway=pathway,
        case=case,
        author=user,
        text=ALERT_BODY,
        tier="alert",
        decision="confirmed",
        reason="risk_stated",
    )
    WallPost.objects.create(pathway=pathway, author=user, owner=friend, body=WALL_BODY)
    WallPost.objects.create(
        pathway=pathway, author=friend, owner=user, body="Hello from Birch"
    )
    Present.objects.create(
        pathway=pathway, author=user, recipient=friend, gift=make_gift(), body="For you"
    )
    ProfileText.objects.create(pathway=pathway, author=user, body=BIO)
    room = Room.objects.get(pathway=pathway, is_default=True)
    Message.objects.create(
        room=room,
        pathway=pathway,
        author=user,
        body=CHAT_BODY,
        seq=room.allocate_seq(),
        client_id=uuid.uuid4(),
    )
    friend_case = ModerationCase.objects.create(
        pathway=pathway,
        content_type=ContentType.objects.get_for_model(WallPost),
        object_id=999,
        author=friend,
    )
    Report.objects.create(
        case=friend_case, reporter=user, reason="unkind", detail=REPORT_DETAIL
    )
    Reaction.objects.create(
        pathway=pathway,
        content_kind="topic",
        object_id=topic.pk,
        user=user,
        reaction="hug",
    )
    topic.follows.create(user=user)
    Block.objects.create(blocker=user, blocked=make_member(pathway, Role.MEMBER))
    Mute.objects.create(muter=user, muted=friend)
    MuteWord.objects.create(user=user, word="calories")
    Notification.objects.create(user=user, kind="reply", message="Someone replied")
    PushSubscription.objects.create(
        user=user, endpoint=ENDPOINT, p256dh="k" * 80, auth="a" * 20
    )
    answer = SurveyAnswer.objects.create(pathway=pathway, user=user, score=4)
    SurveyComment.objects.create(
        pathway=pathway, author=user, answer=answer, body=SURVEY_COMMENT
    )
    SurveyPrompt.objects.create(user=user, last_asked_at=timezone.now())
    clinician = make_member(pathway, Role.CLINICIAN, display_name="Rowan Ash")
    SafetyPlan.objects.create(
        owner=user, shared_with=clinician, shared_in=pathway, keep_offline=True
    )
    SafetyPlanStep.objects.create(author=user, step="people", body=PLAN_BODY)
    user.last_login = timezone.now()
    user.save()
    return Member(
        user=user,
        friend=friend,
        email=user.email,
        name=user.display_name,
        topic=topic,
        reply=reply,
        alerted=alerted,
    )
