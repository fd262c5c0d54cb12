"""The pages a member uses most (home, their pathway, a topic, the chat room,
help) under the display preferences people set (issue #21, item 6): text at
200% (WCAG 1.4.4 Resize Text) and reduced motion (WCAG 2.3.3, and the
operating system setting many people with vestibular or anxiety conditions
turn on).

Text at 200% is done two ways, because they fail in different ways:

- Text only, at 390px and at 1280px: the test sets the root font size to
  200% (through the CSS object model, which the Content-Security-Policy
  allows; NHS.UK frontend sizes its text in rem, so all of it doubles). This
  is the text resize WCAG 1.4.4 names, and what phones do with a larger
  font setting: only text grows, so a box sized in pixels that holds text is
  where clipping shows, and at 1280px the desktop layout must hold text twice
  its size. (Chromium's own font-size setting, the DevTools protocol's
  `Page.setFontSizes`, was tried first: the page's computed styles changed,
  but its screenshots were painted at the default size, so what the test
  checked and what a person looked at would differ.)
- Page zoom at 200% on the desktop (Ctrl and +): everything grows, so the
  1280px window lays out as 640 CSS pixels at two device pixels each, which
  is how it is emulated here; NHS.UK's breakpoints (in em) move as they do
  under real zoom. On a 390px phone page zoom to 200% would mean a 195px
  layout, narrower than the 320px WCAG 1.4.10 asks of reflow, so the phone
  is tested with text size.

For each: the page does not scroll sideways, and no visible control is cut
off, by the edge of the window or by a box that hides what overflows it.
Screenshots are saved as /tmp/a11y-*.png for a person to look at.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from community.forums import actions as forums
from community.models import CrisisContact
from community.queries import landing_url
from tests.e2e.conftest import DESKTOP, SCREENS
from tests.factories import make_forum, make_trusted

SHOTS = Path("/tmp")  # noqa: S108 (where the brief asks for them, to look at)

# Every visible control that is cut off: outside the window's width, or
# outside an ancestor that clips what overflows it (a control inside a box
# that scrolls sideways, such as a wide table's wrapper, can be scrolled to).
# Visually hidden text (NHS.UK's 1px boxes) and the skip link (shown on
# focus) are not visible controls.
CLIPPED_CONTROLS = """() => {
  const controls =
    "a[href], button, input:not([type=hidden]), select, textarea, summary";
  const found = [];
  const width = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") continue;
    if (el.closest(".nhsuk-u-visually-hidden, .nhsuk-skip-link")) continue;
    const name = el.tagName.toLowerCase() + ' "' +
      (el.innerText || el.value || el.getAttribute("aria-label") || "").trim()
        .replace(/\\s+/g, " ").slice(0, 50) + '"';
    let scrolls = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const s = getComputedStyle(up);
      if (s.overflowX === "auto" || s.overflowX === "scroll") { scrolls = true; break; }
      if (s.overflowX !== "visible" || s.overflowY !== "visible") {
        const outer = up.getBoundingClientRect();
        if (box.left < outer.left - 1 || box.right > outer.right + 1 ||
            box.top < outer.top - 1 || box.bottom > outer.bottom + 1) {
          found.push(name + " is cut off by " + up.tagName.toLowerCase() +
            "." + [...up.classList].join("."));
        }
      }
    }
    if (scrolls) continue;
    if (box.left < -1 || box.right > width + 1) {
      found.push(name + " reaches past the window (" + Math.round(box.left) +
        " to " + Math.round(box.right) + " of " + width + ")");
    }
    // Its own text cut off inside it (fields scroll their text by design).
    if (!["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) &&
        style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1) {
      found.push(name + " cuts off its own text");
    }
  }
  return found;
}"""

# What makes the page wider than the window: the innermost elements that
# reach past its right edge (outside any box that scrolls sideways).
WIDER_THAN_WINDOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const wide = [...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width <= 1) return false;
    for (let up = el.parentElement; up; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x !== "visible") return false;
    }
    return true;
  });
  return wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)))
    .slice(0, 5).map((el) => el.tagName.toLowerCase() +
      (el.className && typeof el.className === "string" ? "." +
        el.className.trim().split(/\\s+/).join(".") : "") +
      " reaches " + Math.round(el.getBoundingClientRect().right) + "px of " + width);
}"""

# Text at 200% from the start of every page, before its scripts run (NHS.UK's
# header measures its menu as the page loads, as it would with a phone's
# font setting in force).
TEXT_200 = """
new MutationObserver((_, watch) => {
  if (!document.documentElement) return;
  document.documentElement.style.setProperty("font-size", "200%", "important");
  watch.disconnect();
}).observe(document, { childList: true });
"""

