// Harbour's service worker (served at /sw.js by
// community.notifications.views.service_worker; why: decision 0028).
// - Keeps the shell (styles, scripts, icons) and a signed-out offline page on
//   install, in caches named by VERSION; older caches go on activate.
// - Pages come from the network; with no signal, a page is answered with the
//   offline page: the member's own copy (their pathways' crisis contacts),
//   else the signed-out one (national contacts). No other page is kept: a
//   member's pages never stay on a phone that may be shared.
// - pwa.js asks it to fetch the member's offline copy again while they browse
//   ("keep") and to forget it at sign-out ("forget").
// - A page that changes what the copy holds (the safety plan's page: the
//   member's plan is on the copy only while they choose) answers with the
//   header "Harbour-Offline: renew": the copy is forgotten and fetched anew
//   at once, so turning the plan off takes it off the phone.
// - Shows web-push notices, opens their link, and renews the subscription
//   when the browser replaces it.
"use strict";

// Each is json.dumps of what the site builds itself (static and route
// addresses, the VAPID public key, a hash): no member's words, so written as is.
var VERSION = {{ version|safe }};
var SHELL = {{ shell|safe }};
var OFFLINE_URL = {{ offline_url|safe }};
var RENEW_URL = {{ renew_url|safe }};
var VAPID_PUBLIC_KEY = {{ vapid_public_key|safe }};
var SHELL_CACHE = "harbour-shell-" + VERSION;
var OFFLINE_CACHE = "harbour-offline-" + VERSION;
// The member's copy is kept under one key whatever its language.
var OFFLINE_KEY = "/offline/";
var OFFLINE_PATH = /^\/(?:[a-z]{2}(?:-[a-z]+)?\/)?offline\/$/;
// While the same member browses, their copy is fetched again at most this often.
var KEEP_EVERY = 5 * 60 * 1000;

var kept = { who: null, url: null, at: 0 };
// Bumped by "forget": a copy fetched before it is never stored after it.
var generation = 0;

function usable(response) {
  // A redirect (to sign in, to agree to new terms) is not the offline page.
  return response && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    var shell = SHELL.map(function (url) {
      return cache.add(url).catch(function () { /* kept next time */ });
    });
    var offline = fetch(OFFLINE_URL, { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (usable(response)) return cache.put(OFFLINE_KEY, response);
      })
      .catch(function () { /* installed without signal: kept next time */ });
    return Promise.all(shell.concat([offline]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("harbour-") === 0 && name !== SHELL_CACHE && name !== OFFLINE_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage() {
  var options = { ignoreVary: true, ignoreSearch: true };
  return caches.open(OFFLINE_CACHE).then(function (cache) {
    return cache.match(OFFLINE_KEY, options);
  }).then(function (mine) {
    return mine || caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(OFFLINE_KEY, options);
    });
  }).then(function (page) { return page || Response.error(); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Network first, never stored: with no signal, the offline page.
    event.respondWith(fetch(request).then(function (response) {
      if (usable(response) && response.headers.get("Harbour-Offline") === "renew") {
        event.waitUntil(renew());
      }
      return response;
    }).catch(offlinePage));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(request, { ignoreVary: true }).then(function (hit) {
        return hit || fetch(request);
      });
    }));
  }
});

function keep(who, url) {
  var now = Date.now();
  if (kept.who === who && kept.url === url && now - kept.at < KEEP_EVERY) {
    return Promise.resolve();
  }
  var started = generation;
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!usable(response) || started !== generation) return null;
    kept = { who: who, url: url, at: now };
    return caches.open(OFFLINE_CACHE).then(function (cache) {
      return cache.put(OFFLINE_KEY, response);
    });
  }).catch(function () { /* no signal: the copy kept before stays */ });
}

function forget() {
  generation += 1;
  kept = { who: null, url: null, at: 0 };
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("harbour-offline-") === 0;
    }).map(function (name) { return caches.delete(name); }));
  });
}

// The copy again now, whatever KEEP_EVERY says, with nothing of the old
// one left if the fetch fails: the page said what it holds has changed.
function renew() {
  var who = kept.who || "renewed";
  var url = kept.url || OFFLINE_URL;
  return forget().then(function () { return keep(who, url); });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "forget") {
    event.waitUntil(forget());
  } else if (data.type === "keep" && typeof data.url === "string" && data.who) {
    var url = new URL(data.url, self.location.origin);
    if (url.origin === self.location.origin && OFFLINE_PATH.test(url.pathname)) {
      event.waitUntil(keep(String(data.who), url.pathname));
    }
  }
});

self.addEventListener("push", function (event) {
  var notice = {};
  try { notice = event.data ? event.data.json() : {}; } catch (e) { notice = {}; }
  event.waitUntil(self.registration.showNotification(notice.title || "Harbour", {
    body: notice.body || "",
    tag: notice.tag,
    data: { url: notice.url || "/notifications/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data || {}).url || "/notifications/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/notifications/", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target.href && "focus" in windows[i]) return windows[i].focus();
    }
    return self.clients.openWindow(target.href);
  }));
});

function keyBytes(base64url) {
  var padded = (base64url + "===".slice((base64url.length + 3) % 4))
    .replace(/-/g, "+").replace(/_/g, "/");
  var raw = atob(padded);
  var bytes = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

// The push service replaced (or expired) this phone's subscription. Only
// with the old one in hand can Harbour be told whose phone it is (its
// endpoint is the proof: the worker has no session); without it (or without
// a site key) nothing is subscribed, and the settings page shows push off
// for this phone until the member turns it on again.
self.addEventListener("pushsubscriptionchange", function (event) {
  var old = event.oldSubscription;
  if (!old || !old.endpoint) return;
  var options = {
    userVisibleOnly: true,
    applicationServerKey: VAPID_PUBLIC_KEY ? keyBytes(VAPID_PUBLIC_KEY) : old.options.applicationServerKey
  };
  var renewed = event.newSubscription
    ? Promise.resolve(event.newSubscription)
    : self.registration.pushManager.subscribe(options);
  event.waitUntil(renewed.then(function (subscription) {
    return fetch(RENEW_URL, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ old_endpoint: old.endpoint, subscription: subscription.toJSON() })
    }).then(function (response) {
      // Harbour refused it: don't leave the phone subscribed for nothing.
      if (!response.ok) return subscription.unsubscribe();
    });
  }).catch(function () { /* tried again at the next change */ }));
});
