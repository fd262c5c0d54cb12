"""A member on her phone and a clinician at a desk chat in their pathway's
room, and in a support conversation the clinician picks up from the queue,
over the site's real socket (uvicorn serving the ASGI application). The
member's message reaches the clinician live; the member's phone loses its
connection, the clinician sends two messages meanwhile, and when the phone is
back each of them shows exactly once, in order. Without its script the
same page still reads and sends. Checked with axe; screenshots at 390px."""

from playwright.sync_api import expect

from chat.models import Message
from community.models import Role
from home.models import PathwayPage
from tests.factories import TOTP_SECRET, enrol_totp, make_member, make_trusted


def bodies(page):
    return page.locator("#chat-log .harbour-chat__body").all_inner_texts()


def member_and_clinician(pathway):
    """Maple, a trusted member, and Dr Birch, a clinician with two-factor."""
    birch = make_member(pathway, Role.CLINICIAN, display_name="Dr Birch")
    enrol_totp(birch)
    return make_trusted(pathway, display_name="Maple"), birch


def send(page, text):
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def test_a_member_and_a_clinician_chat_live_through_a_dropped_connection(
    new_context,
    phone_page,
    pathway,
    asgi_server,
    sign_in,
    visit,
    check_a11y,
    screenshot,
    fits_the_screen,
):
    maple, birch = member_and_clinician(pathway)
    room_path = f"/community/{pathway.slug}/chat/"

    # Maple finds the chat from her pathway's landing page, on her phone.
    member = phone_page
    sign_in(member, maple, base=asgi_server)
    visit(member, PathwayPage.objects.get(pathway=pathway).url, asgi_server)
    member.get_by_role("link", name="Go to the chat").click()
    member.wait_for_url(f"**{room_path}")
    check_a11y(member)
    chat = member.locator("#chat")
    expect(chat).to_have_attribute("data-state", "open")

    clinician = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(clinician, birch, totp_secret=TOTP_SECRET, base=asgi_server)
    visit(clinician, room_path, asgi_server)
    expect(clinician.locator("#chat")).to_have_attribute("data-state", "open")

    # Maple writes; it is sent over the socket and Dr Birch sees it live.
    send(member, "Is anyone around tonight?")
    expect(member.locator("#message-1")).to_contain_text("Is anyone around tonight?")
    expect(member.locator("#message-1")).not_to_contain_text("Sending")
    expect(clinician.locator("#message-1")).to_contain_text("Is anyone around tonight?")
    expect(member.get_by_label("Your message")).to_have_value("")

    # Maple's phone drops its connection.
    member.context.set_offline(True)
    expect(chat).to_have_attribute("data-state", "closed")
    send(clinician, "Hello Maple, I'm here.")
    send(clinician, "How are you feeling?")
    expect(clinician.locator("#message-3")).to_contain_text("How are you feeling?")
    expect(member.locator("#message-2")).to_have_count(0)
    expect(member.locator("#chat-connection")).to_be_visible()
    # Dr Birch is typing while Maple is away; then Maple comes back.
    member.context.set_offline(False)
    expect(chat).to_have_attribute("data-state", "open")
    expect(member.locator("#message-3")).to_contain_text("How are you feeling?")
    expect(member.locator("#chat-connection")).to_be_hidden()
    assert bodies(member) == [
        "Is anyone around tonight?",
        "Hello Maple, I'm here.",
        "How are you feeling?",
    ]
    clinician.get_by_label("Your message").press_sequentially("Take")
    expect(member.locator("#chat-typing")).to_contain_text("Dr Birch is typing")

    # A reply after the reconnect comes once too.
    send(member, "Better for talking. Thank you.")
    expect(clinician.locator("#message-4")).to_contain_text("Better for talking")
    assert len(bodies(member)) == 4 and len(bodies(clinician)) == 4
    assert Message.objects.count() == 4
    fits_the_screen(member)
    check_a11y(member)
    check_a11y(clinician)
    screenshot(member, "chat-room-390")


def test_the_room_reads_and_sends_without_its_script(
    phone_page, pathway, live_server, sign_in, visit, submit, screenshot
):
    """chat.js never loads (as with JavaScript off, or a script blocked): the
    page is a plain form that posts. (axe needs the browser's JavaScript, so
    the chat's own script is blocked rather than all of it.)"""
    maple = make_trusted(pathway, display_name="Maple")
    page = phone_page
    page.route("**/chat/chat.js", lambda route: route.abort())
    sign_in(page, maple)
    visit(page, f"/community/{pathway.slug}/chat/")
    page.get_by_label("Your message").fill("Typing with no scripts")
    submit(page, "Send")
    expect(page.locator("#message-1")).to_contain_text("Typing with no scripts")
    pathway.watched_words = "pro-ana"
    pathway.save()
    page.get_by_label("Your message").fill("anyone pro-ana?")
    submit(page, "Send")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value("anyone pro-ana?")
    screenshot(page, "chat-room-no-js-390")