# What moves on the page under reduced motion: any element (or its ::before
# and ::after) with an animation or transition longer than 0.01s, and any
# smooth scrolling.
MOTION = """() => {
  const seconds = (list) => list.split(",").map((part) =>
    part.trim().endsWith("ms") ? parseFloat(part) / 1000 : parseFloat(part));
  const found = [];
  for (const el of [document.documentElement, ...document.querySelectorAll("*")]) {
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.classList.length ? "." + [...el.classList].join(".") : "") + (pseudo || "");
      if (s.animationName !== "none" &&
          Math.max(...seconds(s.animationDuration)) > 0.01) {
        found.push(name + " animates for " + s.animationDuration);
      }
      if (Math.max(...seconds(s.transitionDuration)) > 0.01) {
        found.push(name + " has a transition of " + s.transitionDuration);
      }
      if (pseudo === null && s.scrollBehavior === "smooth") {
        found.push(name + " scrolls smoothly");
      }
    }
  }
  return found;
}"""


@pytest.fixture
def member_pages(pathway):
    """A member of the perinatal pathway, and the pages they use most, with
    something on each: (name, path, a heading the page must show)."""
    CrisisContact.objects.create(
        pathway=pathway,
        name="Perinatal crisis team",
        phone="0300 123 4567",
        description="Your care team's line, 9am to 9pm.",
        locale=Locale.get_default(),
    )
    member = make_trusted(pathway, display_name="Morning Tide")
    friend = make_trusted(pathway, display_name="Wren")
    topic = forums.do_start_topic(
        friend,
        make_forum(pathway, "Day to day"),
        "Getting through the night feeds when everyone else is asleep",
        "What helps you stay calm at 3am? Podcasts, tea, counting breaths?",
    ).obj
    pages = [
        ("home", "/", "Hello, Morning Tide"),
        ("pathway", landing_url(pathway), "Perinatal care"),
        ("topic", f"/community/{pathway.slug}/topics/{topic.pk}/", topic.title),
        ("chat", f"/community/{pathway.slug}/chat/", None),
        ("help", "/help/", None),
    ]
    return member, pages


def open_each(page, base, pages, check):
    """Open each page, wait for it to settle, and run `check(name)`."""
    for name, path, heading in pages:
        page.goto(base + path)
        page.wait_for_load_state("load")
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check(name)


@pytest.mark.parametrize(
    "mode",
    ["text-200-390", "text-200-1280", "zoom-200-1280"],
)
def test_pages_at_200_percent_text_fit_and_cut_nothing_off(
    mode, new_context, member_pages, asgi_server, sign_in, fits_the_screen
):
    member, pages = member_pages
    if mode == "zoom-200-1280":
        width, height = DESKTOP["width"] // 2, DESKTOP["height"] // 2
        context = new_context(
            viewport={"width": width, "height": height}, device_scale_factor=2
        )
    else:
        screen = "phone" if mode.endswith("390") else "desktop"
        context = new_context(**SCREENS[screen])
    if mode.startswith("text"):
        context.add_init_script(TEXT_200)
    page = context.new_page()
    sign_in(page, member, base=asgi_server)

    problems = []

    def check(name):
        if mode.startswith("text"):
            root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
            assert root == "32px", f"text size not doubled on {name}: {root}"
        wide = page.evaluate(WIDER_THAN_WINDOW)
        problems.extend(f"{name}: {line}" for line in wide)
        if not wide:
            fits_the_screen(page)
        problems.extend(f"{name}: {line}" for line in page.evaluate(CLIPPED_CONTROLS))
        # Last: a full-page screenshot resizes the window for a moment.
        page.screenshot(path=str(SHOTS / f"a11y-{mode}-{name}.png"), full_page=True)

    open_each(page, asgi_server, pages, check)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_nothing_moves_when_the_member_asks_for_reduced_motion(
    screen, new_context, member_pages, asgi_server, sign_in
):
    member, pages = member_pages
    page = new_context(**SCREENS[screen], reduced_motion="reduce").new_page()
    sign_in(page, member, base=asgi_server)
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")

    problems = []

    def check(name):
        # Something added later (a component, Wagtail's user bar) that
        # animates: the site's stylesheet stills it too.
        page.evaluate(
            """() => {
              const probe = document.createElement("div");
              probe.id = "motion-probe";
              probe.style.transition = "opacity 2s";
              probe.style.animation = "2s infinite alternate harbour-probe";
              document.querySelector("main").append(probe);
            }"""
        )
        problems.extend(f"{name}: {line}" for line in page.evaluate(MOTION))

    open_each(page, asgi_server, pages, check)
    assert not problems, "\n".join(problems)


def test_the_checks_find_a_cut_off_control_a_wide_box_and_motion(page):
    """The checks above bite: a button cut off by a box that hides its
    overflow, a box wider than the window, and a transition, each found."""
    page.set_content(
        "<main><div style='width: 60px; overflow: hidden'>"
        "<button style='width: 200px'>Post reply</button></div>"
        "<div class='too-wide' style='width: 3000px'>x</div>"
        "<a href='#' style='transition: color 1s'>Slow</a></main>"
    )
    assert page.evaluate(CLIPPED_CONTROLS) == ['button "Post reply" is cut off by div.']
    assert page.evaluate(WIDER_THAN_WINDOW) == ["div.too-wide reaches 3008px of 1280"]
    assert page.evaluate(MOTION) == ["a has a transition of 1s"]
