"""Two members of the perinatal pathway in real browsers, over the site's real
socket: one starts a topic, the other replies, reacts, writes on the first's
wall and sends a present, and the first sees each notice arrive without
reloading. A member of another pathway, with their own page open, sees none
of it: not in pages, the feed, notifications or their socket. Every page is
checked with axe; screenshots at 390px."""

import re
import threading

from playwright.sync_api import expect

from community.forums.models import Reply, Topic
from community.notifications.models import Notification
from community.social.models import Gift, Present, Reaction, WallPost
from tests.factories import make_forum, make_trusted

# A live notice crosses a commit, the channel layer (Redis in CI) and a socket;
# an event the layer drops is fetched by the page's next check (every 20 s).
LIVE_MS = 30_000
WORDS = ["Small wins this week", "Slept four hours", "So glad", "Thinking of you"]


def test_two_members_share_a_topic_a_wall_and_a_present_live(
    new_context,
    phone_page,
    pathway,
    other_pathway,
    asgi_server,
    sign_in,
    visit,
    submit,
    follow,
    screenshot,
    fits_the_screen,
    check_a11y,
):
    forum = make_forum(pathway, "Day to day")
    # The starter catalogue (a data migration) offers "A flower".
    Gift.objects.get_or_create(name="A flower", defaults={"icon": "flower"})
    maple = make_trusted(pathway, display_name="Maple")
    birch = make_trusted(pathway, display_name="Birch")
    outsider = make_trusted(other_pathway, display_name="Stranger")

    # The outsider keeps their feed open (and its socket) all along.
    stranger = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(stranger, outsider, base=asgi_server)
    visit(stranger, "/feed/", asgi_server)
    expect(stranger.locator("#harbour-live")).to_have_attribute("data-state", "open")

    # Maple starts a topic on her phone and stays on it.
    page = phone_page
    sign_in(page, maple, base=asgi_server)
    visit(page, f"/community/{pathway.slug}/forums/{forum.slug}/", asgi_server)
    page.get_by_label("Title").fill("Small wins this week")
    page.get_by_label("Your message").fill("Slept four hours in a row!")
    submit(page, "Post topic")
    topic = Topic.objects.get()
    expect(page.locator("#harbour-live")).to_have_attribute("data-state", "open")

    # Birch replies, quoting nothing, and sends a hug.
    other = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(other, birch, base=asgi_server)
    visit(other, f"/community/{pathway.slug}/topics/{topic.pk}/", asgi_server)
    other.get_by_label("Your reply").fill("So glad, @Maple. Every hour counts.")
    submit(other, "Post reply")
    assert Reply.objects.get().author == birch
    other.locator("#topic").get_by_role("button", name=re.compile("^Hug")).click()
    other.wait_for_load_state()
    expect(
        other.locator("#topic").get_by_role("button", name=re.compile("^Hug"))
    ).to_have_attribute("aria-pressed", "true")
    assert Reaction.objects.get().user == birch

    # Maple's page, not reloaded, hears of the reply and the hug.
    live = page.locator("#harbour-live")
    expect(live).to_contain_text("Birch replied to a topic you follow", timeout=LIVE_MS)
    expect(live).to_contain_text("Birch sent \u201cHug\u201d", timeout=LIVE_MS)
    expect(page.locator("#harbour-unread")).to_contain_text("2")

    # Birch writes on Maple's wall and sends her a present.
    visit(other, f"/people/{maple.pk}/", asgi_server)
    other.get_by_label("Your message").fill("Thinking of you this week.")
    submit(other, "Write on the wall")
    assert WallPost.objects.get().owner == maple
    assert Notification.objects.filter(user=maple, kind="wall").exists()
    expect(live).to_contain_text("Birch wrote on your wall", timeout=LIVE_MS)
    follow(other, "Send Maple a present")
    other.get_by_label("A flower").check()
    other.get_by_label("A short note").fill("For the good nights")
    submit(other, "Send the present")
    assert Present.objects.get().recipient == maple
    # At most three everyday notices stay on screen; the count keeps them all.
    expect(live).to_contain_text("Birch sent you a present: A flower", timeout=LIVE_MS)
    expect(page.locator("#harbour-unread")).to_contain_text("4")
    fits_the_screen(page)
    screenshot(page, "community-live-notices-390")
    check_a11y(page)

    # Maple opens her wall: the message and the present are there.
    follow(page, "My wall") if page.get_by_role(
        "link", name="My wall"
    ).is_visible() else visit(page, f"/people/{maple.pk}/", asgi_server)
    expect(page.get_by_text("Thinking of you this week.")).to_be_visible()
    expect(page.get_by_text("For the good nights")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "community-wall-390")
    visit(page, f"/community/{pathway.slug}/timeline/", asgi_server)
    expect(page.get_by_text("Small wins this week")).to_be_visible()
    expect(page.get_by_text("Birch sent Maple a present: A flower")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "community-timeline-390")

    # The stranger saw nothing live, and finds nothing anywhere.
    expect(stranger.locator("#harbour-live .harbour-notice")).to_have_count(0)
    for path in (
        "/feed/",
        "/notifications/",
        f"/search/?q={WORDS[0].split()[0]}",
        f"/people/{maple.pk}/",
        f"/community/{pathway.slug}/timeline/",
        f"/community/{pathway.slug}/topics/{topic.pk}/",
    ):
        stranger.goto(asgi_server + path)
        body = stranger.content()
        assert not [word for word in WORDS if word in body], path


