"""Easy read in a phone's browser (decision 0030): a member of a pathway whose
lead made easy read the default sees plain words, pictures and one column at
390 px, has the page read to them, posts a reply, and turns easy read off and
on again. Every page is checked with axe (conftest.py); the screenshots in
/tmp/easy-*.png are for a person to look at."""

import re
from pathlib import Path

from playwright.sync_api import expect

from community.forums import actions as forums
from tests.factories import make_forum, make_member, make_pathway, make_trusted

# Stands in for the browser's voice, which a test machine may not have: it
# keeps what it was asked to say, and says it for as long as the test wants.
FAKE_VOICE = """
window.__spoken = [];
window.__said = [];
const synth = window.speechSynthesis;
synth.speak = (utterance) => {
  window.__spoken.push(utterance.text);
  window.__said.push(utterance);
};
synth.cancel = () => { window.__spoken.push("(cancel)"); };
synth.pause = () => { window.__spoken.push("(pause)"); };
synth.resume = () => { window.__spoken.push("(resume)"); };
"""
# Where the screenshots go for a person to look at (the brief's place for them).
SHOTS = Path("/tmp")  # noqa: S108 - written, never read back or trusted
NO_VOICE = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def easy_pathway():
    pathway = make_pathway("Learning disabilities", easy_read_by_default=True)
    forum = make_forum(pathway, "Day to day")
    author = make_trusted(pathway)
    topic = forums.do_start_topic(
        author, forum, "My good day", "I went to the park today."
    ).obj
    return pathway, topic


def test_an_easy_read_member_on_a_phone(
    phone_page, visit, submit, sign_in, fits_the_screen
):
    pathway, topic = easy_pathway()
    member = make_trusted(pathway)  # joining turned easy read on
    page = phone_page
    page.add_init_script(FAKE_VOICE)
    sign_in(page, member)

    visit(page, f"/{pathway.slug}/")
    expect(page.locator("body")).to_have_class(re.compile(r"\bharbour-easy-read\b"))
    expect(page.get_by_role("link", name="Talk with others")).to_be_visible()
    expect(page.get_by_role("link", name="Chat now")).to_be_visible()
    assert page.locator("main img.harbour-easy-icon").count() >= 3
    # Larger text than the usual 16 px on a phone, and large targets.
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 19
    talk = page.get_by_role("link", name="Talk with others").bounding_box()
    assert talk is not None and talk["height"] >= 48
    fits_the_screen(page)
    page.screenshot(path=SHOTS / "easy-pathway.png", full_page=True)

    # Read this to me: the main content, a line at a time; pause and stop.
    read = page.get_by_role("button", name="Read this to me")
    expect(read).to_be_visible()
    read.click()
    spoken = page.evaluate("window.__spoken")
    # What is left over is stopped first; then the page's heading, alone.
    assert spoken == ["(cancel)", "Learning disabilities"]
    # When a line has been said, the next one follows.
    page.evaluate("window.__said[0].onend()")
    assert len(page.evaluate("window.__spoken")) == 3
    assert not any("Turn off easy read" in line for line in spoken)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Carry on")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Paused.")).to_be_visible()
    page.get_by_role("button", name="Carry on").click()
    page.get_by_role("button", name="Stop").click()
    expect(read).to_be_visible()
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    assert page.evaluate("window.__spoken").count("(pause)") == 1

    # A topic: the easy reply form, posted.
    visit(page, f"/community/{pathway.slug}/topics/{topic.pk}/")
    expect(page.get_by_role("heading", name="Write an answer")).to_be_visible()
    page.get_by_label("Write your answer here").fill("I like the park too.")
    fits_the_screen(page)
    page.screenshot(path=SHOTS / "easy-topic.png", full_page=True)
    submit(page, "Send my answer")
    expect(page.get_by_text("I like the park too.")).to_be_visible()

    # The other journeys, each in easy words, checked by axe, one column wide.
    journeys = {
        f"/community/{pathway.slug}/forums/": "Pick what you want to talk about.",
        f"/people/{member.pk}/": "Write something for your page",
        f"/community/{pathway.slug}/chat/": "Talk to staff on your own",
        "/messages/": "You have no chats yet.",
        "/notifications/": "There is no news yet.",
        "/help/": "Do you feel unsafe? Call someone now.",
    }
    for path, words in journeys.items():
        visit(page, path)
        expect(page.get_by_text(words)).to_be_visible()
        fits_the_screen(page)
    page.screenshot(path=SHOTS / "easy-help.png", full_page=True)
    visit(page, f"/people/{member.pk}/")
    page.screenshot(path=SHOTS / "easy-wall.png", full_page=True)
    visit(page, f"/community/{pathway.slug}/topics/{topic.pk}/")

    # Turning it off from any page comes back to that page, in the usual words.
    submit(page, "Turn off easy read")
    expect(page.get_by_text("Easy read is off.")).to_be_visible()
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    expect(page.get_by_role("button", name="Read this to me")).to_have_count(0)

    # And back on from the settings page.
    visit(page, "/account/easy-read/")
    page.get_by_label("On: easy read").check()
    submit(page, "Save")
    expect(page.get_by_text("Easy read is on.")).to_be_visible()
    fits_the_screen(page)
    page.screenshot(path=SHOTS / "easy-settings.png", full_page=True)


def test_no_read_aloud_button_where_the_browser_cannot_speak(
    phone_page, visit, sign_in
):
    pathway, _topic = easy_pathway()
    member = make_member(pathway)
    page = phone_page
    page.add_init_script(NO_VOICE)
    sign_in(page, member)
    visit(page, f"/{pathway.slug}/")
    expect(page.get_by_role("link", name="Talk with others")).to_be_visible()
    expect(page.get_by_role("button", name="Read this to me")).to_be_hidden()
    # Turning easy read off needs no script and no voice.
    expect(page.get_by_role("button", name="Turn off easy read")).to_be_visible()
