// The room's socket, kept in step with the room (chat/README.md has the
// protocol): join with the last number seen, get what was missed, then live
// traffic. Every message carries its room's number `seq`, so a gap is
// noticed and the room joined again from what the page holds; the stored
// history is the truth, and the live copies are hints.
//
// One socket at a time: coming back online connects at once, so a retry
// still waiting from the offline spell is dropped, and a socket that is no
// longer the page's own is not listened to. (Two had been open after a phone
// came back, and the second's join left the page unsynced for a moment, so a
// tap on Delete then did nothing.)

export function roomSocket({ url, room, cursor, changedSince, onFrame, onOpen, onClose }) {
  let socket = null;
  let synced = false;
  let stopped = false;
  let delay = 1000;
  let pongTimer = null;
  let retryTimer = null;

  function emit(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function join() {
    const frame = { type: "join", room: room, after: cursor };
    // A rejoin asks for the changes made since the last join (edits,
    // deletions, moderators' decisions) as well as what came after.
    if (changedSince) frame.changed_since = changedSince;
    return emit(frame);
  }

  function resync() {
    synced = false;
    join();
  }

  function advance(seq) {
    if (seq > cursor) cursor = seq;
  }

  // A number was skipped: the channel may have dropped an event. Ask for
  // everything after what we have.
  function seen(seq) {
    if (synced && seq > cursor + 1) resync();
    advance(seq);
  }

  // What keeps the page in step, before the page sees the frame.
  function track(frame) {
    if (frame.type === "ready") join();
    if (frame.type === "joined" && frame.room === room) {
      advance(frame.last_seq);
      changedSince = frame.at;
      synced = true;
    }
    if (frame.type === "pong") {
      clearTimeout(pongTimer);
      // The room has got further than we have: a live copy was lost (Redis
      // restarted, say) and nothing since has shown the gap. Catch up.
      const last = frame.last_seq && frame.last_seq[room];
      if (synced && last > cursor) resync();
    }
  }

  function connect() {
    clearTimeout(retryTimer);
    if (stopped) return;
    if (socket && socket.readyState !== WebSocket.CLOSED) return;
    const own = new WebSocket(url);
    socket = own;
    own.onopen = () => {
      if (own !== socket) return;
      delay = 1000;
      onOpen();
    };
    own.onmessage = (message) => {
      if (own !== socket) return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      track(frame);
      onFrame(frame);
    };
    own.onclose = (closed) => {
      if (own !== socket) return;
      synced = false;
      clearTimeout(pongTimer);
      // Not signed in, staff without two-factor, or no longer a member
      // here: nothing to wait for.
      const retrying = !(stopped || closed.code === 4401 || closed.code === 4403);
      onClose(retrying);
      if (!retrying) return;
      retryTimer = setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // Heartbeat: a ping every 20 seconds; no pong within 10 and the connection
  // is taken for dead and made again.
  setInterval(() => {
    if (!emit({ type: "ping" })) return;
    clearTimeout(pongTimer);
    pongTimer = setTimeout(() => {
      if (socket) socket.close();
    }, 10000);
  }, 20000);

  window.addEventListener("online", () => {
    delay = 1000;
    connect();
  });
  // Going offline: a close handshake cannot cross a dead network, so the
  // socket's own close event may be a minute coming (CI saw the room still
  // "open" 5 s after the phone went offline). The page takes it as closed at
  // once and lets go of it; the "online" event connects again.
  window.addEventListener("offline", () => {
    const old = socket;
    if (!old || old.readyState === WebSocket.CLOSED) return;
    socket = null;
    synced = false;
    clearTimeout(pongTimer);
    clearTimeout(retryTimer);
    onClose(!stopped);
    old.close();
  });

  return {
    connect,
    emit,
    seen,
    cursor: () => cursor,
    synced: () => synced,
    // No longer a member of the room: the page says so on reload.
    stop() {
      stopped = true;
      if (socket) socket.close();
    },
  };
}
