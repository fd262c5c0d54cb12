// Live chat on the room page: an enhancement of a page that already works
// without it (the server draws the messages; the form posts). The protocol is
// in chat/README.md: join with the last number seen, get what was missed,
// then live traffic; every message carries its room's number `seq`, so a gap
// is noticed and fetched again, and a message is shown once whatever way it
// arrives. Sends carry the client's own id; unacknowledged ones are sent again
// after a reconnect, and the server stores each id once.
//
// What the person wrote is kept in this tab until the server has it: the words
// being typed (with the id they will be sent under) and sends not yet
// acknowledged, in sessionStorage, so a reload, a lost tab or a plain post into
// a dead network loses nothing. sessionStorage ends with the tab and signing
// out clears it (harbour/forms.js): nothing lingers on a shared phone. Sent while
// the phone is offline, a message waits in the page and goes once the socket
// is back, rather than posting the form into no network.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || root.dataset.live !== "on" || !("WebSocket" in window)) return;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var textarea = form && form.querySelector("textarea");
  var clientIdInput = form && form.querySelector('input[name="client_id"]');
  var typingLine = document.getElementById("chat-typing");
  var connectionLine = document.getElementById("chat-connection");
  var words = JSON.parse(document.getElementById("chat-strings").textContent);
  var room = parseInt(root.dataset.room, 10);
  var me = parseInt(root.dataset.user, 10);
  var cursor = parseInt(root.dataset.lastSeq, 10) || 0;
  // When the page (then each join) read the room: a rejoin asks for the
  // changes made since (edits, deletions, moderators' decisions).
  var changedSince = root.dataset.at || null;
  var direct = root.dataset.kind !== "pathway";
  var moderator = root.dataset.moderator === "on";
  var receipts = {};  // user id -> how far they have read
  var statusLine = document.getElementById("chat-status");
  var presenceLine = document.getElementById("chat-presence");
  var dutyLine = document.getElementById("chat-on-duty");
  var socket = null;
  var synced = false;
  var stopped = false;
  var delay = 1000;
  var unacked = {};  // client id -> the frame, until the server acks it
  var lastTyping = 0;
  var typingTimer = null;
  var pongTimer = null;
  var readTimer = null;

  var store = null;
  try { store = window.sessionStorage; } catch (e) { /* storage blocked */ }
  var draftKey = "harbour-chat-draft:" + me + ":" + room;
  var outboxKey = "harbour-chat-outbox:" + me + ":" + room;

  function keep(key, value) {
    if (!store) return;
    try {
      if (value) store.setItem(key, JSON.stringify(value));
      else store.removeItem(key);
    } catch (e) { /* full or blocked: the page still holds it */ }
  }

  function kept(key) {
    if (!store) return null;
    try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
  }

  function keepOutbox() {
    var frames = Object.keys(unacked).map(function (id) { return unacked[id]; });
    keep(outboxKey, frames.length ? frames : null);
  }

  function keepDraft() {
    if (!textarea) return;
    keep(draftKey, textarea.value.trim() ? {
      body: textarea.value,
      client_id: clientIdInput ? clientIdInput.value : null
    } : null);
  }

  // A message with this client id that the server has drawn or numbered.
  function stored(clientId) {
    return !!clientId && !!log.querySelector('li[data-client-id="' + clientId + '"][data-seq]');
  }

  function say(template, name) { return template.replace("%(name)s", name); }

  function fillIn(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) { return values[key]; });
  }

  function byId(seq) { return document.getElementById("message-" + seq); }

  function advance(seq) { if (seq > cursor) cursor = seq; }

  // Member text as the server's `member_text` filter draws it: paragraphs and
  // line breaks, every character as text (never markup).
  function fillBody(div, text) {
    div.textContent = "";
    text.replace(/\r\n/g, "\n").split("\n\n").forEach(function (chunk) {
      if (!chunk.trim()) return;
      var p = document.createElement("p");
      chunk.split("\n").forEach(function (line, i) {
        if (i) p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(line));
      });
      div.appendChild(p);
    });
  }

  function stateText(status) {
    if (status === "held") return " \u00b7 " + words.held;
    if (status === "reported") return " \u00b7 " + words.reported;
    if (status === "sending") return " \u00b7 " + words.sending;
    if (status === "queued") return " \u00b7 " + words.queued;
    if (status === "failed") return " \u00b7 " + words.failed;
    return "";
  }

  function setState(item, status) {
    var state = item.querySelector(".harbour-chat__state");
    state.textContent = "";
    var text = stateText(status);
    if (text) {
      var strong = document.createElement("strong");
      strong.textContent = text.replace(/^ \u00b7 /, "");
      state.appendChild(document.createTextNode(" \u00b7 "));
      state.appendChild(strong);
    }
    item.classList.toggle("harbour-chat__message--pending", status === "sending" || status === "queued");
  }

  function build(frame) {
    var own = frame.author.id === me;
    var item = document.createElement("li");
    item.className = "harbour-chat__message" + (own ? " harbour-chat__message--own" : "");
    var meta = document.createElement("p");
    meta.className = "nhsuk-body-s harbour-chat__meta";
    var author = document.createElement("span");
    author.className = "harbour-chat__author";
    author.textContent = frame.author.name;
    meta.appendChild(author);
    if (frame.author.staff) {
      var tag = document.createElement("strong");
      tag.className = "nhsuk-tag nhsuk-tag--blue harbour-chat__staff";
      tag.textContent = words.careTeamTag;
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(tag);
    }
    meta.appendChild(document.createTextNode(" \u00b7 "));
    var time = document.createElement("time");
    var when = frame.created_at ? new Date(frame.created_at) : new Date();
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    meta.appendChild(time);
    var edited = document.createElement("span");
    edited.className = "harbour-chat__edited";
    meta.appendChild(edited);
    var state = document.createElement("span");
    state.className = "harbour-chat__state";
    meta.appendChild(state);
    var seen = document.createElement("span");
    seen.className = "harbour-chat__seen";
    meta.appendChild(seen);
    if (!own && frame.id) {
      meta.appendChild(document.createTextNode(" \u00b7 "));
      var report = document.createElement("a");
      report.href = root.dataset.reportUrl.replace(/\/0\/$/, "/" + frame.id + "/");
      report.textContent = words.report;
      var hidden = document.createElement("span");
      hidden.className = "nhsuk-u-visually-hidden";
      hidden.textContent = " " + say(words.reportFor, frame.author.name);
      report.appendChild(hidden);
      meta.appendChild(report);
    }
    var body = document.createElement("div");
    body.className = "harbour-chat__body";
    item.appendChild(meta);
    item.appendChild(body);
    if (moderator && !own && frame.author.id) item.appendChild(moderation(frame.author));
    return item;
  }

  // Under my own message, once it has its number: Edit (a page of its own,
  // as without JavaScript) and Delete (asked again, then over the socket).
  function ownActions(item) {
    if (!item.dataset.seq || item.querySelector(".harbour-chat__own-actions")) return;
    var box = document.createElement("div");
    box.className = "harbour-chat__moderate harbour-chat__own-actions";
    var edit = document.createElement("a");
    edit.href = root.dataset.editUrl.replace(/\/0\/edit\/$/, "/" + item.dataset.seq + "/edit/");
    edit.textContent = words.edit;
    box.appendChild(edit);
    box.appendChild(document.createTextNode(" \u00b7 "));
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "harbour-link-button";
    remove.dataset.act = "delete";
    remove.textContent = words.delete;
    box.appendChild(remove);
    item.appendChild(box);
  }

  // A moderator's buttons under someone else's message: hide it, or pause
  // its author's posting here (each asked again before it is done).
  function moderation(author) {
    var box = document.createElement("div");
    box.className = "harbour-chat__moderate";
    [["hide", words.hide], ["pause", words.pause]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "nhsuk-button nhsuk-button--secondary harbour-button--small";
      button.dataset.act = pair[0];
      button.dataset.author = author.id;
      button.dataset.name = author.name;
      button.textContent = pair[1];
      var hidden = document.createElement("span");
      hidden.className = "nhsuk-u-visually-hidden";
      hidden.textContent = " " + say(words.reportFor, author.name);
      button.appendChild(hidden);
      box.appendChild(button);
      box.appendChild(document.createTextNode(" "));
    });
    return box;
  }

  function fill(item, frame) {
    if (frame.seq) {
      item.id = "message-" + frame.seq;
      item.dataset.seq = frame.seq;
    }
    item.dataset.clientId = frame.client_id || "";
    fillBody(item.querySelector(".harbour-chat__body"), frame.body);
    item.querySelector(".harbour-chat__edited").textContent = frame.edited ? " \u00b7 " + words.edited : "";
    setState(item, frame.status);
  }

  // Put a message in its place by number (usually last).
  function place(item, seq) {
    var empty = document.getElementById("chat-empty");
    if (empty) empty.remove();
    var items = log.querySelectorAll("li[data-seq]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (parseInt(items[i].dataset.seq, 10) < seq) {
        items[i].after(item);
        return;
      }
    }
    log.prepend(item);
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 200;
  }

  function show(frame) {
    if (frame.room !== room) return;
    if (synced && frame.seq > cursor + 1) {
      // A number was skipped: the channel may have dropped an event. The
      // stored history is the truth: ask for everything after what we have.
      resync();
    }
    advance(frame.seq);
    var item = byId(frame.seq);
    if (!item && frame.client_id) {
      item = log.querySelector('li[data-client-id="' + frame.client_id + '"]:not([data-seq])');
    }
    if (frame.status === "removed") {
      if (item) item.remove();
      return;
    }
    var fresh = !item;
    var follow = fresh && nearBottom();
    if (fresh) item = build(frame);
    fill(item, frame);
    if (fresh) place(item, frame.seq);
    if (frame.author.id === me) ownActions(item);
    if (fresh && frame.author.id !== me) {
      typingLine.textContent = "";
      // In a support conversation, someone else writing means someone is here.
      var waiting = document.getElementById("chat-waiting");
      if (waiting) waiting.remove();
    }
    if (follow || (fresh && frame.author.id === me)) item.scrollIntoView({ block: "nearest" });
    markRead();
  }

  // "Seen" under the newest of my messages that someone else has read (in a
  // direct or support conversation), or "Seen by N" in a pathway's room.
  function showSeen() {
    var own = log.querySelectorAll("li.harbour-chat__message--own[data-seq]");
    log.querySelectorAll(".harbour-chat__seen").forEach(function (span) { span.textContent = ""; });
    if (!own.length) return;
    var last = own[own.length - 1];
    var seq = parseInt(last.dataset.seq, 10);
    var readers = Object.keys(receipts).filter(function (id) { return receipts[id] >= seq; }).length;
    if (!readers) return;
    last.querySelector(".harbour-chat__seen").textContent =
      " \u00b7 " + (direct ? words.seen : fillIn(words.seenBy, { n: readers }));
  }

  function showPresence(frame) {
    var names = frame.here.filter(function (p) { return p.id !== me; }).map(function (p) {
      return p.staff ? say(words.careTeam, p.name) : p.name;
    });
    if (frame.more) names.push(fillIn(words.andMore, { n: frame.more }));
    presenceLine.hidden = !names.length;
    presenceLine.textContent = names.length ? fillIn(words.here, { names: names.join(", ") }) : "";
    dutyLine.textContent = frame.on_duty.length
      ? fillIn(words.onDuty, { names: frame.on_duty.join(", ") })
      : words.nobodyOnDuty;
  }

  function markRead() {
    if (document.visibilityState !== "visible") return;
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { emit({ type: "read", room: room, seq: cursor }); }, 1000);
  }

  function emit(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function join() {
    var frame = { type: "join", room: room, after: cursor };
    if (changedSince) frame.changed_since = changedSince;
    return emit(frame);
  }

  function resync() {
    synced = false;
    join();
  }

  function fieldError(text) {
    var group = textarea.closest(".nhsuk-form-group");
    var error = document.getElementById("chat-error");
    if (!text) {
      if (error) error.remove();
      // and the one the server drew after a plain post
      group.querySelectorAll(".nhsuk-error-message").forEach(function (old) { old.remove(); });
      group.classList.remove("nhsuk-form-group--error");
      textarea.classList.remove("nhsuk-textarea--error");
      textarea.removeAttribute("aria-describedby");
      return;
    }
    if (!error) {
      error = document.createElement("span");
      error.className = "nhsuk-error-message";
      error.id = "chat-error";
      error.setAttribute("role", "alert");
      textarea.before(error);
    }
    error.textContent = text;
    group.classList.add("nhsuk-form-group--error");
    textarea.classList.add("nhsuk-textarea--error");
    textarea.setAttribute("aria-describedby", "chat-error");
  }

  function showCrisis(texts) {
    var card = document.querySelector("main .harbour-crisis");
    if (!card) {
      card = document.getElementById("chat-crisis").content.firstElementChild.cloneNode(true);
      form.before(card);
    }
    var text = card.querySelector(".nhsuk-card__content p");
    if (text) text.textContent = texts.join(" ");
    card.scrollIntoView({ block: "start" });
  }

  function failed(frame) {
    var item = log.querySelector('li[data-client-id="' + frame.client_id + '"]:not([data-seq])');
    var sent = unacked[frame.client_id];
    delete unacked[frame.client_id];
    keepOutbox();
    if (item) item.remove();
    // Nothing typed is lost: the refused words go back into the box, after
    // whatever is there already (words typed since, another refused send).
    if (sent && textarea.value.indexOf(sent.body) === -1) {
      if (textarea.value.trim()) {
        textarea.value = textarea.value + "\n\n" + sent.body;
      } else {
        textarea.value = sent.body;
        if (clientIdInput) clientIdInput.value = sent.client_id;
      }
      keepDraft();
    }
    var text = (frame.messages || []).join(" ") || frame.message || words.failed;
    fieldError(text);
    textarea.focus();
  }

  var handlers = {
    message: show,
    skip: function (frame) {
      if (frame.room !== room) return;
      if (synced && frame.seq > cursor + 1) resync();
      advance(frame.seq);
    },
    joined: function (frame) {
      if (frame.room !== room) return;
      advance(frame.last_seq);
      changedSince = frame.at;
      synced = true;
      showSeen();
      // Sends the server never acknowledged go again: it stores each id once.
      Object.keys(unacked).forEach(function (id) {
        var waiting = log.querySelector('li[data-client-id="' + id + '"]:not([data-seq])');
        if (waiting) setState(waiting, "sending");
        emit(unacked[id]);
      });
      markRead();
    },
    ack: function (frame) {
      delete unacked[frame.client_id];
      keepOutbox();
      var item = log.querySelector('li[data-client-id="' + frame.client_id + '"]:not([data-seq])');
      if (!item) return;
      if (byId(frame.seq)) { item.remove(); return; }  // its message came first
      item.id = "message-" + frame.seq;
      item.dataset.seq = frame.seq;
      setState(item, frame.status);
      ownActions(item);
      showSeen();
    },
    error: function (frame) {
      if (frame.client_id && unacked[frame.client_id]) { failed(frame); return; }
      if (frame.message && !frame.client_id && frame.code !== "not_found") {
        statusLine.textContent = frame.message;  // e.g. a pause refused
      }
      if (frame.code === "not_found" && frame.room === room) {
        stopped = true;  // no longer a member here: the page says so on reload
        socket.close();
      }
    },
    crisis: function (frame) { showCrisis(frame.messages); },
    typing: function (frame) {
      if (frame.room !== room) return;
      typingLine.textContent = say(words.typing, frame.name);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 4000);
    },
    support: function (frame) {
      // A support conversation was picked up: say who is here.
      if (frame.room !== room) return;
      var waiting = document.getElementById("chat-waiting");
      var status = document.getElementById("chat-support-status");
      if (waiting) waiting.remove();
      if (status) status.textContent = say(words.pickedUp, frame.picked_up_by);
    },
    pong: function (frame) {
      clearTimeout(pongTimer);
      // The room has got further than we have: a live copy was lost (Redis
      // restarted, say) and nothing since has shown the gap. Catch up.
      var last = frame.last_seq && frame.last_seq[room];
      if (synced && last > cursor) resync();
    },
    ready: function () { join(); },
    presence: function (frame) { if (frame.room === room) showPresence(frame); },
    receipt: function (frame) {
      if (frame.room !== room) return;
      receipts[frame.user.id] = Math.max(receipts[frame.user.id] || 0, frame.seq);
      showSeen();
    },
    muted: function (frame) {
      var when = new Date(frame.until);
      statusLine.textContent = fillIn(words.paused, {
        time: when.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
      });
    },
    hidden: function () {},
    deleted: function () {},
    edited: function () {},
  };

  // Heartbeat: a ping every 20 seconds; no pong within 10 and the connection
  // is taken for dead and made again.
  setInterval(function () {
    if (!emit({ type: "ping" })) return;
    clearTimeout(pongTimer);
    pongTimer = setTimeout(function () { if (socket) socket.close(); }, 10000);
  }, 20000);

  // One socket at a time: coming back online connects at once, so a retry
  // still waiting from the offline spell is dropped, and a socket that is no
  // longer the page's own is not listened to. (Two had been open after a
  // phone came back, and the second's join left the page unsynced for a
  // moment, so a tap on Delete then did nothing.)
  var retryTimer = null;

  function connect() {
    clearTimeout(retryTimer);
    if (stopped) return;
    if (socket && socket.readyState !== WebSocket.CLOSED) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var lang = encodeURIComponent(document.documentElement.lang || "en");
    var own = new WebSocket(scheme + location.host + root.dataset.socket + "?lang=" + lang);
    socket = own;
    own.onopen = function () {
      if (own !== socket) return;
      delay = 1000;
      connectionLine.hidden = true;
      root.dataset.state = "open";
    };
    own.onmessage = function (message) {
      if (own !== socket) return;
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      var handler = handlers[frame.type];
      if (handler) handler(frame);
    };
    own.onclose = function (closed) {
      if (own !== socket) return;
      synced = false;
      root.dataset.state = "closed";
      clearTimeout(pongTimer);
      if (stopped || closed.code === 4401 || closed.code === 4403) return;
      connectionLine.textContent = navigator.onLine === false ? words.offlineQueued : words.offline;
      connectionLine.hidden = false;
      retryTimer = setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // My message on its way, drawn at the end of the log until it has a number.
  function pending(frame, status) {
    var item = build({ author: { id: me, name: "" }, client_id: frame.client_id });
    item.querySelector(".harbour-chat__author").textContent = root.dataset.me || "";
    fill(item, { client_id: frame.client_id, body: frame.body, status: status });
    var empty = document.getElementById("chat-empty");
    if (empty) empty.remove();
    log.appendChild(item);
    return item;
  }

  // What this tab kept from before a reload: sends still unacknowledged go
  // again on join (unless the page shows them stored), and unsent words come
  // back into the box (unless the page shows them sent, or holds other words
  // the server drew after a plain post).
  (kept(outboxKey) || []).forEach(function (frame) {
    if (!frame || frame.room !== room || stored(frame.client_id) || unacked[frame.client_id]) return;
    unacked[frame.client_id] = frame;
    pending(frame, "queued");
  });
  keepOutbox();
  var draft = kept(draftKey);
  if (textarea && draft && draft.body) {
    if (stored(draft.client_id)) {
      keep(draftKey, null);
    } else if (!textarea.value.trim()) {
      textarea.value = draft.body;
      if (clientIdInput && draft.client_id) clientIdInput.value = draft.client_id;
    }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  if (form && textarea) {
    form.addEventListener("submit", function (event) {
      var body = textarea.value;
      var offline = navigator.onLine === false;
      // Nothing written, or no live connection while the phone is online (a
      // socket that cannot connect): the form posts as it would without
      // JavaScript, and the server says what is wrong.
      if (!body.trim() || (!synced && !offline)) return;
      event.preventDefault();
      // The id the form would have posted, so the draft kept under it cannot
      // be stored twice whichever road it takes; the form gets a new one.
      var clientId = (clientIdInput && clientIdInput.value) || newId();
      if (clientIdInput) clientIdInput.value = newId();
      var frame = { type: "send", room: room, client_id: clientId, body: body };
      unacked[clientId] = frame;
      keepOutbox();
      var item = pending(frame, synced ? "sending" : "queued");
      item.scrollIntoView({ block: "nearest" });
      textarea.value = "";
      keepDraft();
      fieldError("");
      // A summary left by an earlier plain post (e.g. an empty message) is
      // out of date once a message is on its way.
      var summary = document.querySelector(".nhsuk-error-summary");
      if (summary) summary.remove();
      emit(frame);
      lastTyping = 0;  // the next words typed are news again
    });
    textarea.addEventListener("input", function () {
      keepDraft();
      var now = Date.now();
      if (now - lastTyping > 2000 && emit({ type: "typing", room: room })) lastTyping = now;
    });
  }

  // Moderators: the page's own forms (no JavaScript) and the buttons built
  // for live messages both ask before acting; live, they go over the socket.
  log.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-act], button[data-confirm]");
    if (!button) return;
    var act = button.dataset.act || button.dataset.confirm;
    var question = act === "hide" ? words.confirmHide
      : act === "delete" ? words.confirmDelete
      : say(words.confirmPause, button.dataset.name || "");
    if (!window.confirm(question)) { event.preventDefault(); return; }
    if (!button.dataset.act) return;  // a form: let it post
    if (!synced) {
      // Live-only buttons need the connection: say so rather than do nothing.
      event.preventDefault();
      connectionLine.textContent = words.notConnected;
      connectionLine.hidden = false;
      return;
    }
    var item = button.closest("li[data-seq]");
    var seq = item && parseInt(item.dataset.seq, 10);
    if (act === "hide" && seq) emit({ type: "hide", room: room, seq: seq });
    if (act === "delete" && seq) emit({ type: "delete", room: room, seq: seq });
    if (act === "pause") emit({ type: "mute", room: room, user: parseInt(button.dataset.author, 10) });
  });

  window.addEventListener("online", function () { delay = 1000; connect(); });
  window.addEventListener("offline", function () { if (socket) socket.close(); });
  document.addEventListener("visibilitychange", markRead);

  if (!location.hash) {
    var last = log.querySelector("li:last-child");
    if (last) last.scrollIntoView({ block: "end" });
  }
  connect();
})();
