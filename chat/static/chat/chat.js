// Live chat on the room page: an enhancement of a page that already works
// without it (the server draws the messages; the form posts). This module
// reads the page and joins the parts: the socket and its resync
// (socket.js), what the person wrote, kept in the tab until the server has
// it (outbox.js), the message box (compose.js) and drawing (render.js). The
// protocol is in chat/README.md. A message is shown once whatever way it
// arrives: sends carry the client's own id, unacknowledged ones go again
// after a reconnect, and the server stores each id once. Sent while the
// phone is offline, a message waits in the page and goes once the socket is
// back, rather than posting the form into no network.
import { makeComposer } from "./compose.js";
import { makeOutbox } from "./outbox.js";
import { makeRenderer, say, fillIn } from "./render.js";
import { roomSocket } from "./socket.js";

const root = document.getElementById("chat");

if (root && root.dataset.live === "on" && "WebSocket" in window) start(root);

function start(root) {
  const log = document.getElementById("chat-log");
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
        compose.failed(frame, waitingFor(frame.client_id));
        return;
      }
      if (frame.message && !frame.client_id && frame.code !== "not_found") {
        statusLine.textContent = frame.message; // e.g. a pause refused
      }
      if (frame.code === "not_found" && frame.room === room) sync.stop();
    },
    crisis: (frame) => compose.showCrisis(frame.messages),
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
    support_ended: (frame) => {
      // The conversation ended (the member or the care team ended it): say
      // so kindly where the message box was, with the crisis contacts and
      // how to start again (the page's own <template>, drawn by the
      // server); the status line announces it without moving focus.
      if (frame.room !== room) return;
      const ended = document.getElementById("chat-support-ended");
      // ("… from the care team is here." is no longer true.)
      for (const id of ["chat-waiting", "chat-end", "chat-form", "chat-support-status"]) {
        const gone = document.getElementById(id);
        if (gone) gone.remove();
      }
      if (ended && !document.getElementById("chat-ended")) {
        root.after(ended.content.cloneNode(true));
      }
      statusLine.textContent = words.ended;
      sync.stop();
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
  // again on join (unless the page shows them stored).
  outbox.restore(stored).forEach((frame) => draw.pending(frame, "queued"));
  const compose = makeComposer({
    form: document.getElementById("chat-form"),
    words,
    room,
    outbox,
    draw,
    sync,
    stored,
  });

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
