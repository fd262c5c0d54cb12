// The support queue keeps itself current while a clinician has it open: it
// fetches its lists again when a "someone is waiting" notice arrives (the
// notices socket, harbour/live.js), every 15 seconds while in view, and when
// the tab comes back into view. Without it the page is the same lists, as
// loaded; reloading shows the latest.
(function () {
  "use strict";
  var queue = document.getElementById("support-queue");
  var status = document.getElementById("support-queue-status");
  if (!queue || !window.fetch) return;
  var title = document.title;
  var busy = false;

  function waitingIn(root) {
    var list = root.querySelector("#support-queue-list");
    return list ? parseInt(list.dataset.waiting, 10) || 0 : 0;
  }

  function words(root) {
    return root.textContent.replace(/\s+/g, " ").trim();
  }

  function show(count, before) {
    document.title = count ? "(" + count + ") " + title : title;
    var say = status.dataset;  // the page's words, in its language
    if (count > before) {
      status.textContent = count === 1 ? say.one : say.many.replace("%(n)s", count);
    } else if (count < before) {
      status.textContent = count ? say.changed : say.none;
    }
  }

  function refresh() {
    if (busy) return;
    busy = true;
    fetch(queue.dataset.refresh, { credentials: "same-origin" })
      .then(function (response) {
        // A sign-in page after a lapsed session, or an error page, is not
        // the lists: keep the ones on the page.
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        // Parsed inert (no scripts run, nothing loads), and only the server's
        // own lists are taken from it; names in them are escaped there.
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById("support-queue-list");
        if (!fresh) return;
        var before = waitingIn(queue);
        // Leave the page alone when nothing reads otherwise: a keyboard
        // user's place (a focused "Pick up" button) is not lost to a redraw.
        // (Text, not HTML: each form's CSRF token differs every time.)
        if (words(fresh) !== words(queue)) {
          queue.replaceChildren(document.importNode(fresh, true));
        }
        show(waitingIn(queue), before);
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }

  document.getElementById("support-queue-live").hidden = false;
  show(waitingIn(queue), waitingIn(queue));
  document.addEventListener("harbour:notice", function (event) {
    if (event.detail && event.detail.kind === "support") refresh();
  });
  setInterval(function () { if (!document.hidden) refresh(); }, 15000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });
})();
