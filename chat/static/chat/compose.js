// The message box: a send goes over the socket and waits in the page until
// the server has it, or, with no live connection while the phone is online,
// the form posts as it would without JavaScript. The words being typed are
// kept in the tab (outbox.js); a refused send comes back into the box; a
// sign of risk brings up the crisis card.
import { newId } from "./outbox.js";

export function makeComposer({ form, words, room, outbox, draw, sync, stored }) {
  const textarea = form && form.querySelector("textarea");
  const clientIdInput = form && form.querySelector('input[name="client_id"]');
  let lastTyping = 0;

  const keepDraft = () => {
    if (textarea) outbox.keepDraft(textarea.value, clientIdInput && clientIdInput.value);
  };

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

  // A send the server refused (a rewrite, a pause, too fast).
  function failed(frame, item) {
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

  // Unsent words from before a reload come back into the box, unless the
  // page shows them sent, or holds other words the server drew after a
  // plain post.
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
      // Nothing written while offline: a plain post would go into no network
      // and leave the browser's offline page where the chat was. Say so here.
      if (!body.trim() && offline) {
        event.preventDefault();
        fieldError(words.empty);
        return;
      }
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

  return { failed, showCrisis };
}
