// Form posts on every page. A form that is on its way is not sent again: on a
// slow phone a second tap on "Post" (nothing seemed to happen) posted
// everything twice. Its buttons say so (aria-disabled, not disabled: the
// pressed button's name and value still go with the form, and focus stays).
// They come back when the page is shown again from the back button, or after
// a while in case the answer never comes (a download, a stalled network).
// Signing out also forgets what this tab kept of unsent words (chat.js keeps
// drafts and unacknowledged messages in sessionStorage until they are stored).
(function () {
  "use strict";
  var script = document.currentScript;
  var signout = script && script.dataset.signout;
  var AGAIN_AFTER = 20000;

  function buttons(form) {
    return form.querySelectorAll('button:not([type="button"]), input[type="submit"]');
  }

  function ready(form) {
    delete form.dataset.submitting;
    buttons(form).forEach(function (button) { button.removeAttribute("aria-disabled"); });
  }

  function forgetKeptWords() {
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf("harbour-") === 0) sessionStorage.removeItem(key);
      });
    } catch (e) { /* storage blocked: nothing was kept */ }
  }

  // On window, so it runs after the page's own scripts: a form one of them
  // sent itself (the chat's, over its socket) has had its default prevented.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    if (event.defaultPrevented) return;
    form.dataset.submitting = "on";
    buttons(form).forEach(function (button) { button.setAttribute("aria-disabled", "true"); });
    setTimeout(function () { ready(form); }, AGAIN_AFTER);
    if (signout && new URL(form.action, location.href).pathname === signout) forgetKeptWords();
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-submitting]").forEach(ready);
  });
})();
