// What the person wrote, kept in this tab until the server has it: the words
// being typed (with the id they will be sent under) and sends not yet
// acknowledged, in sessionStorage, so a reload, a lost tab or a plain post
// into a dead network loses nothing. sessionStorage ends with the tab and
// signing out clears it (harbour/forms.js, which knows these keys by their
// "harbour-" start): nothing lingers on a shared phone.

function tabStorage() {
  try {
    return window.sessionStorage;
  } catch (e) {
    return null; // storage blocked: the page still holds what is written
  }
}

export function makeOutbox(me, room) {
  const store = tabStorage();
  const draftKey = "harbour-chat-draft:" + me + ":" + room;
  const outboxKey = "harbour-chat-outbox:" + me + ":" + room;
  const unacked = {}; // client id -> the frame, until the server acks it

  function keep(key, value) {
    if (!store) return;
    try {
      if (value) store.setItem(key, JSON.stringify(value));
      else store.removeItem(key);
    } catch (e) {
      /* full or blocked: the page still holds it */
    }
  }

  function kept(key) {
    if (!store) return null;
    try {
      return JSON.parse(store.getItem(key));
    } catch (e) {
      return null;
    }
  }

  function save() {
    const frames = Object.values(unacked);
    keep(outboxKey, frames.length ? frames : null);
  }

  return {
    add(frame) {
      unacked[frame.client_id] = frame;
      save();
    },
    // The frame sent under this id, now answered (acked or refused).
    take(clientId) {
      const frame = unacked[clientId];
      delete unacked[clientId];
      save();
      return frame;
    },
    has: (clientId) => !!unacked[clientId],
    frames: () => Object.values(unacked),
    // Sends this tab kept from before a reload, except those `stored`
    // (shown on the page with their number): they go again on join.
    restore(stored) {
      const restored = [];
      (kept(outboxKey) || []).forEach((frame) => {
        if (!frame || frame.room !== room || stored(frame.client_id)) return;
        if (unacked[frame.client_id]) return;
        unacked[frame.client_id] = frame;
        restored.push(frame);
      });
      save();
      return restored;
    },
    keepDraft(body, clientId) {
      keep(draftKey, body.trim() ? { body: body, client_id: clientId } : null);
    },
    draft: () => kept(draftKey),
    dropDraft: () => keep(draftKey, null),
  };
}

export function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join("");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join("-");
}
