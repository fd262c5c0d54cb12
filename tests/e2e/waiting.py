"""Waiting on a page's own state without `page.wait_for_function`.

Playwright's wait_for_function evaluates its predicate once over the
DevTools protocol (which the page's CSP does not govern) and, when that is
false, polls it inside the page with `eval`, which Harbour's CSP forbids
(no 'unsafe-eval'): a test then passes or fails by whether the state was
already there. `wait_until` polls from Python with `page.evaluate`, which is
never the page's eval."""

import time

from playwright.sync_api import Page

# The offline page the service worker keeps (community/static/sw.js), or null.
KEPT_OFFLINE_PAGE = """async () => {
  for (const name of await caches.keys()) {
    if (!name.startsWith("harbour-offline-")) continue;
    const hit = await (await caches.open(name)).match("/offline/");
    if (hit) return await hit.text();
  }
  return null;
}"""
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def wait_until(page: Page, function: str, arg=None, timeout: float = 15.0):
    """The first truthy value of the JavaScript `function` (called with
    `arg`) in `page`, asked every 100 ms; AssertionError after `timeout`
    seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(function, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {function}")
        page.wait_for_timeout(100)
