"""The chat page through the test client: it reads and sends with no
JavaScript, shows the pipeline's answers with the text kept and crisis
contacts at once, pages back, and shows nothing to outsiders."""

import uuid

import pytest

from chat.models import Message
from community.models import ContentStatus, Role
from tests.chat.conftest import stored
from tests.factories import enrol_totp, make_member, make_trusted

pytestmark = pytest.mark.django_db


def url(room, query=""):
    return f"/community/{room.pathway.slug}/chat/{query}"


def post(client, room, body, client_id=None):
    return client.post(
        url(room), {"body": body, "client_id": str(client_id or uuid.uuid4())}
    )


def test_a_member_reads_the_room_and_sends_by_a_plain_form(client, room, member):
    other = make_trusted(room.pathway, display_name="Rowan")
    stored(room, other, "Morning everyone")
    client.force_login(member)
    page = client.get(url(room)).content.decode()
    assert "Morning everyone" in page and "Rowan" in page
    assert 'role="log"' in page and 'aria-live="polite"' in page
    assert 'data-last-seq="1"' in page
    response = post(client, room, "Tea & <b>toast</b>")
    message = Message.objects.get(author=member)
    assert response.status_code == 302
    assert response.url == f"{url(room)}#message-2"
    page = client.get(url(room)).content.decode()
    assert message.body == "Tea & toast"  # markup is stripped by the pipeline
    assert "Tea &amp; toast" in page  # and the text escaped
    assert f'id="message-{message.seq}"' in page
    assert 'data-last-seq="2"' in page


def test_posting_the_same_form_twice_stores_one_message(client, room, member):
    client.force_login(member)
    client_id = uuid.uuid4()
    post(client, room, "Only once", client_id)
    post(client, room, "Only once", client_id)
    assert Message.objects.count() == 1


def test_a_rewrite_shows_the_form_again_with_the_text_kept(client, room, member):
    room.pathway.watched_words = "pro-ana"
    room.pathway.save()
    client.force_login(member)
    response = post(client, room, "Anyone here pro-ana?")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Anyone here pro-ana?</textarea>" in page
    assert not Message.objects.exists()


def test_too_fast_is_said_kindly_on_the_page(client, room, member, monkeypatch):
    monkeypatch.setattr("chat.actions.RATE_MESSAGES", 1)
    client.force_login(member)
    post(client, room, "one")
    page = post(client, room, "two").content.decode()
    assert "sending messages very quickly" in page
    assert Message.objects.count() == 1


def test_risk_shows_crisis_contacts_at_once(client, room, member):
    client.force_login(member)
    response = client.post(
        url(room),
        {"body": "I want to kill myself", "client_id": str(uuid.uuid4())},
        follow=True,
    )
    page = response.content.decode()
    assert "Help is here, right now" in page
    assert "116 123" in page  # Samaritans, among the national contacts


def test_a_held_message_shows_to_its_author_only(client, room):
    newcomer = make_member(room.pathway)
    client.force_login(newcomer)
    post(client, room, "First time here")
    assert Message.objects.get().status == ContentStatus.HELD
    page = client.get(url(room)).content.decode()
    assert "First time here" in page and "Waiting for a moderator" in page
    client.force_login(make_trusted(room.pathway))
    assert "First time here" not in client.get(url(room)).content.decode()


def test_outsiders_and_strangers_find_nothing(client, room, other_pathway):
    stored(room, make_trusted(room.pathway), "Private words")
    client.force_login(make_member(other_pathway))
    assert client.get(url(room)).status_code == 404
    assert post(client, room, "Let me in").status_code == 404
    client.logout()
    assert client.get(url(room)).status_code == 404
    assert Message.objects.count() == 1


def test_older_messages_are_a_page_back(client, room, member):
    for n in range(55):
        stored(room, member, f"message number {n + 1}.")
    client.force_login(member)
    page = client.get(url(room)).content.decode()
    assert "message number 6." in page and "message number 5." not in page
    assert 'href="?before=6"' in page
    older = client.get(url(room, "?before=6")).content.decode()
    assert "message number 5." in older and "message number 6." not in older
    assert "Back to the latest messages" in older and 'data-live="off"' in older


def test_staff_read_and_report_links_point_at_each_message(client, room, member):
    clinician = make_member(room.pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    message = stored(room, member, "Hello")
    client.force_login(clinician)
    page = client.get(url(room)).content.decode()
    report = f"/community/{room.pathway.slug}/report/chat/{message.pk}/"
    assert report in page
    assert client.get(report).status_code == 200


# Session, user, two-factor and membership checks, the room, the reader's mute
# words, the messages with their authors (blocks and mutes inside that query),
# the landing page, the moderation capability, the unread badge, crisis
# contacts and the Wagtail user bar's permissions: the same at any length.
@pytest.mark.parametrize("size", [3, 45])
def test_the_page_costs_the_same_queries_at_any_length(
    client, room, member, size, django_assert_num_queries
):
    authors = [make_trusted(room.pathway) for _ in range(3)]
    for n in range(size):
        stored(room, authors[n % 3], f"message {n}")
    client.force_login(member)
    client.get(url(room))  # warm the session and the locale
    with django_assert_num_queries(QUERIES_ROOM):
        assert client.get(url(room)).status_code == 200


QUERIES_ROOM = 16


def test_the_pathway_landing_page_links_to_its_chat(client, room, member):
    from home.models import PathwayPage

    client.force_login(member)
    landing = PathwayPage.objects.get(pathway=room.pathway)
    page = client.get(landing.url).content.decode()
    assert f'href="{url(room)}"' in page and "Go to the chat" in page
