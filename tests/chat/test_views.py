"""The chat page through the test client: it reads and sends with no
JavaScript, shows the pipeline's answers with the text kept and crisis
contacts at once, pages back, and shows nothing to outsiders."""

import uuid

import pytest

from chat.actions import do_open_direct
from chat.models import Message, Room
from community.models import ContentStatus, Membership, Role
from tests.chat.conftest import stored
from tests.factories import enrol_totp, make_member, make_trusted, put_on_duty

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


def test_too_fast_is_said_kindly_on_the_page(
    client, room, member, monkeypatch, one_rate_window
):
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
# the landing page, the moderation capability, the care team, who is on duty, the unread
# badge and crisis contacts (a member has no Wagtail user bar): the same at
# any length.
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


# Direct conversations ----------------------------------------------------------


def test_a_member_starts_a_conversation_from_a_profile_and_writes_in_it(
    client, room, member
):
    birch = make_trusted(room.pathway, display_name="Birch")
    client.force_login(member)
    profile = client.get(f"/people/{birch.pk}/").content.decode()
    assert (
        f'action="/messages/with/{birch.pk}/"' in profile and "Message Birch" in profile
    )
    response = client.post(
        f"/messages/with/{birch.pk}/", {"pathway": room.pathway.slug}
    )
    direct = Room.objects.get(kind="direct")
    assert response.status_code == 302 and response.url == f"/messages/{direct.pk}/"
    page = client.get(response.url).content.decode()
    assert "You and Birch" in page and "Only you and Birch can read" in page
    sent = client.post(
        response.url, {"body": "Hello Birch", "client_id": str(uuid.uuid4())}
    )
    assert sent.status_code == 302
    assert Message.objects.get(room=direct).body == "Hello Birch"
    client.force_login(birch)
    inbox = client.get("/messages/").content.decode()
    assert "Maple" in inbox and f'href="/messages/{direct.pk}/"' in inbox
    assert "1<span" in inbox  # one unread
    assert "Hello Birch" in client.get(response.url).content.decode()


def test_a_refused_conversation_is_explained_on_the_profile(client, room, member):
    child = make_member(room.pathway, display_name="Sprout", date_of_birth=None)
    client.force_login(member)
    profile = client.get(f"/people/{child.pk}/").content.decode()
    assert "/messages/with/" not in profile
    response = client.post(
        f"/messages/with/{child.pk}/", {"pathway": room.pathway.slug}, follow=True
    )
    assert "under 18" in response.content.decode()
    assert not Room.objects.filter(kind="direct").exists()


def test_after_a_block_the_conversation_reads_but_the_form_gives_way(
    client, room, member
):
    from community.actions import do_block

    birch = make_trusted(room.pathway, display_name="Birch")
    direct = do_open_direct(member, birch, room.pathway)
    stored(direct, birch, "Hello Maple")
    do_block(birch, member)
    client.force_login(member)
    page = client.get(f"/messages/{direct.pk}/").content.decode()
    assert "Hello Maple" in page and "taking direct messages from you" in page
    assert 'id="chat-form"' not in page
    kept = client.post(
        f"/messages/{direct.pk}/", {"body": "Hi?", "client_id": str(uuid.uuid4())}
    )
    assert kept.status_code == 200 and "Hi?" in kept.content.decode()
    assert Message.objects.filter(room=direct).count() == 1


def test_nobody_else_finds_a_direct_conversation_by_any_address(
    client, room, member, clinician, other_pathway
):
    birch = make_trusted(room.pathway)
    direct = do_open_direct(member, birch, room.pathway)
    support = f"/community/{room.pathway.slug}/support/{direct.pk}/"
    enrol_totp(clinician)
    for outsider in (make_member(room.pathway), make_member(other_pathway), clinician):
        client.force_login(outsider)
        assert client.get(f"/messages/{direct.pk}/").status_code == 404
        assert client.get(support).status_code == 404
        assert (
            "/messages/" + str(direct.pk)
            not in client.get("/messages/").content.decode()
        )
    client.force_login(member)
    # Its own page, not the support conversation's address.
    assert client.get(support).status_code == 404


def test_a_moderator_hides_and_pauses_from_the_page_without_javascript(
    client, room, member, clinician
):
    enrol_totp(clinician)
    message = stored(room, member, "Something unkind")
    client.force_login(clinician)
    page = client.get(url(room)).content.decode()
    hide = f"/chat/{room.pk}/{message.seq}/hide/"
    pause = f"/chat/{room.pk}/{message.seq}/pause/"
    assert hide in page and pause in page
    assert client.post(pause).status_code == 302
    assert Membership.objects.get(user=member).is_muted()
    assert client.post(hide).status_code == 302
    message.refresh_from_db()
    assert message.status == ContentStatus.HIDDEN
    client.force_login(member)
    assert hide not in client.get(url(room)).content.decode()
    assert client.post(hide).status_code == 404


