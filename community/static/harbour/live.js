// Live notices for signed-in people: risk alerts for staff, replies, wall
// messages, presents, reactions and moderation outcomes.
// The page works without it; the notifications page is the stored truth.
(function () {
  "use strict";
  var region = document.getElementById("harbour-live");
  if (!region || !("WebSocket" in window)) return;
  var badge = document.getElementById("harbour-unread");
  // The page's words, in its language (base.html).
  var words = region.dataset;
  var delay = 1000;

  function show(event) {
    var notice = document.createElement("div");
    notice.className = "harbour-notice" + (event.kind === "risk_alert" ? " harbour-notice--alert" : "");
    var text = document.createElement("p");
    text.textContent = event.message;
    notice.appendChild(text);
    if (event.url) {
      var link = document.createElement("a");
      link.href = event.url;
      link.textContent = event.kind === "risk_alert" ? words.openAlert : words.open;
      notice.appendChild(link);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "harbour-notice__close";
    close.setAttribute("aria-label", words.dismiss);
    close.textContent = "\u00d7";
    close.onclick = function () { notice.remove(); };
    notice.appendChild(close);
    region.appendChild(notice);
    // Everyday notices make way after a while (the notifications page keeps
    // them); a risk alert stays until staff act on it or dismiss it.
    if (event.kind !== "risk_alert") {
      setTimeout(function () { notice.remove(); }, 45000);
    }
    var ordinary = region.querySelectorAll(".harbour-notice:not(.harbour-notice--alert)");
    for (var i = 0; i < ordinary.length - 3; i++) ordinary[i].remove();
    if (badge) {
      var count = parseInt(badge.firstChild.textContent, 10) || 0;
      badge.firstChild.textContent = String(count + 1);
      if (badge.hidden) {
        badge.hidden = false;
        // The NHS header fits its links to the width on resize: let it make
        // room for the count (else a phone's page would scroll sideways).
        window.dispatchEvent(new Event("resize"));
      }
    }
  }

  // Events are hints (the channel layer may drop one, and nothing is heard
  // while the socket is down): after a reconnect, ask for what was missed.
  var lastId = null;
  var shown = {};
  var opened = false;

  function notice(event) {
    if (shown[event.id]) return;
    shown[event.id] = true;
    if (lastId === null || event.id > lastId) lastId = event.id;
    show(event);
    // Pages that follow a kind of notice listen for it (the support queue).
    document.dispatchEvent(new CustomEvent("harbour:notice", { detail: event }));
  }

  function catchUp() {
    var query = lastId !== null ? "after=" + lastId : "since=" + region.dataset.loaded;
    fetch(region.dataset.missed + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { notices: [] }; })
      .then(function (data) { (data.notices || []).forEach(notice); })
      .catch(function () {});
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + region.dataset.socket);
    socket.onopen = function () {
      delay = 1000;
      if (opened) catchUp();
      opened = true;
      region.dataset.state = "open";
      // A page with live parts (topic.js) watches what it shows on each
      // (re)connect, through this one socket.
      document.dispatchEvent(new CustomEvent("harbour:socket-open", {
        detail: { send: function (frame) { socket.send(JSON.stringify(frame)); } }
      }));
    };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "notify") notice(event);
      else document.dispatchEvent(new CustomEvent("harbour:socket-frame", { detail: event }));
    };
    socket.onclose = function (closed) {
      region.dataset.state = "closed";
      // Not signed in, or staff without two-factor: nothing to wait for.
      if (closed.code === 4401 || closed.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
  // A dropped event is found within the next check while the page is in view.
  setInterval(function () {
    if (!document.hidden && region.dataset.state === "open") catchUp();
  }, 20000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) catchUp();
  });
})();
