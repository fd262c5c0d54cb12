// Harbour as an installed app, on every page: registers the service worker
// (/sw.js), and keeps the offline page on the phone current. For a signed-in
// member it asks the worker to fetch their copy again (their pathways' crisis
// contacts; the worker does so at most every few minutes); on a signed-out
// page it asks it to forget any member's copy (a session that ended without
// "sign out", on a phone that may be shared). forms.js forgets it at sign-out.
// Every page works without it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) return;
  var data = script.dataset;

  function tell(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  navigator.serviceWorker.register(data.worker, { scope: "/" }).then(function () {
    if (data.member) tell({ type: "keep", who: data.member, url: data.offline });
    else tell({ type: "forget" });
  }).catch(function () { /* no worker (a private window): pages still work */ });
})();
