"""An open topic shows new replies live (decision 0031): two members in two
browsers, one on a phone reading, the other posting. The reader sees each
reply appear without a reload, announced politely and without losing focus,
including a reply posted while their phone was offline; the poster's focus
moves to their new reply."""

import threading

from django.db import connection
from playwright.sync_api import expect

from community.forums import actions as forums
from community.models import ContentStatus, Role
from community.moderation.cases import do_decide_case
from community.moderation.models import Decision, ModerationCase
from tests.factories import make_forum, make_member, make_trusted, membership

SHOT = "/tmp/live-topic-{}.png"  # noqa: S108 - a fixed place to look at them


def test_a_reply_appears_live_for_the_reader_and_takes_the_posters_focus(
    new_context,
    phone_page,
    pathway,
    asgi_server,
    sign_in,
    visit,
    check_a11y,
    fits_the_screen,
):
    author = make_trusted(pathway, display_name="Rowan")
    reader_person = make_trusted(pathway, display_name="Hazel")
    poster_person = make_trusted(pathway, display_name="Alder")
    topic = forums.do_start_topic(
        author, make_forum(pathway), "Nights are hard", "What helps you sleep?"
    ).obj
    path = f"/community/{pathway.slug}/topics/{topic.pk}/"

    reader = phone_page
    sign_in(reader, reader_person, base=asgi_server)
    # The reader's bell socket goes through a stand-in that can drop it; the
    # reply after the first is posted while the page has no socket (as the
    # page reconnects), before the new socket reaches the server.
    sockets = []

    def post_meanwhile():
        forums.do_reply(poster_person, topic, "Counting slow breaths.")
        connection.close()

    def through(route):
        sockets.append(route)
        if len(sockets) == 2:
            # In a thread of its own: this handler runs on Playwright's event
            # loop, where the reply's on-commit send cannot run.
            posting = threading.Thread(target=post_meanwhile)
            posting.start()
            posting.join()
        route.connect_to_server()

    reader.route_web_socket("**/ws/notifications/", through)
    visit(reader, path, asgi_server)
    replies = reader.locator("#topic-replies")
    expect(replies).to_have_attribute("data-state", "watching")
    reader.evaluate("window.harbourNotReloaded = true")
    reader.get_by_label("Your reply").focus()

    poster = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(poster, poster_person, base=asgi_server)
    visit(poster, path, asgi_server)
    poster.get_by_label("Your reply").fill("A warm bath & <b>no</b> phone.")
    with poster.expect_navigation():
        poster.get_by_role("button", name="Post reply", exact=True).click()
    first = topic.replies.get()
    # The poster lands on their reply, and it has the focus.
    expect(poster.locator(f"#reply-{first.pk}")).to_be_focused()
    check_a11y(poster)

    # The reader sees it without a reload, as the server draws it (escaped),
    # is told politely, and keeps their place in the reply box.
    live = reader.locator(f"#reply-{first.pk}")
    expect(live).to_contain_text("A warm bath & no phone.")
    expect(live.locator("b")).to_have_count(0)
    expect(reader.locator("#topic-no-replies")).to_have_count(0)
    expect(reader.locator("#topic-live-status")).to_have_text("New reply from Alder.")
    expect(reader.get_by_label("Your reply")).to_be_focused()
    assert reader.evaluate("window.harbourNotReloaded === true")
    check_a11y(reader)
    fits_the_screen(reader)
    reader.screenshot(path=SHOT.format("reader"), full_page=True)

    # The reader's connection drops; a reply posted meanwhile appears once
    # the socket is back (the catch-up), once, after the first.
    sockets[0].close(code=4000, reason="dropped")
    live = reader.locator("#topic-replies article")
    expect(live.nth(1)).to_contain_text("Counting slow breaths.")
    second = topic.replies.order_by("pk").last()
    assert len(sockets) == 2
    ids = reader.locator("#topic-replies article").evaluate_all(
        "articles => articles.map(a => a.id)"
    )
    assert ids == [f"reply-{first.pk}", f"reply-{second.pk}"]
    assert reader.evaluate("window.harbourNotReloaded === true")
    reader.screenshot(path=SHOT.format("after-reconnect"), full_page=True)


def test_a_held_reply_approved_later_takes_its_place_live(
    phone_page, pathway, asgi_server, sign_in, visit
):
    """A newcomer's reply waits for a moderator; a trusted member's reply
    after it shows at once. When the moderator approves the held one it
    appears live above the later reply (its id is older), and one approved
    while the reader's socket was away is found when the socket is back."""

    def in_a_thread(work):
        # Not on Playwright's event loop (this thread's), where a write's
        # on-commit send cannot run.
        made = []
        thread = threading.Thread(target=lambda: made.append(work()))
        thread.start()
        thread.join()
        return made[0] if made else None

    def make_replies():
        author = make_trusted(pathway, display_name="Rowan")
        topic = forums.do_start_topic(
            author, make_forum(pathway), "Mornings", "What gets you up?"
        ).obj
        held = [
            forums.do_reply(make_member(pathway), topic, words).obj
            for words in ("Coffee, slowly.", "The dog.")
        ]
        published = forums.do_reply(make_trusted(pathway), topic, "Light.").obj
        moderator = membership(make_member(pathway, Role.PEER), pathway)
        reader = make_trusted(pathway, display_name="Hazel")
        connection.close()
        return topic, held, published, moderator, reader

    topic, held, published, moderator, reader_person = in_a_thread(make_replies)
    first_held, second_held = held
    assert first_held.status == second_held.status == ContentStatus.HELD

    def approve(reply):
        do_decide_case(
            moderator,
            ModerationCase.objects.get(object_id=reply.pk),
            Decision.APPROVE,
        )
        connection.close()

    sockets = []

    def through(route):
        sockets.append(route)
        if len(sockets) == 2:
            in_a_thread(lambda: approve(second_held))
        route.connect_to_server()

    reader = phone_page
    sign_in(reader, reader_person, base=asgi_server)
    reader.route_web_socket("**/ws/notifications/", through)
    visit(reader, f"/community/{pathway.slug}/topics/{topic.pk}/", asgi_server)
    replies = reader.locator("#topic-replies")
    expect(replies).to_have_attribute("data-state", "watching")
    order = "articles => articles.map(a => a.id)"
    assert replies.locator("article").evaluate_all(order) == [f"reply-{published.pk}"]

    in_a_thread(lambda: approve(first_held))
    expect(reader.locator(f"#reply-{first_held.pk}")).to_contain_text("Coffee")
    assert replies.locator("article").evaluate_all(order) == [
        f"reply-{first_held.pk}",
        f"reply-{published.pk}",
    ]

    sockets[0].close(code=4000, reason="dropped")
    expect(reader.locator(f"#reply-{second_held.pk}")).to_contain_text("The dog.")
    assert replies.locator("article").evaluate_all(order) == [
        f"reply-{first_held.pk}",
        f"reply-{second_held.pk}",
        f"reply-{published.pk}",
    ]
