"""The rules of community.social.actions: reactions, follows and reply notices,
mentions, pin and lock, the edit window, walls, presents and profile text.
Each rule is checked where it holds and where it refuses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import InvalidInput, Refused, SafetyError, do_block, do_mute
from community.forums import actions as forums
from community.forums.models import Topic, TopicFollow
from community.models import AuditEvent, ContentRevision, ContentStatus, Role
from community.moderation.cases import do_decide_case
from community.moderation.models import ModerationCase, RiskAlert
from community.notifications.models import Notification
from community.social import actions as social
from community.social.models import Present, ProfileText, Reaction, WallPost
from community.social.permissions import presents_for, profile_text_for, wall_posts_for
from tests.factories import (
    make_forum,
    make_gift,
    make_member,
    make_trusted,
    membership,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(pathway):
    return make_forum(pathway)


def notices(user, kind=None):
    found = Notification.objects.filter(user=user)
    return list(found.filter(kind=kind) if kind else found)


def start(author, forum, title="Hello", body="A good day"):
    return forums.do_start_topic(author, forum, title, body).obj


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the commit when the block
    ends, as a request's commit does: a reply's notices go then, in the
    fan-out task (run at once by the test settings' task backend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# Reactions -------------------------------------------------------------------------


def test_a_reaction_counts_once_tells_the_author_and_can_be_taken_back(forum):
    author, reader = make_trusted(forum.pathway), make_trusted(forum.pathway)
    topic = start(author, forum)
    assert social.do_toggle_reaction(reader, topic, "hug") is True
    assert (
        Reaction.objects.filter(object_id=topic.pk, content_kind="topic").count() == 1
    )
    [notice] = notices(author, "reaction")
    assert reader.display_name in notice.message and "Hug" in notice.message
    assert social.do_toggle_reaction(reader, topic, "hug") is False
    assert not Reaction.objects.exists()


def test_reactions_are_supportive_only_and_not_from_someone_blocked(forum):
    author, reader = make_trusted(forum.pathway), make_trusted(forum.pathway)
    topic = start(author, forum)
    with pytest.raises(InvalidInput):
        social.do_toggle_reaction(reader, topic, "downvote")
    do_block(author, reader)
    with pytest.raises(Refused):
        social.do_toggle_reaction(reader, topic, "thanks")
    assert not Reaction.objects.exists()


def test_a_muted_reactor_does_not_notify(forum):
    author, reader = make_trusted(forum.pathway), make_trusted(forum.pathway)
    topic = start(author, forum)
    do_mute(author, reader)
    social.do_toggle_reaction(reader, topic, "me_too")
    assert Reaction.objects.count() == 1
    assert notices(author, "reaction") == []


# Follows, replies and mentions ------------------------------------------------


def test_followers_hear_of_replies_but_not_from_someone_they_blocked(forum, committed):
    author = make_trusted(forum.pathway)
    follower, blocker = make_trusted(forum.pathway), make_trusted(forum.pathway)
    replier = make_trusted(forum.pathway)
    topic = start(author, forum)
    assert TopicFollow.objects.filter(topic=topic, user=author).exists()
    social.do_follow_topic(follower, topic)
    social.do_follow_topic(blocker, topic)
    do_block(blocker, replier)
    with committed():
        forums.do_reply(replier, topic, "Sending strength")
    assert len(notices(author, "reply")) == 1
    assert len(notices(follower, "reply")) == 1
    assert notices(blocker, "reply") == []
    assert notices(replier) == []  # nobody is told of their own reply
    assert TopicFollow.objects.filter(topic=topic, user=replier).exists()
    # The notice is Harbour's words: no member text in it.
    assert "Sending strength" not in notices(author, "reply")[0].message
    social.do_follow_topic(follower, topic, follow=False)
    with committed():
        forums.do_reply(replier, topic, "Again")
    assert len(notices(follower, "reply")) == 1


def test_a_member_who_left_the_pathway_hears_nothing_more(forum, committed):
    author, replier = make_trusted(forum.pathway), make_trusted(forum.pathway)
    topic = start(author, forum)
    author.memberships.update(status="removed")
    with committed():
        forums.do_reply(replier, topic, "Hello")
    assert notices(author, "reply") == []


def test_mentions_reach_members_of_the_pathway_only(forum, other_pathway):
    author = make_trusted(forum.pathway)
    named = make_trusted(forum.pathway, display_name="Sunny Day")
    outsider = make_trusted(other_pathway, display_name="Rain Cloud")
    start(author, forum, body="Thinking of @Sunny Day and @Rain Cloud today")
    assert len(notices(named, "mention")) == 1
    assert notices(outsider) == []


def test_a_follower_who_is_mentioned_gets_one_notice(forum, committed):
    author = make_trusted(forum.pathway, display_name="Robin")
    replier = make_trusted(forum.pathway)
    topic = start(author, forum)
    with committed():
        forums.do_reply(replier, topic, "@Robin yes, me too")
    assert len(notices(author)) == 1


def test_held_replies_tell_nobody_until_a_moderator_decides(forum, committed):
    author = make_trusted(forum.pathway)
    newcomer = make_member(forum.pathway)  # not yet trusted: pre-moderated
    topic = start(author, forum)
    with committed():
        reply = forums.do_reply(newcomer, topic, "Hi @" + author.display_name).obj
    assert reply.status == ContentStatus.HELD
    assert notices(author) == []
    peer = make_member(forum.pathway, Role.PEER)
    case = ModerationCase.objects.get(object_id=reply.pk)
    with committed():
        do_decide_case(membership(peer, forum.pathway), case, "approve")
    assert [n.kind for n in notices(author)] == ["reply"]  # once, on approval


def test_an_approved_present_reaches_its_recipient_then(pathway):
    sender, recipient = make_member(pathway), make_trusted(pathway)
    present = social.do_send_present(
        sender, recipient, pathway, make_gift(), "A note"
    ).obj
    assert present.status == ContentStatus.HELD and notices(recipient) == []
    clinician = make_member(pathway, Role.CLINICIAN)
    case = ModerationCase.objects.get(object_id=present.pk)
    do_decide_case(membership(clinician, pathway), case, "approve")
    assert [n.kind for n in notices(recipient)] == ["present"]


# Pin and lock ---------------------------------------------------------------------


def test_moderators_pin_and_lock_with_an_audit_row_and_members_cannot(forum):
    author = make_trusted(forum.pathway)
    clinician = make_member(forum.pathway, Role.CLINICIAN)
    topic = start(author, forum)
    with pytest.raises(SafetyError):
        social.do_set_topic_flags(author, topic, pinned=True)
    social.do_set_topic_flags(clinician, topic, pinned=True, locked=True)
    topic.refresh_from_db()
    assert topic.pinned and topic.locked
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"topic.pinned", "topic.locked"} <= actions
    with pytest.raises(SafetyError, match="locked"):
        forums.do_reply(make_trusted(forum.pathway), topic, "Can I still reply?")


def test_pinned_topics_come_first(forum):
    first = start(make_trusted(forum.pathway), forum, title="Older")
    start(make_trusted(forum.pathway), forum, title="Newer")
    social.do_set_topic_flags(make_member(forum.pathway, Role.PEER), first, pinned=True)
    from community.forums.queries import topics_in

    titles = [t.title for t in topics_in(first.author, forum)]
    assert titles == ["Older", "Newer"]


# Editing --------------------------------------------------------------------------


def test_an_author_edits_within_the_window_and_the_old_text_is_kept(forum):
    author = make_trusted(forum.pathway)
    topic = start(author, forum, title="Firts", body="A god day")
    submission = social.do_edit(author, topic, {"title": "First", "body": "A good day"})
    topic.refresh_from_db()
    assert not submission.needs_rewrite
    assert (topic.title, topic.body) == ("First", "A good day")
    assert topic.edited_at is not None
    [revision] = ContentRevision.objects.all()
    assert (revision.title, revision.body) == ("Firts", "A god day")


def test_nobody_else_edits_and_not_after_the_window(forum, settings):
    author, other = make_trusted(forum.pathway), make_trusted(forum.pathway)
    topic = start(author, forum)
    with pytest.raises(SafetyError):
        social.do_edit(other, topic, {"body": "mine now"})
    Topic.objects.filter(pk=topic.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.HARBOUR_EDIT_MINUTES + 1)
    )
    topic.refresh_from_db()
    with pytest.raises(SafetyError, match="no longer be edited"):
        social.do_edit(author, topic, {"body": "late"})


def test_an_edit_goes_through_the_pipeline_like_a_new_post(other_pathway):
    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    forum = make_forum(other_pathway)
    author = make_trusted(other_pathway)
    topic = start(author, forum)
    submission = social.do_edit(author, topic, {"body": "I was 45kg"})
    assert submission.needs_rewrite
    topic.refresh_from_db()
    assert topic.body == "A good day"
    assert not ContentRevision.objects.exists()
    social.do_edit(author, topic, {"body": "I want to kill myself"})
    topic.refresh_from_db()
    assert RiskAlert.objects.filter(case__object_id=topic.pk).exists()


def test_held_content_cannot_be_edited_past_its_moderator(forum):
    newcomer = make_member(forum.pathway)
    topic = start(newcomer, forum)
    assert topic.status == ContentStatus.HELD
    assert not social.can_edit(newcomer, topic)


# Walls ----------------------------------------------------------------------------


def test_a_member_writes_on_a_wall_and_the_owner_hears_of_it(pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    post = social.do_post_on_wall(writer, owner, pathway, "Thinking of you").obj
    assert post.is_published
    assert list(wall_posts_for(owner, owner)) == [post]
    [notice] = notices(owner, "wall")
    assert notice.url.endswith(f"#wall-{post.pk}")


def test_replies_under_a_wall_message_tell_its_writer_and_the_owner(pathway):
    owner, writer, third = (make_trusted(pathway) for _ in range(3))
    post = social.do_post_on_wall(writer, owner, pathway, "Hello").obj
    social.do_post_on_wall(third, owner, pathway, "Hello both", parent=post)
    assert len(notices(owner, "wall")) == 2
    assert len(notices(writer, "wall")) == 1


def test_walls_refuse_when_closed_blocked_staff_only_or_not_shared(
    pathway, other_pathway
):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    outsider = make_trusted(other_pathway)
    with pytest.raises(SafetyError):
        social.do_post_on_wall(outsider, owner, pathway, "Hi")
    with pytest.raises(SafetyError):
        social.do_post_on_wall(writer, owner, other_pathway, "Hi")
    owner.wall_open = False
    owner.save()
    with pytest.raises(SafetyError):
        social.do_post_on_wall(writer, owner, pathway, "Hi")
    social.do_post_on_wall(owner, owner, pathway, "My own wall stays mine")
    owner.wall_open = True
    owner.wall_audience = "staff"
    owner.save()
    with pytest.raises(SafetyError):
        social.do_post_on_wall(writer, owner, pathway, "Hi")
    assert list(wall_posts_for(writer, owner)) == []
    peer = make_member(pathway, Role.PEER)
    assert social.do_post_on_wall(peer, owner, pathway, "Hi from the team").obj
    owner.wall_audience = "members"
    owner.save()
    do_block(owner, writer)
    with pytest.raises(SafetyError):
        social.do_post_on_wall(writer, owner, pathway, "Hi")


def test_milestones_are_for_ones_own_wall(pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    with pytest.raises(SafetyError):
        social.do_post_on_wall(writer, owner, pathway, "Yay", milestone=True)
    post = social.do_post_on_wall(
        owner, owner, pathway, "Three months well", milestone=True
    ).obj
    assert post.milestone


def test_the_owner_or_writer_removes_a_message_and_nobody_else(pathway):
    owner, writer, other = (make_trusted(pathway) for _ in range(3))
    post = social.do_post_on_wall(writer, owner, pathway, "Hello").obj
    with pytest.raises(SafetyError):
        social.check_remove_wall_post(other, post.pk)
    assert social.check_remove_wall_post(owner, post.pk) == post
    assert list(wall_posts_for(other, owner)) == []
    assert WallPost.objects.filter(pk=post.pk).exists()  # kept for moderators
    assert AuditEvent.objects.filter(action="wall.removed").exists()


def test_wall_messages_follow_their_pathway(pathway, other_pathway):
    from community.models import Membership

    owner = make_trusted(pathway)
    Membership.objects.create(
        user=owner, pathway=other_pathway, status="active", approved_posts=99
    )
    friend_a, friend_b = make_trusted(pathway), make_trusted(other_pathway)
    social.do_post_on_wall(friend_a, owner, pathway, "From A")
    social.do_post_on_wall(friend_b, owner, other_pathway, "From B")
    assert [p.body for p in wall_posts_for(friend_a, owner)] == ["From A"]
    assert [p.body for p in wall_posts_for(friend_b, owner)] == ["From B"]


# Presents -------------------------------------------------------------------------


def test_a_present_with_a_note_reaches_the_recipients_wall(pathway):
    sender, recipient = make_trusted(pathway), make_trusted(pathway)
    gift = make_gift()
    present = social.do_send_present(sender, recipient, pathway, gift, "For you").obj
    assert list(presents_for(recipient, recipient)) == [present]
    [notice] = notices(recipient, "present")
    assert "A cup of tea" in notice.message and "For you" not in notice.message


def test_presents_are_rate_limited_per_sender(pathway, settings):
    settings.HARBOUR_PRESENTS_PER_DAY = 2
    sender, recipient = make_trusted(pathway), make_trusted(pathway)
    gift = make_gift()
    for _ in range(2):
        social.do_send_present(sender, recipient, pathway, gift)
    with pytest.raises(SafetyError, match="tomorrow"):
        social.do_send_present(sender, recipient, pathway, gift)
    assert Present.objects.count() == 2


def test_presents_refuse_self_blocked_other_pathways_and_unoffered_gifts(
    pathway, other_pathway
):
    sender, recipient = make_trusted(pathway), make_trusted(pathway)
    outsider = make_trusted(other_pathway)
    gift = make_gift()
    elsewhere = make_gift("A shell", "star", pathways=[other_pathway])
    with pytest.raises(SafetyError):
        social.do_send_present(sender, sender, pathway, gift)
    with pytest.raises(SafetyError):
        social.do_send_present(sender, outsider, pathway, gift)
    with pytest.raises(SafetyError):
        social.do_send_present(sender, recipient, pathway, elsewhere)
    do_block(recipient, sender)
    with pytest.raises(SafetyError):
        social.do_send_present(sender, recipient, pathway, gift)
    assert not Present.objects.exists()


def test_a_present_note_goes_through_the_pipeline(other_pathway):
    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    sender, recipient = make_trusted(other_pathway), make_trusted(other_pathway)
    submission = social.do_send_present(
        sender, recipient, other_pathway, make_gift(), "You look a size 6!"
    )
    assert submission.needs_rewrite
    assert not Present.objects.exists()


# Profile text ---------------------------------------------------------------------


def test_a_bio_is_stored_per_pathway_and_read_only_where_shared(pathway, other_pathway):
    from community.models import Membership

    person = make_trusted(pathway)
    Membership.objects.create(
        user=person, pathway=other_pathway, status="active", approved_posts=99
    )
    social.do_set_profile(person, bio="Mum of two", pronouns="she/her", avatar="sun")
    assert ProfileText.objects.filter(author=person).count() == 2
    person.refresh_from_db()
    assert (person.pronouns, person.avatar) == ("she/her", "sun")
    reader = make_trusted(pathway)
    assert profile_text_for(reader, person).pathway == pathway


def test_any_pathways_rule_pack_asks_for_a_rewrite_of_a_bio(pathway, other_pathway):
    from community.models import Membership

    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    person = make_trusted(pathway)
    Membership.objects.create(
        user=person, pathway=other_pathway, status="active", approved_posts=99
    )
    submission = social.do_set_profile(
        person, bio="Now 7 stone", pronouns="", avatar="leaf"
    )
    assert submission.needs_rewrite
    assert not ProfileText.objects.exists()


def test_an_emptied_bio_is_removed(pathway):
    person = make_trusted(pathway)
    social.do_set_profile(person, bio="Hello", pronouns="", avatar="leaf")
    assert ProfileText.objects.get().body == "Hello"
    social.do_set_profile(person, bio="", pronouns="", avatar="leaf")
    assert not ProfileText.objects.exists()


def test_a_present_needs_no_note(pathway):
    sender, recipient = make_trusted(pathway), make_trusted(pathway)
    present = social.do_send_present(sender, recipient, pathway, make_gift()).obj
    assert present.is_published and present.body == ""


def test_an_edit_tells_nobody_again(forum, committed):
    author, replier = make_trusted(forum.pathway), make_trusted(forum.pathway)
    topic = start(author, forum)
    with committed():
        reply = forums.do_reply(replier, topic, "Hello").obj
    assert len(notices(author, "reply")) == 1
    with committed():
        social.do_edit(replier, reply, {"body": "Hello again"})
    assert len(notices(author, "reply")) == 1
