"""The page frame's extras cost nothing unless a page uses them."""

import pytest
from django.test import RequestFactory

from community.notifications.actions import notify
from community.web.context_processors import harbour
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_unread_count_and_crisis_contacts_for_the_reader(
    pathway, django_assert_num_queries
):
    user = make_member(pathway)
    notify(user, pathway, "moderation", "Hello")
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(0):
        context = harbour(request)
    assert str(context["unread_notifications"]) == "1"
    names = [c.name for c in context["my_crisis_contacts"]]
    assert any("Samaritans" in name for name in names)


# Easy read: the frame says whether the reader chose it, and every journey's
# page speaks easy read then (decision 0030) ---------------------------------


def test_easy_read_is_the_readers_own_setting_at_no_cost(
    pathway, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = make_member(pathway, easy_read=True)
    with django_assert_num_queries(0):
        assert harbour(request)["easy_read"] is True
    request.user = AnonymousUser()
    assert harbour(request)["easy_read"] is False


def _journeys(client, pathway, reader):
    """Each main journey's page as `reader` sees it, by name."""
    from community.forums import actions as forums
    from tests.factories import make_forum, make_trusted

    forum = make_forum(pathway)
    author = make_trusted(pathway)
    topic = forums.do_start_topic(author, forum, "Small wins", "Made tea").obj
    client.force_login(reader)
    urls = {
        "pathway": f"/{pathway.slug}/",
        "forums": f"/community/{pathway.slug}/forums/",
        "topic": f"/community/{pathway.slug}/topics/{topic.pk}/",
        "wall": f"/people/{reader.pk}/",
        "chat": f"/community/{pathway.slug}/chat/",
        "inbox": "/messages/",
        "help": "/help/",
        "notifications": "/notifications/",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


EASY_WORDS = {
    "pathway": ["Talk with others", "Chat now", "What is new"],
    "forums": ["Talk with others in", "Pick what you want to talk about."],
    "topic": ["Write an answer", "Write your answer here", "Send my answer"],
    "wall": ["My page", "Write something for your page", "Put it on my page"],
    "chat": ["Talk to staff on your own", "Write here"],
    "inbox": ["My chats", "You have no chats yet."],
    "help": ["Do you feel unsafe? Call someone now."],
    "notifications": ["News for you", "There is no news yet."],
}
USUAL_WORDS = {
    "pathway": ["Go to the forums", "Go to the chat"],
    "forums": ["Forums in"],
    "topic": ["Post reply", "Your reply"],
    "wall": ["Your wall", "Share something on your wall"],
    "chat": ["Talk privately to the care team", "Your message"],
    "inbox": ["You have no conversations yet."],
    "help": ["Get help now"],
    "notifications": ["Choose how you're told"],
}


def test_every_journey_speaks_easy_read_to_an_easy_read_reader(client, pathway):
    pages = _journeys(client, pathway, make_member(pathway, easy_read=True))
    for name, page in pages.items():
        for words in EASY_WORDS[name]:
            assert words in page, (name, words)
        for words in USUAL_WORDS[name][:1] if name != "help" else ():
            assert words not in page, (name, words)
        # The frame: body class, menu, read-aloud bar and its script.
        assert '<body class="harbour-easy-read ' in page, name
        assert "My groups" in page and "News for you" in page, name
        assert 'id="harbour-read-aloud" hidden' in page, name
        assert "harbour/read-aloud.js" in page, name
        assert "Turn off easy read" in page, name
    # Pictures beside the main actions, with no words of their own.
    assert 'harbour/easy-read/send.svg" alt=""' in pages["topic"]
    assert 'harbour/easy-read/talk.svg" alt=""' in pages["pathway"]


def test_other_readers_keep_the_usual_words_and_no_easy_read_frame(client, pathway):
    pages = _journeys(client, pathway, make_member(pathway))
    for name, page in pages.items():
        for words in USUAL_WORDS[name]:
            assert words in page, (name, words)
        assert "harbour-easy-read" not in page.split("<body", 1)[1][:60], name
        assert "read-aloud.js" not in page and "harbour-easy-icon" not in page, name
        assert "Send my answer" not in page and "My groups" not in page, name
