"""Forum pages and reporting through the test client: what people see, the
pipeline's answers as form errors with the text kept, crisis contacts at once,
and nothing of another pathway."""

import pytest

from community.forums import actions as forums
from community.forums.models import Topic
from community.models import ContentStatus, Role
from community.moderation.models import ModerationCase, Report
from tests.factories import enrol_totp, make_forum, make_member, make_trusted

pytestmark = pytest.mark.django_db

# Session, user, two-factor and membership checks, the reader's mute words
# (once), the pager's count, the page's rows and the unread badge (a member has
# no Wagtail user bar, so no permissions are read): the same whatever the
# forum's or topic's length. A topic adds whether the reader follows it and
# the reactions to the topic and its replies; a forum, its page's reply counts.
# Both also read the care team's roles, for the badges by staff names.
QUERIES_FORUM = 12
QUERIES_TOPIC = 14


@pytest.fixture
def forum(pathway):
    return make_forum(pathway)


def signed_in(client, user):
    client.force_login(user)
    return user


def topic_by(author, forum, title="Hello", body="A good day"):
    return forums.do_start_topic(author, forum, title, body).obj


def test_a_member_starts_a_topic_and_lands_on_it(client, forum):
    signed_in(client, make_trusted(forum.pathway))
    url = f"/community/{forum.pathway.slug}/forums/{forum.slug}/"
    response = client.post(url, {"title": "Small wins", "body": "Made tea"})
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response.url == f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
    page = client.get(response.url).content.decode()
    assert "Small wins" in page and "Made tea" in page