def test_the_other_community_pages_pass_axe_on_a_phone(
    phone_page,
    check_a11y,
    pathway,
    sign_in,
    visit,
    submit,
    screenshot,
    fits_the_screen,
):
    from community.forums import actions as forums
    from community.models import Role
    from community.social import actions as social
    from tests.factories import TOTP_SECRET, enrol_totp, make_member

    page = phone_page
    author = make_trusted(pathway, display_name="Fern")
    friend = make_trusted(pathway, display_name="Ash")
    topic = forums.do_start_topic(
        author, make_forum(pathway), "Night feeds", "Any tips?"
    ).obj
    social.do_edit(author, topic, {"body": "Any tips for night feeds?"})
    # Actions send their events on commit through async_to_sync, which cannot
    # run in this thread once Playwright's loop is running: write from another.
    made = {}
    writer = threading.Thread(
        target=lambda: made.update(
            post=social.do_post_on_wall(friend, author, pathway, "Hello Fern").obj
        )
    )
    writer.start()
    writer.join()
    post = made["post"]

    sign_in(page, author)
    visit(page, f"/community/{pathway.slug}/edit/topic/{topic.pk}/")
    page.get_by_label("Your message").fill("")
    submit(page, "Save changes")
    from playwright.sync_api import expect

    expect(page.get_by_text("There is a problem")).to_be_visible()
    visit(page, "/account/profile/")
    page.get_by_label("About you").fill("Up at night, happy to chat")
    page.get_by_label("Moon").check()
    submit(page, "Save profile")
    expect(page.get_by_text("Up at night, happy to chat")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "community-profile-390")
    visit(page, f"/people/{author.pk}/")
    page.locator(f"#wall-{post.pk}").get_by_role("button", name="Reply").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Write your message first.")).to_be_visible()
    check_a11y(page)
    visit(page, f"/people/{friend.pk}/present/")
    submit(page, "Send the present")
    expect(page.get_by_role("link", name="Choose a present to send.")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "community-present-form-390")

    peer = make_member(pathway, Role.PEER, display_name="Wren Peer")
    enrol_totp(peer)
    page.context.clear_cookies()
    sign_in(page, peer, TOTP_SECRET)
    visit(page, f"/community/{pathway.slug}/unanswered/")
    expect(page.get_by_role("link", name="Night feeds")).to_be_visible()
    visit(page, f"/community/{pathway.slug}/history/topic/{topic.pk}/")
    expect(page.get_by_text("Any tips?", exact=True)).to_be_visible()
    fits_the_screen(page)


def test_a_second_tap_while_a_post_is_on_its_way_sends_nothing_more(
    phone_page, pathway, sign_in, visit
):
    """On a slow phone a second tap on "Post topic" (nothing seemed to
    happen) posted the topic twice. Now the form is not sent again while it
    is on its way, and its button says so; back on the page, it works again."""
    forum = make_forum(pathway, "Day to day")
    maple = make_trusted(pathway, display_name="Maple")
    page = phone_page
    sign_in(page, maple)
    visit(page, f"/community/{pathway.slug}/forums/{forum.slug}/")
    page.get_by_label("Title").fill("A slow night")
    page.get_by_label("Your message").fill("Posting from the bus, the signal is weak.")
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 1500,
            "downloadThroughput": 50_000,
            "uploadThroughput": 50_000,
        },
    )
    # Two taps 0.4 s apart, in the page (a locator would wait for the first
    # tap's navigation); what the button said between them comes back.
    between = page.get_by_role("button", name="Post topic").evaluate(
        """button => new Promise(done => {
            button.click();
            setTimeout(() => {
                const said = button.getAttribute("aria-disabled");
                button.click();
                done(said);
            }, 400);
        })"""
    )
    assert between == "true"
    page.wait_for_url(re.compile(r"/topics/\d+/"), timeout=30_000)
    network.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )
    expect(page.get_by_role("heading", name="A slow night")).to_be_visible()
    assert Topic.objects.filter(title="A slow night").count() == 1
    # Back to the forum page from the browser's history: the form posts again.
    page.go_back()
    page.get_by_label("Title").fill("Another night")
    page.get_by_label("Your message").fill("Better signal now.")
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_url(re.compile(r"/topics/\d+/"))
    assert Topic.objects.filter(title="Another night").count() == 1


def test_words_being_written_come_back_after_a_post_that_never_arrived(
    phone_page, pathway, sign_in, visit, fits_the_screen, screenshot
):
    """The phone loses its signal as Maple posts: the browser shows its own
    error page and her words are not on the server. Opening the forum again,
    they are back in the form, said to be unposted; once posted, they are
    not offered again."""
    forum = make_forum(pathway, "Day to day")
    maple = make_trusted(pathway, display_name="Maple")
    page = phone_page
    sign_in(page, maple)
    forum_path = f"/community/{pathway.slug}/forums/{forum.slug}/"
    visit(page, forum_path)
    page.get_by_label("Title").fill("Three in the morning")
    page.get_by_label("Your message").fill("Awake again. Is anyone else up?")

    page.context.set_offline(True)
    page.get_by_role("button", name="Post topic").click(no_wait_after=True)
    page.wait_for_timeout(500)
    page.context.set_offline(False)
    assert not Topic.objects.exists()

    visit(page, forum_path)
    expect(page.get_by_label("Title")).to_have_value("Three in the morning")
    expect(page.get_by_label("Your message")).to_have_value(
        "Awake again. Is anyone else up?"
    )
    expect(
        page.get_by_role("status").filter(has_text="not been posted")
    ).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "forum-kept-words-390")

    page.get_by_role("button", name="Post topic").click()
    page.wait_for_url(re.compile(r"/topics/\d+/"))
    assert Topic.objects.get().title == "Three in the morning"
    visit(page, forum_path)
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.get_by_text("not been posted")).to_have_count(0)
