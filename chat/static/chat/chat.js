// Live chat on the room page: an enhancement of a page that already works
// without it (the server draws the messages; the form posts). This module
// reads the page and joins the parts: the socket and its resync
// (socket.js), what the person wrote, kept in the tab until the server has
// it (outbox.js), and drawing (render.js). The protocol is in
// chat/README.md. A message is shown once whatever way it arrives: sends
// carry the client's own id, unacknowledged ones go again after a
// reconnect, and the server stores each id once. Sent while the phone is
// offline, a message waits in the page and goes once the socket is back,
// rather than posting the form into no network.
import { makeOutbox, newId } from "./outbox.js";
import { makeRenderer, say, fillIn } from "./render.js";
import { roomSocket } from "./socket.js";

const root = document.getElementById("chat");

if (root && root.dataset.live === "on" && "WebSocket" in window) start(root);

function start(root) {
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const textarea = form && form.querySelector("textarea");
  const clientIdInput = form && form.querySelector('input[name="client_id"]');
  const typingLine = document.getElementById("chat-typing");
  const connectionLine = document.getElementById("chat-connection");
  const statusLine = document.getElementById("chat-status");
  const presenceLine = document.getElementById("chat-presence");
  const dutyLine = document.getElementById("chat-on-duty");
  // The page's words, in its language.
  const words = JSON.parse(document.getElementById("chat-strings").textContent);
  const room = parseInt(root.dataset.room, 10);
  const me = parseInt(root.dataset.user, 10);
  const receipts = {}; // user id -> how far they have read
  let lastTyping = 0;
  let typingTimer = null;
  let readTimer = null;

  const draw = makeRenderer({
    log,
    template: document.getElementById("chat-message"),
    words,
    me,
    myName: root.dataset.me || "",
    moderator: root.dataset.moderator === "on",
    direct: root.dataset.kind !== "pathway",
  });
  const outbox = makeOutbox(me, room);
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const lang = encodeURIComponent(document.documentElement.lang || "en");
  const sync = roomSocket({
    url: scheme + location.host + root.dataset.socket + "?lang=" + lang,
    room,
    cursor: parseInt(root.dataset.lastSeq, 10) || 0,
    // When the page read the room: a rejoin asks for the changes made since.
    changedSince: root.dataset.at || null,
    onFrame: (frame) => {
      const handler = handlers[frame.type];
      if (handler) handler(frame);
    },
    onOpen: () => {
      connectionLine.hidden = true;
      root.dataset.state = "open";
    },
    onClose: (retrying) => {
      root.dataset.state = "closed";
      if (!retrying) return;
      connectionLine.textContent =
        navigator.onLine === false ? words.offlineQueued : words.offline;
      connectionLine.hidden = false;
    },
  });

  const byId = (seq) => document.getElementById("message-" + seq);
  const waitingFor = (clientId) =>
    log.querySelector('li[data-client-id="' + clientId + '"]:not([data-seq])');
  // A message with this client id that the server has drawn or numbered.
  const stored = (clientId) =>
    !!clientId && !!log.querySelector('li[data-client-id="' + clientId + '"][data-seq]');
  const keepDraft = () => {
    if (textarea) outbox.keepDraft(textarea.value, clientIdInput && clientIdInput.value);
  };
  const nearBottom = () =>
    window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 200;

  function markRead() {
    if (document.visibilityState !== "visible") return;
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      sync.emit({ type: "read", room: room, seq: sync.cursor() });
    }, 1000);
  }

  function show(frame) {
    if (frame.room !== room) return;
    sync.seen(frame.seq);
    let item = byId(frame.seq);
    if (!item && frame.client_id) item = waitingFor(frame.client_id);
    if (frame.status === "removed") {
      if (item) item.remove();
      return;
    }
    const fresh = !item;
    const follow = fresh && nearBottom();
    if (fresh) item = draw.build(frame);
    draw.fill(item, frame);
    if (fresh) draw.place(item, frame.seq);
    if (frame.author.id === me) draw.ownActions(item);
    if (fresh && frame.author.id !== me) {
      typingLine.textContent = "";
      // In a support conversation, someone else writing means someone is here.
      const waiting = document.getElementById("chat-waiting");
      if (waiting) waiting.remove();
    }
    if (follow || (fresh && frame.author.id === me)) item.scrollIntoView({ block: "nearest" });
    markRead();
  }

  function fieldError(text) {
    const group = textarea.closest(".nhsuk-form-group");
    let error = document.getElementById("chat-error");
    if (!text) {
      if (error) error.remove();
      // and the one the server drew after a plain post
      group.querySelectorAll(".nhsuk-error-message").forEach((old) => old.remove());
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
    let card = document.querySelector("main .harbour-crisis");
    if (!card) {
      card = document.getElementById("chat-crisis").content.firstElementChild.cloneNode(true);
      form.before(card);
    }
    const text = card.querySelector(".nhsuk-card__content p");
    if (text) text.textContent = texts.join(" ");
    card.scrollIntoView({ block: "start" });
  }

  function failed(frame) {
    const item = waitingFor(frame.client_id);
    const sent = outbox.take(frame.client_id);
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
    fieldError((frame.messages || []).join(" ") || frame.message || words.failed);
    textarea.focus();
  }

  const handlers = {
    message: show,
    skip: (frame) => {
      if (frame.room === room) sync.seen(frame.seq);
    },
    joined: (frame) => {
      if (frame.room !== room) return;
      draw.showSeen(receipts);
      // Sends the server never acknowledged go again: it stores each id once.
      outbox.frames().forEach((sent) => {
        const waiting = waitingFor(sent.client_id);
        if (waiting) draw.setState(waiting, "sending");
        sync.emit(sent);
      });
      markRead();
    },
    ack: (frame) => {
      outbox.take(frame.client_id);
      const item = waitingFor(frame.client_id);
      if (!item) return;
      if (byId(frame.seq)) {
        item.remove(); // its message came first
        return;
      }
      item.id = "message-" + frame.seq;
      item.dataset.seq = frame.seq;
      draw.setState(item, frame.status);
      draw.ownActions(item);
      draw.showSeen(receipts);
    },
    error: (frame) => {
      if (frame.client_id && outbox.has(frame.client_id)) {
        failed(frame);
        return;
      }
      if (frame.message && !frame.client_id && frame.code !== "not_found") {
        statusLine.textContent = frame.message; // e.g. a pause refused
      }
      if (frame.code === "not_found" && frame.room === room) sync.stop();
    },
    crisis: (frame) => showCrisis(frame.messages),
    typing: (frame) => {
      if (frame.room !== room) return;
      typingLine.textContent = say(words.typing, frame.name);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => {
        typingLine.textContent = "";
      }, 4000);
    },
    support: (frame) => {
      // A support conversation was picked up: say who is here.
      if (frame.room !== room) return;
      const waiting = document.getElementById("chat-waiting");
      const status = document.getElementById("chat-support-status");
      if (waiting) waiting.remove();
      if (status) status.textContent = say(words.pickedUp, frame.picked_up_by);
    },
    presence: (frame) => {
      if (frame.room === room) draw.showPresence(frame, presenceLine, dutyLine);
    },
    receipt: (frame) => {
      if (frame.room !== room) return;
      receipts[frame.user.id] = Math.max(receipts[frame.user.id] || 0, frame.seq);
      draw.showSeen(receipts);
    },
    muted: (frame) => {
      const when = new Date(frame.until);
      statusLine.textContent = fillIn(words.paused, {
        time: when.toLocaleString([], {
          day: "numeric",
          month: "short",
          hour: "2-digit",
          minute: "2-digit",
        }),
      });
    },
  };

  // What this tab kept from before a reload: sends still unacknowledged go
  // again on join (unless the page shows them stored), and unsent words come
  // back into the box (unless the page shows them sent, or holds other words
  // the server drew after a plain post).
  outbox.restore(stored).forEach((frame) => draw.pending(frame, "queued"));
  const draft = outbox.draft();
  if (textarea && draft && draft.body) {
    if (stored(draft.client_id)) {
      outbox.dropDraft();
    } else if (!textarea.value.trim()) {
      textarea.value = draft.body;
      if (clientIdInput && draft.client_id) clientIdInput.value = draft.client_id;
    }
  }

  if (form && textarea) {
    form.addEventListener("submit", (event) => {
      const body = textarea.value;
      const offline = navigator.onLine === false;
      // Nothing written, or no live connection while the phone is online (a
      // socket that cannot connect): the form posts as it would without
      // JavaScript, and the server says what is wrong.
      if (!body.trim() || (!sync.synced() && !offline)) return;
      event.preventDefault();
      // The id the form would have posted, so the draft kept under it cannot
      // be stored twice whichever road it takes; the form gets a new one.
      const clientId = (clientIdInput && clientIdInput.value) || newId();
      if (clientIdInput) clientIdInput.value = newId();
      const frame = { type: "send", room: room, client_id: clientId, body: body };
      outbox.add(frame);
      const item = draw.pending(frame, sync.synced() ? "sending" : "queued");
      item.scrollIntoView({ block: "nearest" });
      textarea.value = "";
      keepDraft();
      fieldError("");
      // A summary left by an earlier plain post (e.g. an empty message) is
      // out of date once a message is on its way.
      const summary = document.querySelector(".nhsuk-error-summary");
      if (summary) summary.remove();
      sync.emit(frame);
      lastTyping = 0; // the next words typed are news again
    });
    textarea.addEventListener("input", () => {
      keepDraft();
      const now = Date.now();
      if (now - lastTyping > 2000 && sync.emit({ type: "typing", room: room })) {
        lastTyping = now;
      }
    });
  }

  // The author's and moderators' buttons: the page's own forms (as without
  // JavaScript) and the buttons of live messages both ask before acting;
  // live, they go over the socket.
  log.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-act], button[data-confirm]");
    if (!button) return;
    const act = button.dataset.act || button.dataset.confirm;
    const question =
      act === "hide"
        ? words.confirmHide
        : act === "delete"
          ? words.confirmDelete
          : say(words.confirmPause, button.dataset.name || "");
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!button.dataset.act) return; // a form: let it post
    if (!sync.synced()) {
      // Live-only buttons need the connection: say so rather than do nothing.
      event.preventDefault();
      connectionLine.textContent = words.notConnected;
      connectionLine.hidden = false;
      return;
    }
    const item = button.closest("li[data-seq]");
    const seq = item && parseInt(item.dataset.seq, 10);
    if (act === "hide" && seq) sync.emit({ type: "hide", room: room, seq: seq });
    if (act === "delete" && seq) sync.emit({ type: "delete", room: room, seq: seq });
    if (act === "pause") {
      sync.emit({ type: "mute", room: room, user: parseInt(button.dataset.author, 10) });
    }
  });

  document.addEventListener("visibilitychange", markRead);

  if (!location.hash) {
    const last = log.querySelector("li:last-child");
    if (last) last.scrollIntoView({ block: "end" });
  }
  sync.connect();
}