def test_a_rewrite_request_shows_the_form_again_with_the_text(client, other_pathway):
    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    forum = make_forum(other_pathway)
    signed_in(client, make_trusted(other_pathway))
    response = client.post(
        f"/community/{other_pathway.slug}/forums/{forum.slug}/",
        {"title": "Update", "body": "I was 45kg last week"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "I was 45kg last week" in page  # nothing the person typed is lost
    assert not Topic.objects.exists()


def test_empty_and_overlong_posts_get_kind_messages(client, forum):
    signed_in(client, make_trusted(forum.pathway))
    url = f"/community/{forum.pathway.slug}/forums/{forum.slug}/"
    empty = client.post(url, {"title": "", "body": ""}).content.decode()
    assert "Give your topic a title." in empty and "Write your message first." in empty
    long = client.post(url, {"title": "T", "body": "x" * 10_001}).content.decode()
    assert "10,000 characters" in long


def test_risk_shows_crisis_contacts_at_once(client, forum):
    signed_in(client, make_trusted(forum.pathway))
    response = client.post(
        f"/community/{forum.pathway.slug}/forums/{forum.slug}/",
        {"title": "tonight", "body": "I want to kill myself"},
        follow=True,
    )
    page = response.content.decode()
    assert "Help is here, right now" in page
    assert "Samaritans" in page and "116 123" in page


def test_a_held_post_is_shown_to_its_author_only(client, forum):
    author = make_member(forum.pathway)
    topic = topic_by(author, forum)
    assert topic.status == ContentStatus.HELD
    signed_in(client, author)
    url = f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
    assert "Waiting for a moderator" in client.get(url).content.decode()
    signed_in(client, make_member(forum.pathway))
    assert client.get(url).status_code == 404
    assert (
        "Hello"
        not in client.get(
            f"/community/{forum.pathway.slug}/forums/{forum.slug}/"
        ).content.decode()
    )


def test_member_text_is_escaped(client, forum):
    signed_in(client, make_trusted(forum.pathway))
    topic = topic_by(
        make_trusted(forum.pathway), forum, "a < b", "1 < 2 & <img src=x onerror=y>"
    )
    page = client.get(
        f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
    ).content.decode()
    assert "<img" not in page and "a &lt; b" in page


def test_replying_and_the_reply_anchor(client, forum):
    topic = topic_by(make_trusted(forum.pathway), forum)
    signed_in(client, make_trusted(forum.pathway))
    url = f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
    response = client.post(url, {"body": "Welcome!"})
    reply = topic.replies.get()
    assert response.url == f"{url}?page=last#reply-{reply.pk}"
    assert "Welcome!" in client.get(response.url).content.decode()
    assert "Write your reply first." in client.post(url, {"body": ""}).content.decode()


def test_a_muted_member_is_told_and_keeps_their_text(client, forum):
    author = signed_in(client, make_trusted(forum.pathway))
    from datetime import timedelta

    from django.utils import timezone

    author.memberships.update(muted_until=timezone.now() + timedelta(hours=1))
    page = client.post(
        f"/community/{forum.pathway.slug}/forums/{forum.slug}/",
        {"title": "Hi", "body": "Keep this"},
    ).content.decode()
    assert "paused your posting" in page and "Keep this" in page


def test_reporting_a_topic(client, forum):
    topic = topic_by(make_trusted(forum.pathway), forum)
    signed_in(client, make_member(forum.pathway))
    url = f"/community/{forum.pathway.slug}/report/topic/{topic.pk}/"
    assert "Someone may be at risk" in client.get(url).content.decode()
    assert "Choose a reason." in client.post(url, {}).content.decode()
    response = client.post(url, {"reason": "unkind", "detail": "mean"}, follow=True)
    assert "Thank you for telling us" in response.content.decode()
    assert Report.objects.get().reason == "unkind"
    again = client.post(url, {"reason": "spam"}, follow=True).content.decode()
    assert "already reported" in again
    assert ModerationCase.objects.get().report_count == 1


def test_nothing_of_another_pathway_is_reachable(client, forum, other_pathway):
    topic = topic_by(make_trusted(forum.pathway), forum)
    reply = forums.do_reply(make_trusted(forum.pathway), topic, "Reply").obj
    outsider = make_member(other_pathway, Role.CLINICIAN)
    enrol_totp(outsider)
    signed_in(client, outsider)
    slug = forum.pathway.slug
    for url in [
        f"/community/{slug}/forums/",
        f"/community/{slug}/forums/{forum.slug}/",
        f"/community/{slug}/topics/{topic.pk}/",
        f"/community/{slug}/report/topic/{topic.pk}/",
        f"/community/{slug}/report/reply/{reply.pk}/",
        # Their own pathway's slug with this pathway's ids.
        f"/community/{other_pathway.slug}/topics/{topic.pk}/",
        f"/community/{other_pathway.slug}/report/topic/{topic.pk}/",
        f"/community/{slug}/report/nonsense/{topic.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "spam", "body": "x"}).status_code == 404
    assert not Report.objects.exists()


@pytest.mark.parametrize("size", [2, 12])
def test_forum_and_topic_pages_run_a_constant_number_of_queries(
    client, forum, size, django_assert_num_queries
):
    author = make_trusted(forum.pathway)
    topic = topic_by(author, forum)
    for n in range(size):
        topic_by(make_trusted(forum.pathway), forum, f"Topic {n}")
        forums.do_reply(make_trusted(forum.pathway), topic, f"Reply {n}")
    reader = signed_in(client, make_trusted(forum.pathway))
    from community.actions import do_add_mute_word

    do_add_mute_word(reader, "nothing-matches")
    slug = forum.pathway.slug
    # Warm the session and the per-process caches, then count.
    client.get(f"/community/{slug}/forums/{forum.slug}/")
    with django_assert_num_queries(QUERIES_FORUM):
        assert client.get(f"/community/{slug}/forums/{forum.slug}/").status_code == 200
    with django_assert_num_queries(QUERIES_TOPIC):
        assert client.get(f"/community/{slug}/topics/{topic.pk}/").status_code == 200


def test_the_forum_page_counts_published_replies(client, forum):
    author = make_trusted(forum.pathway)
    topic = topic_by(author, forum)
    forums.do_reply(make_trusted(forum.pathway), topic, "One")
    forums.do_reply(make_member(forum.pathway), topic, "Held, not counted")
    signed_in(client, author)
    page = client.get(f"/community/{forum.pathway.slug}/forums/{forum.slug}/")
    assert "1 reply" in page.content.decode()


@pytest.mark.parametrize("quote", ["²", "١", "-1", str(10**30), "x" * 10_000, ""])
def test_an_odd_quote_is_no_quote(client, pathway, quote):
    forum = make_forum(pathway)
    author = make_trusted(pathway)
    topic = forums.do_start_topic(author, forum, "Small wins", "Made tea").obj
    signed_in(client, author)
    response = client.get(
        f"/community/{pathway.slug}/topics/{topic.pk}/", {"quote": quote}
    )
    assert response.status_code == 200


def test_the_live_fetch_draws_new_replies_escaped_for_readers_only(
    client, forum, other_pathway
):
    from community.actions import do_block

    topic = topic_by(make_trusted(forum.pathway), forum)
    replier, blocked = make_trusted(forum.pathway), make_trusted(forum.pathway)
    first = forums.do_reply(replier, topic, "First").obj
    second = forums.do_reply(replier, topic, "1 < 2 & <img src=x onerror=y>").obj
    forums.do_reply(blocked, topic, "From someone blocked")
    held = forums.do_reply(make_member(forum.pathway), topic, "Held for now").obj
    assert held.status == ContentStatus.HELD
    reader = signed_in(client, make_trusted(forum.pathway))
    do_block(reader, blocked)
    url = f"/community/{forum.pathway.slug}/topics/{topic.pk}/replies/"
    page = client.get(f"{url}?after={first.pk}").content.decode()
    assert f'id="reply-{second.pk}" tabindex="-1"' in page
    assert "1 &lt; 2 &amp;" in page and "<img" not in page
    assert f"reply-{first.pk}" not in page
    assert "someone blocked" not in page and "Held for now" not in page
    assert "data-more" not in page
    for after in ("", "x", "-1"):
        assert (
            f"reply-{first.pk}" in client.get(f"{url}?after={after}").content.decode()
        )
    # Another pathway's member: not found, as for a missing topic.
    signed_in(client, make_member(other_pathway))
    assert client.get(f"{url}?after=0").status_code == 404
    missing = f"/community/{forum.pathway.slug}/topics/99999/replies/"
    signed_in(client, reader)
    assert client.get(missing).status_code == 404


def test_only_the_last_page_of_a_topic_is_live_and_posts_take_focus(client, forum):
    from community.forums.views import REPLIES_PER_PAGE

    topic = topic_by(make_trusted(forum.pathway), forum)
    reader = signed_in(client, make_trusted(forum.pathway))
    url = f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
    page = client.get(url).content.decode()
    assert 'data-last="0"' in page and "harbour/topic.js" in page
    assert 'aria-live="polite"' in page and "harbour/focus-post.js" in page
    for n in range(REPLIES_PER_PAGE + 1):
        forums.do_reply(reader, topic, f"Reply {n}")
    first_page = client.get(url).content.decode()
    assert "data-live=" not in first_page
    last = topic.replies.order_by("pk").last()
    last_page = client.get(f"{url}?page=last").content.decode()
    assert f'data-last="{last.pk}"' in last_page
    assert f'id="reply-{last.pk}" tabindex="-1"' in last_page
