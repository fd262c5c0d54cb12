// "Turn on for this phone": asks the browser's permission, subscribes with the
// site's VAPID public key and sends the subscription to Harbour; "turn off"
// unsubscribes and asks Harbour to forget it. Without this script the page
// says that turning push on needs JavaScript.
(function () {
  "use strict";
  var region = document.getElementById("harbour-push");
  if (!region) return;
  // NHS.UK styles give some elements a display that beats the hidden
  // attribute, so showing and hiding sets both.
  function showIf(element, visible) {
    element.hidden = !visible;
    element.style.display = visible ? "" : "none";
  }
  var nojs = document.getElementById("harbour-push-nojs");
  if (nojs) showIf(nojs, false);
  showIf(region, true);
  var status = document.getElementById("harbour-push-status");
  var whenOn = region.querySelector('[data-push-when="on"]');
  var whenOff = region.querySelector('[data-push-when="off"]');
  var data = region.dataset;

  function say(text) { status.textContent = text; }

  function show(subscribed) {
    showIf(whenOn, subscribed);
    showIf(whenOff, !subscribed);
    say(subscribed ? data.msgOn : data.msgOff);
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    showIf(whenOn, false);
    showIf(whenOff, false);
    say(data.msgUnsupported);
    return;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf },
      body: JSON.stringify(body)
    });
  }

  var ready = navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(function () { return navigator.serviceWorker.ready; });

  ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    show(Boolean(subscription) && Notification.permission === "granted");
  }).catch(function () { say(data.msgUnsupported); });

  region.querySelector("[data-push-on]").addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say(data.msgDenied); return null; }
      return ready.then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(data.vapidKey)
        });
      }).then(function (subscription) {
        return post(data.subscribeUrl, subscription.toJSON()).then(function (response) {
          if (!response.ok) {
            // Harbour refused it: don't leave the browser subscribed for nothing.
            return subscription.unsubscribe().then(function () { throw new Error("refused"); });
          }
          show(true);
        });
      });
    }).catch(function () { say(data.msgFailed); });
  });

  region.querySelector("[data-push-off]").addEventListener("click", function () {
    ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { show(false); return null; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        // 404: Harbour had already forgotten it; off either way.
        return post(data.unsubscribeUrl, { endpoint: endpoint });
      }).then(function () { show(false); });
    }).catch(function () { say(data.msgFailed); });
  });
})();
