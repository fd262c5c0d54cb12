"""Comments on blog posts and videos: the safety pipeline on every comment,
two levels of threading, follow-up notices that respect blocks, reports into
the moderation queue, and nothing for anyone outside the pathway."""

import pytest

from community.actions import Refused, do_block
from community.models import ContentStatus, Role
from community.moderation.cases import do_decide_case
from community.moderation.models import ModerationCase, ReportReason, RiskAlert
from community.notifications.models import Notification
from home.comments import do_comment
from home.models import PageComment
from tests.factories import make_blog_post, make_member, make_trusted, put_on_duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(pathway):
    return make_blog_post(pathway)


def test_a_member_comments_and_sees_it_under_the_post(client, post, pathway):
    client.force_login(make_trusted(pathway, display_name="Maple"))
    response = client.post(post.url, {"comment": "This helped me too"})
    comment = PageComment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{post.url}#comment-{comment.pk}"
    assert comment.status == ContentStatus.PUBLISHED and comment.pathway == pathway
    page = client.get(post.url).content.decode()
    assert "This helped me too" in page and "Maple" in page


def test_bad_comments_are_shown_again_with_their_text(client, post, pathway):
    pathway.rule_packs = ["eating_disorders"]
    pathway.save()
    client.force_login(make_trusted(pathway))
    empty = client.post(post.url, {"comment": ""}).content.decode()
    assert "Write your comment first." in empty
    numbers = client.post(post.url, {"comment": "I ate 1200 kcal"}).content.decode()
    assert "There is a problem" in numbers and "I ate 1200 kcal" in numbers
    assert not PageComment.objects.exists()


def test_a_new_members_comment_is_held_and_risk_alerts_the_one_on_duty(
    client, post, pathway
):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    client.force_login(make_member(pathway))
    page = client.post(
        post.url, {"comment": "I want to kill myself"}, follow=True
    ).content.decode()
    comment = PageComment.objects.get()
    assert comment.status == ContentStatus.HELD
    assert "Help is here, right now" in page and "116 123" in page
    assert RiskAlert.objects.get().notified == clinician
    case = ModerationCase.objects.get()
    assert case.held and case.content == comment


def test_replies_go_one_level_deep(post, pathway):
    first = make_trusted(pathway)
    top = do_comment(first, post, "Top").obj
    reply = do_comment(make_trusted(pathway), post, "Reply", parent_id=top.pk).obj
    assert (reply.level, reply.thread_id) == (1, top.pk)
    with pytest.raises(Refused):
        do_comment(make_trusted(pathway), post, "Deeper", parent_id=reply.pk)


def test_follow_up_notices_reach_followers_but_not_those_who_blocked(post, pathway):
    follower, blocker, writer = (make_trusted(pathway) for _ in range(3))
    top = do_comment(follower, post, "Following this", follow=True).obj
    do_comment(blocker, post, "Me too", follow=True)
    do_block(blocker, writer)
    do_comment(writer, post, "Welcome", parent_id=top.pk)
    # The follower hears of both later comments; the one who blocked the
    # writer hears nothing of the writer's.
    assert Notification.objects.filter(user=follower, kind="comment").count() == 2
    assert not Notification.objects.filter(user=blocker, kind="comment").exists()
    assert not Notification.objects.filter(user=writer, kind="comment").exists()


def test_comments_are_reported_into_the_queue(client, post, pathway):
    comment = do_comment(make_trusted(pathway), post, "Unkind words").obj
    client.force_login(make_member(pathway))
    url = f"/community/{pathway.slug}/report/comment/{comment.pk}/"
    client.post(url, {"reason": ReportReason.UNKIND})
    case = ModerationCase.objects.get()
    assert case.report_count == 1 and case.content == comment
    do_decide_case(
        make_member(pathway, Role.CLINICIAN).memberships.get(),
        case,
        "edit_out",
        edited_text="[removed]",
    )
    comment.refresh_from_db()
    assert comment.comment == "[removed]" and comment.original_body == "Unkind words"


def test_no_one_outside_the_pathway_reads_or_writes_comments(
    client, post, pathway, other_pathway
):
    comment = do_comment(make_trusted(pathway), post, "Inside only").obj
    client.force_login(make_member(other_pathway))
    assert client.post(post.url, {"comment": "hello"}).status_code == 404
    url = f"/community/{other_pathway.slug}/report/comment/{comment.pk}/"
    assert client.get(url).status_code == 404
    client.logout()
    assert client.post(post.url, {"comment": "hello"}).status_code == 404
    assert PageComment.objects.count() == 1


@pytest.mark.parametrize("count", [2, 10])
def test_a_post_with_comments_runs_a_constant_number_of_queries(
    client, post, pathway, count, django_assert_num_queries
):
    for n in range(count):
        do_comment(make_trusted(pathway), post, f"Comment {n}")
    client.force_login(make_trusted(pathway))
    client.get(post.url)
    with django_assert_num_queries(POST_WITH_COMMENTS_QUERIES):
        assert client.get(post.url).status_code == 200


# Session, user and membership checks, Wagtail's serve and the pathway
# lookup, the comments with their authors, mute words, the badge,
# the footer's list of translations, the care teams' roles for the badges by
# staff names, the page's locale (its lang mark: docs/welsh.md).
POST_WITH_COMMENTS_QUERIES = 26
