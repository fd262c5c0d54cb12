// Form posts on every page. A form that is on its way is not sent again: on a
// slow phone a second tap on "Post" (nothing seemed to happen) posted
// everything twice. Its buttons say so (aria-disabled, not disabled: the
// pressed button's name and value still go with the form, and focus stays).
// They come back when the page is shown again from the back button, or after
// a while in case the answer never comes (a download, a stalled network).
//
// Words being written in a post form are kept in the tab (sessionStorage, under
// the page and the form's action) until the server has them: after a reload, or
// a post that never arrived (the browser's own error page, then back), they come
// back into the form's empty fields. The page after a post the server accepted
// (it answered with a redirect: community.middleware.FormPostedMiddleware sets a
// cookie of a minute) lets the copy just sent go.
// The chat keeps its own (chat.js; its form says data-drafts). Signing out
// forgets everything the tab kept, and the installed app's offline page.
(function () {
  "use strict";
  var script = document.currentScript;
  var signout = script && script.dataset.signout;
  var AGAIN_AFTER = 20000;
  var DRAFT = "harbour-draft:";
  var SENDING = "harbour-draft-sending";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { /* blocked: nothing kept */ }

  function read(key) {
    try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
  }

  function write(key, value) {
    try {
      if (value) store.setItem(key, JSON.stringify(value));
      else store.removeItem(key);
    } catch (e) { /* full or blocked: the page still holds the words */ }
  }

  // From the attributes: a control named "action" (the alert page's buttons)
  // shadows form.action.
  function posts(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post";
  }

  function actionPath(form) {
    return new URL(form.getAttribute("action") || "", location.href).pathname;
  }

  function draftable(form) {
    return store && posts(form) && !form.dataset.drafts && form.querySelector("textarea[name]");
  }

  function draftKey(form) {
    return DRAFT + location.pathname + "|" + actionPath(form);
  }

  function fields(form) {
    return Array.prototype.slice.call(form.querySelectorAll('textarea[name], input[type="text"][name]'));
  }

  function keepDraft(form) {
    var values = {};
    var written = false;
    fields(form).forEach(function (field) {
      values[field.name] = field.value;
      if (field.value.trim()) written = true;
    });
    write(draftKey(form), written ? values : null);
  }

  function bringBack(form) {
    var kept = read(draftKey(form));
    var all = fields(form);
    // Only into empty fields: words the server drew (a form shown again
    // with its errors) are newer than the tab's copy.
    if (!kept || all.some(function (field) { return field.value.trim(); })) return;
    all.forEach(function (field) {
      if (typeof kept[field.name] === "string") field.value = kept[field.name];
    });
    var note = document.createElement("p");
    note.className = "nhsuk-body-s harbour-draft-note";
    note.setAttribute("role", "status");
    note.textContent = (script && script.dataset.kept) || "";
    form.prepend(note);
  }

  if (store) {
    if (/(?:^|;\s*)harbour_posted=1/.test(document.cookie)) {
      document.cookie = "harbour_posted=; Max-Age=0; Path=/; SameSite=Lax";
      var sending = store.getItem(SENDING);
      if (sending) write(sending, null);
      store.removeItem(SENDING);
    }
    document.querySelectorAll("form").forEach(function (form) {
      if (!draftable(form)) return;
      bringBack(form);
      form.addEventListener("input", function () { keepDraft(form); });
    });
  }

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

  // The installed app's offline page names the member's pathways (their
  // crisis contacts): a phone may be shared, so it goes at sign-out. The
  // service worker deletes it (it lives on after this page); the page tries
  // too, in case no worker controls it yet.
  function forgetOfflineCopy() {
    try {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "forget" });
      }
      if (window.caches) {
        caches.keys().then(function (names) {
          names.forEach(function (name) {
            if (name.indexOf("harbour-offline-") === 0) caches.delete(name);
          });
        });
      }
    } catch (e) { /* no worker, no caches: nothing was kept */ }
  }

  // On window, so it runs after the page's own scripts: a form one of them
  // sent itself (the chat's, over its socket) has had its default prevented.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !posts(form)) return;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    if (event.defaultPrevented) return;
    form.dataset.submitting = "on";
    buttons(form).forEach(function (button) { button.setAttribute("aria-disabled", "true"); });
    setTimeout(function () { ready(form); }, AGAIN_AFTER);
    if (draftable(form)) {
      keepDraft(form);
      try { store.setItem(SENDING, draftKey(form)); } catch (e) { /* see write */ }
    }
    if (signout && actionPath(form) === signout) {
      forgetKeptWords();
      forgetOfflineCopy();
    }
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-submitting]").forEach(ready);
  });
})();
