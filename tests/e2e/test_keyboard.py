"""Posting a reply, chatting and reporting with the keyboard alone (issue #21,
item 6; WCAG 2.1.1 Keyboard, 2.1.2 No Keyboard Trap, 2.4.1 Bypass Blocks,
2.4.7 Focus Visible), in Chromium at desktop width.

Each journey only presses keys: Tab and Shift+Tab to move, Enter or Space to
follow and press, typing to write, and the arrow keys inside a group of
radio buttons (the one way a keyboard moves within a radio group). Signing
in is set-up, not the journey. At every step the test asks the page:

- focus moved (a key that leaves focus where it was is a trap);
- the focused control is on the screen and not visually hidden;
- its focus indicator shows: once focus has left a control, its computed
  outline and box-shadow (and those of its label and the label's ::before
  and ::after, where NHS.UK radios and checkboxes draw their focus ring)
  differ from what they were while it had focus.

Each page a journey uses is also walked from the skip link to the end and
round again, so every control on it is reached, shows its focus and lets
focus go.
"""

import pytest
from playwright.sync_api import expect

from chat.models import Message
from community.forums import actions as forums
from community.forums.models import Reply
from community.moderation.models import Report
from tests.factories import make_forum, make_trusted

# Runs after each key press. Describes the focused element, checks it is on
# screen, and compares the element focus just left with how it looked while
# focused (kept in the page between presses; a new page starts afresh).
STEP = """() => {
  const looks = (el) => {
    const parts = [el, ...(el.labels ? Array.from(el.labels) : [])];
    return parts.flatMap((part) => [null, "::before", "::after"].map((pseudo) => {
      const s = getComputedStyle(part, pseudo);
      return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(" ");
    })).join(" | ");
  };
  const name = (el) => {
    if (!el || el === document.body) return "(the page itself)";
    const label = el.getAttribute("aria-label")
      || (el.labels && el.labels[0] && el.labels[0].innerText)
      || el.innerText || el.value || el.id || "";
    return el.tagName.toLowerCase() + ' "' + label.trim().replace(/\\s+/g, " ")
      .slice(0, 60) + '"';
  };
  const keys = window.__harbourKeys || (window.__harbourKeys = {});
  const el = document.activeElement;
  const step = {
    now: name(el),
    isPage: !el || el === document.body,
    moved: el !== keys.el,
    // A control focus left (not the page, nor an element only focused by
    // script, such as <main> after the skip link: not a control).
    left: keys.el && keys.el !== el && keys.el !== document.body
      && keys.el.isConnected && keys.el.tabIndex >= 0 ? name(keys.el) : null,
    leftShowedFocus: null,
    onScreen: null,
  };
  if (step.left) {
    step.leftShowedFocus = looks(keys.el) !== keys.looks;
  }
  if (!step.isPage) {
    const parts = [el, ...(el.labels ? Array.from(el.labels) : [])];
    step.onScreen = parts.some((part) => {
      const r = part.getBoundingClientRect();
      return r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0
        && r.top < innerHeight && r.left < innerWidth;
    });
  }
  keys.el = el;
  keys.looks = el ? looks(el) : "";
  return step;
}"""


class Keys:
    """A keyboard, and what the test saw at each press."""

    def __init__(self, page):
        self.page = page

    def press(self, key: str) -> dict:
        """Press a moving key (Tab or Shift+Tab) and check the step."""
        self.page.keyboard.press(key)
        step = self.page.evaluate(STEP)
        assert step["moved"], f"{key} left focus on {step['now']}: a keyboard trap"
        self.check(step)
        return step

    def check(self, step: dict) -> None:
        if step["left"] is not None:
            assert step["leftShowedFocus"], (
                f"{step['left']} looked the same focused and unfocused: "
                "no visible focus indicator"
            )
        if not step["isPage"]:
            assert step["onScreen"], f"{step['now']} has focus but is not on screen"

    def start(self) -> None:
        """On a newly opened page: nothing has focus yet."""
        step = self.page.evaluate(STEP)
        assert step["isPage"], f"{step['now']} had focus before any key"

    def tab_to(self, role: str, name: str, limit: int = 60, exact=True) -> None:
        """Tab (wrapping round the page if need be) until the control with
        this role and accessible name has focus; fail if it never does."""
        target = self.page.get_by_role(role, name=name, exact=exact)
        expect(target).to_have_count(1)
        for _ in range(limit):
            self.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
        pytest.fail(f"{role} {name!r} not reached in {limit} presses of Tab")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def activate(self, key: str = "Enter", navigates: bool = True) -> None:
        """Press the focused control with Enter or Space."""
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)

    def use_skip_link(self) -> None:
        """The first Tab on a page shows the skip link; Enter on it takes
        focus into the main content, and the next Tab stays inside it."""
        self.start()
        step = self.press("Tab")
        assert step["now"] == 'a "Skip to main content"', step["now"]
        self.page.keyboard.press("Enter")
        self.press("Tab")
        assert self.page.evaluate(
            "document.querySelector('main').contains(document.activeElement)"
        ), "the skip link did not take focus into the main content"

    def walk_the_page(self, limit: int = 200) -> list[str]:
        """On a newly opened page, Tab through every control from the skip
        link until focus has gone round the page (back to the page itself or
        the first control), then Shift+Tab once: each step checked. Returns
        what had focus, in order."""
        self.start()
        seen: list[str] = []
        for _ in range(limit):
            step = self.press("Tab")
            if step["isPage"] or (seen and step["now"] == seen[0]):
                break
            seen.append(step["now"])
        else:
            pytest.fail(f"focus never came round the page in {limit} presses")
        assert seen[0] == 'a "Skip to main content"' and len(seen) > 3, seen
        self.press("Shift+Tab")
        return seen