def test_what_a_member_writes_survives_a_reload_going_offline_and_signing_out(
    phone_page, pathway, asgi_server, sign_in, visit, fits_the_screen, screenshot
):
    """Words typed come back after a reload; a message sent with the phone
    offline waits in the page (no form posted into no network), survives a
    reload while the socket cannot connect, and is stored once when the
    socket is back. Signing out forgets what the tab kept."""
    maple = make_trusted(pathway, display_name="Maple")
    page = phone_page
    blocked = {"socket": False}

    def chat_socket(ws):
        if blocked["socket"]:
            ws.close()
        else:
            ws.connect_to_server()

    sign_in(page, maple, base=asgi_server)
    room_path = f"/community/{pathway.slug}/chat/"
    visit(page, room_path, asgi_server)
    chat = page.locator("#chat")
    box = page.get_by_label("Your message")
    expect(chat).to_have_attribute("data-state", "open")

    # Typed, not sent, and the page reloads: the words are still there.
    box.press_sequentially("I can't sleep again")
    page.reload()
    expect(box).to_have_value("I can't sleep again")

    # The phone goes offline and Maple sends: it waits in the page.
    page.context.set_offline(True)
    expect(chat).to_have_attribute("data-state", "closed")
    expect(page.locator("#chat-connection")).to_contain_text("You're offline")
    page.get_by_role("button", name="Send", exact=True).click()
    waiting = page.locator("#chat-log li:not([data-seq])")
    expect(waiting).to_contain_text("I can't sleep again")
    expect(waiting).to_contain_text("Not sent yet")
    expect(box).to_have_value("")
    assert page.url.endswith(room_path) and not Message.objects.exists()
    fits_the_screen(page)
    screenshot(page, "chat-offline-queued-390")

    # Back online, but the socket cannot connect yet, and the page reloads:
    # the waiting message is drawn again from what the tab kept.
    blocked["socket"] = True
    page.route_web_socket("**/ws/chat/**", chat_socket)
    page.context.set_offline(False)
    page.reload()
    expect(waiting).to_contain_text("I can't sleep again")
    expect(waiting).to_contain_text("Not sent yet")
    assert not Message.objects.exists()

    # The socket comes back: the message is stored, once.
    blocked["socket"] = False
    expect(page.locator("#message-1")).to_contain_text(
        "I can't sleep again", timeout=20000
    )
    expect(page.locator("#message-1")).not_to_contain_text("Not sent yet")
    expect(waiting).to_have_count(0)
    page.reload()
    expect(chat).to_have_attribute("data-state", "open")
    assert bodies(page) == ["I can't sleep again"]
    assert Message.objects.filter(body="I can't sleep again").count() == 1
    expect(box).to_have_value("")

    # A new draft, then Maple signs out: the tab keeps nothing of it.
    box.press_sequentially("Thinking of writing more")
    assert any(
        key.startswith("harbour-")
        for key in page.evaluate("Object.keys(sessionStorage)")
    )
    # (The header's "Sign out" link, folded into its menu on a phone.)
    page.goto(asgi_server + "/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(lambda url: "/logout/" not in url)
    kept = page.evaluate("Object.keys(sessionStorage)")
    assert not [key for key in kept if key.startswith("harbour-")]


def test_going_offline_shows_at_once_though_the_socket_never_finishes_closing(
    phone_page, pathway, asgi_server, sign_in, visit
):
    """A close handshake cannot cross a dead network, so a socket's own close
    event may be a minute coming (CI once saw the room still "open" 5 s after
    the phone went offline). Here the handshake never finishes: the route
    swallows the page's close. The page still says at once that it is
    offline, keeps a message sent meanwhile, and sends it once back online."""
    maple = make_trusted(pathway, display_name="Maple")
    page = phone_page

    def never_closing(ws):
        ws.connect_to_server()
        ws.on_close(lambda code, reason: None)  # the close goes nowhere

    sign_in(page, maple, base=asgi_server)
    page.route_web_socket("**/ws/chat/**", never_closing)
    visit(page, f"/community/{pathway.slug}/chat/", asgi_server)
    chat = page.locator("#chat")
    expect(chat).to_have_attribute("data-state", "open")

    page.context.set_offline(True)
    expect(chat).to_have_attribute("data-state", "closed", timeout=2000)
    expect(page.locator("#chat-connection")).to_contain_text("You're offline")
    send(page, "Still awake, anyone around?")
    expect(page.locator("#chat-log li:not([data-seq])")).to_contain_text("Not sent yet")

    # Send with nothing written, still offline: the page says so itself (a
    # plain post would go into no network and lose the chat page).
    send(page, "   ")
    expect(page.locator("#chat-error")).to_have_text("Write your message first.")
    expect(chat).to_be_visible()

    page.context.set_offline(False)
    expect(chat).to_have_attribute("data-state", "open")
    expect(page.locator("#message-1")).to_contain_text("Still awake, anyone around?")
    expect(page.locator("#message-1")).not_to_contain_text("Not sent yet")
    assert Message.objects.filter(body="Still awake, anyone around?").count() == 1


def test_sends_refused_after_an_offline_spell_all_come_back_into_the_box(
    phone_page, pathway, asgi_server, sign_in, visit
):
    """Two messages wait while the phone is offline; meanwhile the pathway
    starts watching a word in both, so back online both are refused. Both
    come back into the box, one after the other: neither is lost."""
    maple = make_trusted(pathway, display_name="Maple")
    page = phone_page
    sign_in(page, maple, base=asgi_server)
    visit(page, f"/community/{pathway.slug}/chat/", asgi_server)
    chat = page.locator("#chat")
    expect(chat).to_have_attribute("data-state", "open")
    page.context.set_offline(True)
    expect(chat).to_have_attribute("data-state", "closed")
    send(page, "anyone pro-ana here?")
    send(page, "pro-ana tips please")
    expect(page.locator("#chat-log li:not([data-seq])")).to_have_count(2)
    pathway.watched_words = "pro-ana"
    pathway.save()
    page.context.set_offline(False)
    expect(page.get_by_label("Your message")).to_have_value(
        "anyone pro-ana here?\n\npro-ana tips please", timeout=20_000
    )
    expect(page.locator("#chat-error")).to_be_visible()
    expect(page.locator("#chat-log li:not([data-seq])")).to_have_count(0)
    assert not Message.objects.exists()


def test_a_member_asks_for_support_and_the_clinician_picks_it_up(
    new_context,
    phone_page,
    pathway,
    asgi_server,
    sign_in,
    visit,
    submit,
    check_a11y,
    screenshot,
    fits_the_screen,
):
    maple, birch = member_and_clinician(pathway)

    # Dr Birch has the queue open, with nobody waiting.
    clinician = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(clinician, birch, totp_secret=TOTP_SECRET, base=asgi_server)
    visit(clinician, f"/community/{pathway.slug}/support/queue/", asgi_server)
    expect(clinician.get_by_text("Nobody is waiting.")).to_be_visible()
    expect(clinician.locator("#harbour-live")).to_have_attribute("data-state", "open")

    member = phone_page
    sign_in(member, maple, base=asgi_server)
    visit(member, f"/community/{pathway.slug}/chat/", asgi_server)
    member.get_by_role("link", name="Talk privately to the care team").click()
    member.wait_for_load_state()
    check_a11y(member)
    submit(member, "Ask for support")
    expect(member.get_by_text("Waiting for someone from the care team")).to_be_visible()
    expect(member.locator("#chat")).to_have_attribute("data-state", "open")
    send(member, "I can't sleep and my head is loud.")
    expect(member.locator("#message-1")).not_to_contain_text("Sending")

    # The queue shows Maple at once, without a reload (the notice of her
    # asking makes it fetch its lists), and says so to a screen reader.
    expect(clinician.get_by_text("waiting 0 minutes")).to_be_visible()
    expect(clinician.locator("#support-queue-status")).to_have_text(
        "Someone is waiting to talk."
    )
    assert clinician.title().startswith("(1) ")
    check_a11y(clinician)
    screenshot(clinician, "chat-support-queue")
    submit(clinician, "Pick up the conversation with Maple")
    expect(member.locator("#chat-support-status")).to_have_text(
        "Dr Birch from the care team is here."
    )
    expect(member.locator("#chat-waiting")).to_have_count(0)
    expect(clinician.locator("#message-1")).to_contain_text("my head is loud")
    expect(clinician.locator("#chat")).to_have_attribute("data-state", "open")
    send(clinician, "I'm here, Maple. Tell me more?")
    expect(member.locator("#message-2")).to_contain_text("I'm here, Maple.")
    expect(member.locator("#chat-waiting")).to_have_count(0)

    # The test of done: the phone drops its connection mid-conversation
    # and comes back; nothing is missing or doubled.
    member.context.set_offline(True)
    expect(member.locator("#chat")).to_have_attribute("data-state", "closed")
    send(clinician, "Is anyone with you tonight?")
    send(clinician, "You can call the crisis line too.")
    expect(clinician.locator("#message-4")).to_contain_text("crisis line")
    member.context.set_offline(False)
    expect(member.locator("#message-4")).to_contain_text("crisis line")
    assert (
        bodies(member)
        == bodies(clinician)
        == [
            "I can't sleep and my head is loud.",
            "I'm here, Maple. Tell me more?",
            "Is anyone with you tonight?",
            "You can call the crisis line too.",
        ]
    )
    fits_the_screen(member)
    check_a11y(member)
    screenshot(member, "chat-support-390")

    # Dr Birch ends the conversation. Maple's open page says so at once,
    # without a reload: the box is gone, her words stay, the crisis
    # contacts and a way to start again are there, and a screen reader
    # hears it from the status line.
    submit(clinician, "End the conversation")
    ended = member.locator("#chat-ended")
    expect(ended).to_contain_text("This conversation has ended.")
    expect(ended.get_by_role("link", name="Start a new conversation")).to_be_visible()
    expect(member.get_by_label("Your message")).to_have_count(0)
    expect(member.get_by_text("Dr Birch from the care team is here.")).to_have_count(0)
    expect(member.locator("#chat-status")).to_have_text("This conversation has ended.")
    assert bodies(member)[0] == "I can't sleep and my head is loud."
    fits_the_screen(member)
    check_a11y(member)
    screenshot(member, "chat-support-ended-390")


def test_two_members_talk_directly_with_presence_receipts_and_a_resync(
    new_context,
    phone_page,
    pathway,
    asgi_server,
    sign_in,
    visit,
    check_a11y,
    screenshot,
    fits_the_screen,
):
    """Maple, on her phone, starts a conversation from Birch's profile; Birch
    finds it in Messages. Each sees the other here, Maple sees "Seen" once
    Birch has read her message; while her phone is offline Birch deletes one
    of his messages and writes again: back online, the deleted one is gone
    (the rejoin asks for changes made while away) and the new one is there,
    once. Then Maple deletes her first message, asked first."""
    maple = make_trusted(pathway, display_name="Maple")
    birch = make_trusted(pathway, display_name="Birch")

    member = phone_page
    sign_in(member, maple, base=asgi_server)
    visit(member, f"/people/{birch.pk}/", asgi_server)
    member.get_by_role("button", name="Message Birch").click()
    member.wait_for_url("**/messages/*/")
    check_a11y(member)
    expect(member.locator("#chat")).to_have_attribute("data-state", "open")
    expect(member.get_by_role("heading", name="You and Birch")).to_be_visible()
    send(member, "Hello Birch, how was today?")
    expect(member.locator("#message-1")).not_to_contain_text("Sending")

    other = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(other, birch, base=asgi_server)
    visit(other, "/messages/", asgi_server)
    expect(other.get_by_text("1 unread message")).to_be_attached()
    other.get_by_role("link", name="Maple").click()
    other.wait_for_url("**/messages/*/")
    expect(other.locator("#message-1")).to_contain_text("how was today?")
    expect(member.locator("#chat-presence")).to_have_text("Here now: Birch")
    expect(other.locator("#chat-presence")).to_have_text("Here now: Maple")
    expect(member.locator("#message-1 .harbour-chat__seen")).to_contain_text("Seen")
    send(other, "Long, but OK. You?")
    expect(member.locator("#message-2")).to_contain_text("Long, but OK.")

    member.context.set_offline(True)
    expect(member.locator("#chat")).to_have_attribute("data-state", "closed")
    # Birch takes back what he wrote while Maple's phone is away.
    other.once("dialog", lambda dialog: dialog.accept())
    other.locator("#message-2").get_by_role("button", name="Delete").click()
    expect(other.locator("#message-2")).to_have_count(0)
    send(other, "Sorry, ignore that. Better now?")
    expect(other.locator("#message-3")).to_contain_text("Better now?")
    member.context.set_offline(False)
    expect(member.locator("#chat")).to_have_attribute("data-state", "open")
    expect(member.locator("#message-3")).to_contain_text("Better now?")
    expect(member.locator("#message-2")).to_have_count(0)
    assert bodies(member) == [
        "Hello Birch, how was today?",
        "Sorry, ignore that. Better now?",
    ]
    fits_the_screen(member)
    check_a11y(member)
    screenshot(member, "chat-direct-390")
    # Maple takes her first message back: asked first, then gone for both.
    member.once("dialog", lambda dialog: dialog.accept())
    member.locator("#message-1").get_by_role("button", name="Delete").click()
    expect(other.locator("#message-1")).to_have_count(0)
    expect(member.locator("#message-1")).to_have_count(0)
    visit(member, "/messages/", asgi_server)
    fits_the_screen(member)
    screenshot(member, "chat-inbox-390")