def test_the_page_says_who_from_the_care_team_is_on_duty(client, room, member):
    client.force_login(member)
    assert (
        "No one from the care team is on duty" in client.get(url(room)).content.decode()
    )
    put_on_duty(
        room.pathway, make_member(room.pathway, Role.CLINICIAN, display_name="Ash")
    )
    assert "On duty from the care team: Ash" in client.get(url(room)).content.decode()


def test_the_page_reminds_someone_who_hides_that_others_do_not_see_them(
    client, room, member
):
    client.force_login(member)
    assert "Others don't see that you're here" not in (
        client.get(url(room)).content.decode()
    )
    member.show_presence = False
    member.save(update_fields=["show_presence"])
    page = client.get(url(room)).content.decode()
    assert "Others don't see that you're here" in page
    assert 'href="/account/profile/#privacy"' in page


def test_an_author_edits_and_deletes_their_message_without_javascript(
    client, room, member
):
    message = stored(room, member, "Helo all")
    client.force_login(member)
    page = client.get(url(room)).content.decode()
    edit = f"/chat/{room.pk}/{message.seq}/edit/"
    delete = f"/chat/{room.pk}/{message.seq}/delete/"
    assert edit in page and delete in page
    assert "Helo all" in client.get(edit).content.decode()
    room.pathway.watched_words = "pro-ana"
    room.pathway.save()
    kept = client.post(edit, {"body": "Hello pro-ana"})
    assert kept.status_code == 200 and "Hello pro-ana" in kept.content.decode()
    assert client.post(edit, {"body": "Hello all"}).status_code == 302
    message.refresh_from_db()
    assert (message.body, message.edited_at is not None) == ("Hello all", True)
    assert client.post(delete).status_code == 302
    message.refresh_from_db()
    assert message.deleted_at is not None
    assert "Hello all" not in client.get(url(room)).content.decode()


def test_nobody_edits_or_deletes_someone_elses_message(client, room, member):
    message = stored(room, make_trusted(room.pathway), "Mine")
    client.force_login(member)
    page = client.get(url(room)).content.decode()
    assert f"/chat/{room.pk}/{message.seq}/edit/" not in page
    assert client.get(f"/chat/{room.pk}/{message.seq}/edit/").status_code == 302
    assert client.post(f"/chat/{room.pk}/{message.seq}/delete/").status_code == 302
    message.refresh_from_db()
    assert (message.body, message.deleted_at) == ("Mine", None)


def test_the_care_teams_messages_are_marked_as_theirs(client, room, member, clinician):
    stored(room, clinician, "Hello from the team")
    stored(room, member, "Hello from a member")
    client.force_login(member)
    page = client.get(url(room)).content.decode()
    # The messages drawn, not the page's <template> of one, which has every part.
    log = page.split('id="chat-log"')[1].split("</ol>")[0]
    assert log.count("harbour-chat__staff") == 1
    assert log.index("Dr Birch") < log.index("care team</strong>")


def test_the_support_queue_serves_its_lists_alone_for_its_script(
    client, room, member, other_pathway
):
    """`?list=1` is what the queue page's script fetches to stay current:
    the lists alone, with how many wait, and for the pathway's staff only."""
    from chat.support import do_ask_for_support, do_pick_up

    clinician = make_member(room.pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    queue = f"/community/{room.pathway.slug}/support/queue/"
    client.force_login(clinician)
    page = client.get(queue).content.decode()
    assert 'data-refresh="' in page and "chat/queue.js" in page
    assert 'data-waiting="0"' in page and "Nobody is waiting." in page
    asked = do_ask_for_support(member, room.pathway)
    lists = client.get(queue + "?list=1").content.decode()
    assert lists.lstrip().startswith('<div id="support-queue-list" data-waiting="1">')
    assert "<html" not in lists and "Maple" in lists and "Pick up" in lists
    # The script puts these lists into the page: a name with markup (saved
    # past the form's rule, from a shell or an import) stays text, in both
    # the waiting and the answered lists.
    member.display_name = '<img src=x onerror="alert(1)">'
    member.save(update_fields=["display_name"])
    lists = client.get(queue + "?list=1").content.decode()
    assert (
        "<img" not in lists
        and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in lists
    )
    do_pick_up(clinician.memberships.get(), asked)
    lists = client.get(queue + "?list=1").content.decode()
    assert "<img" not in lists and "&lt;img src=x" in lists
    elsewhere = make_member(other_pathway, Role.CLINICIAN)
    enrol_totp(elsewhere)
    for outsider in (member, elsewhere):
        client.force_login(outsider)
        assert client.get(queue + "?list=1").status_code == 404


@pytest.mark.parametrize("before", ["²", "١٢", "-1", str(10**30), "", "9" * 10_000])
def test_an_odd_before_shows_the_latest_messages(client, room, member, before):
    stored(room, member, "The latest word")
    client.force_login(member)
    response = client.get(url(room), {"before": before})
    assert response.status_code == 200
    assert "The latest word" in response.content.decode()