@pytest.fixture
def topic(pathway):
    forum = make_forum(pathway, "Day to day")
    author = make_trusted(pathway, display_name="Sharp Words")
    return forums.do_start_topic(
        author, forum, "Night feeds", "Any tips for getting through them?"
    ).obj


def test_a_member_replies_to_a_topic_with_the_keyboard_alone(
    page, pathway, topic, sign_in, live_server, check_a11y
):
    member = make_trusted(pathway, display_name="Gentle Dawn")
    sign_in(page, member)
    page.goto(f"{live_server.url}/community/{pathway.slug}/topics/{topic.pk}/")
    keys = Keys(page)
    keys.walk_the_page()

    page.reload()
    keys.use_skip_link()
    keys.tab_to("textbox", "Your reply")
    keys.type("Warm milk and a podcast help me.")
    keys.tab_to("button", "Post reply")
    keys.activate("Enter")
    check_a11y(page)
    reply = Reply.objects.get()
    assert (reply.author, reply.body) == (member, "Warm milk and a podcast help me.")
    expect(page.get_by_text("Warm milk and a podcast help me.")).to_be_visible()


def test_a_member_chats_in_the_pathway_room_with_the_keyboard_alone(
    page, pathway, sign_in, asgi_server, check_a11y
):
    member = make_trusted(pathway, display_name="Gentle Dawn")
    sign_in(page, member, base=asgi_server)
    page.goto(f"{asgi_server}/community/{pathway.slug}/chat/")
    expect(page.locator("#chat")).to_have_attribute("data-state", "open")
    keys = Keys(page)
    keys.walk_the_page()

    page.reload()
    expect(page.locator("#chat")).to_have_attribute("data-state", "open")
    keys.use_skip_link()
    keys.tab_to("textbox", "Your message")
    keys.type("Is anyone up?")
    keys.tab_to("button", "Send")
    keys.activate("Space", navigates=False)  # sent over the socket
    expect(page.locator("#message-1")).to_contain_text("Is anyone up?")
    expect(page.locator("#message-1")).not_to_contain_text("Sending")
    assert Message.objects.get().body == "Is anyone up?"
    # Sending leaves focus where the member can write the next message.
    keys.tab_to("textbox", "Your message")
    check_a11y(page)


def test_a_member_reports_a_post_with_the_keyboard_alone(
    page, pathway, topic, sign_in, live_server, check_a11y
):
    member = make_trusted(pathway, display_name="Gentle Dawn")
    sign_in(page, member)
    page.goto(f"{live_server.url}/community/{pathway.slug}/topics/{topic.pk}/")
    keys = Keys(page)
    keys.use_skip_link()
    keys.tab_to("link", "Report post by Sharp Words")
    keys.activate("Enter")
    check_a11y(page)
    keys.walk_the_page()

    page.reload()
    keys.use_skip_link()
    keys.tab_to("radio", "Someone may be at risk")
    page.keyboard.press("ArrowDown")  # within the group: the next reason
    expect(page.get_by_role("radio", name="It is unkind or hurtful")).to_be_checked()
    keys.tab_to("textbox", "Anything else a moderator should know", exact=False)
    keys.type("Calling everyone pathetic.")
    keys.tab_to("button", "Send report")
    keys.activate("Space")
    check_a11y(page)
    expect(page.get_by_text("Thank you for telling us")).to_be_visible()
    report = Report.objects.get()
    assert (report.reporter, report.reason) == (member, "unkind")


def test_the_keyboard_checks_fail_on_a_hidden_focus_and_a_trap(page):
    """The checks above bite: a link whose focus shows nothing, and a field
    that takes Tab back to itself, each fail."""
    page.set_content(
        "<style>a:focus { outline: none; box-shadow: none; }</style>"
        "<main><a href='#one'>One</a> <a href='#two'>Two</a></main>"
    )
    keys = Keys(page)
    keys.start()
    keys.press("Tab")
    with pytest.raises(AssertionError, match='a "One" looked the same'):
        keys.press("Tab")

    page.set_content("<input aria-label='Stuck'> <button>Next</button>")
    page.evaluate(
        "document.querySelector('input').addEventListener('keydown',"
        " (e) => { if (e.key === 'Tab') e.preventDefault(); })"
    )
    keys = Keys(page)
    keys.press("Tab")
    with pytest.raises(
        AssertionError, match='Tab left focus on input "Stuck": a keyboard trap'
    ):
        keys.press("Tab")
