// Drawing the room: messages, who has seen them, who is here. A message that
// arrives live is a copy of the page's <template id="chat-message">, which
// the server renders from the same include as the messages it draws
// (templates/chat/message.html), so the markup is written once. The copy has
// every optional part; what does not apply is taken away. What members wrote
// (names, message text) only ever goes in as text, never as markup.

const DOT = " \u00b7 ";
// Where the template has a name to fill in ("message by %(name)s"): the
// words around it are the page's, in its language.
const NAME = "%(name)s";

export function say(template, name) {
  return template.replace(NAME, name);
}

export function fillIn(template, values) {
  return template.replace(/%\((\w+)\)s/g, (all, key) => values[key]);
}

// Member text as the server's `member_text` filter draws it: paragraphs and
// line breaks, every character as text (never markup).
function fillBody(div, text) {
  div.textContent = "";
  text.replace(/\r\n/g, "\n").split("\n\n").forEach((chunk) => {
    if (!chunk.trim()) return;
    const p = document.createElement("p");
    chunk.split("\n").forEach((line, i) => {
      if (i) p.appendChild(document.createElement("br"));
      p.appendChild(document.createTextNode(line));
    });
    div.appendChild(p);
  });
}

// The template's numbers are 0: /chat/<room>/0/edit/ becomes /chat/<room>/7/edit/.
function renumber(url, number) {
  return url.replace(/\/0\/([a-z-]*\/?)$/, "/" + number + "/$1");
}

// A button the page's form would post becomes one that goes over the socket
// (chat.js listens for data-act), as live messages always have.
function live(button, act) {
  button.type = "button";
  button.dataset.act = act;
  delete button.dataset.confirm;
}

function named(box, name) {
  box.querySelectorAll(".nhsuk-u-visually-hidden").forEach((span) => {
    span.textContent = say(span.textContent, name);
  });
}

export function makeRenderer({ log, template, words, me, myName, moderator, direct }) {
  const copy = () => template.content.firstElementChild.cloneNode(true);

  function build(frame) {
    const own = frame.author.id === me;
    const item = copy();
    item.removeAttribute("id");
    delete item.dataset.seq;
    item.classList.toggle("harbour-chat__message--own", own);
    item.querySelector(".harbour-chat__author").textContent = frame.author.name;
    if (!frame.author.staff) item.querySelector(".harbour-chat__staff").remove();
    const time = item.querySelector("time");
    const when = frame.created_at ? new Date(frame.created_at) : new Date();
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString([], {
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    });
    const report = item.querySelector(".harbour-chat__report");
    if (own || !frame.id) {
      report.remove();
    } else {
      const link = report.querySelector("a");
      link.href = renumber(link.getAttribute("href"), frame.id);
      named(report, frame.author.name);
    }
    // Mine get theirs once the message has its number (ownActions).
    item.querySelector(".harbour-chat__own-actions").remove();
    const moderate = item.querySelector(".harbour-chat__moderator-actions");
    if (moderate && (!moderator || own || !frame.author.id)) moderate.remove();
    else if (moderate) {
      named(moderate, frame.author.name);
      moderate.querySelectorAll("form").forEach((form) => {
        form.action = renumber(form.getAttribute("action"), frame.seq);
      });
      moderate.querySelectorAll("button[data-confirm]").forEach((button) => {
        live(button, button.dataset.confirm);
        if (button.dataset.act === "pause") {
          button.dataset.author = frame.author.id;
          button.dataset.name = frame.author.name;
        }
      });
    }
    return item;
  }

  // Under my own message, once it has its number: Edit (a page of its own,
  // as without JavaScript) and Delete (asked again, then over the socket).
  function ownActions(item) {
    if (!item.dataset.seq || item.querySelector(".harbour-chat__own-actions")) return;
    const box = copy().querySelector(".harbour-chat__own-actions");
    const edit = box.querySelector(".harbour-chat__edit");
    edit.href = renumber(edit.getAttribute("href"), item.dataset.seq);
    box.querySelectorAll("form").forEach((form) => {
      form.action = renumber(form.getAttribute("action"), item.dataset.seq);
    });
    live(box.querySelector("button[data-confirm]"), "delete");
    item.appendChild(box);
  }

  function stateText(status) {
    if (status === "held") return words.held;
    if (status === "reported") return words.reported;
    if (status === "sending") return words.sending;
    if (status === "queued") return words.queued;
    if (status === "failed") return words.failed;
    return "";
  }

  function setState(item, status) {
    const state = item.querySelector(".harbour-chat__state");
    state.textContent = "";
    const text = stateText(status);
    if (text) {
      const strong = document.createElement("strong");
      strong.textContent = text;
      state.append(DOT, strong);
    }
    item.classList.toggle(
      "harbour-chat__message--pending",
      status === "sending" || status === "queued",
    );
  }

  function fill(item, frame) {
    if (frame.seq) {
      item.id = "message-" + frame.seq;
      item.dataset.seq = frame.seq;
    }
    item.dataset.clientId = frame.client_id || "";
    fillBody(item.querySelector(".harbour-chat__body"), frame.body);
    item.querySelector(".harbour-chat__edited").textContent = frame.edited
      ? DOT + words.edited
      : "";
    setState(item, frame.status);
  }

  function dropEmpty() {
    const empty = document.getElementById("chat-empty");
    if (empty) empty.remove();
  }

  // Put a message in its place by number (usually last).
  function place(item, seq) {
    dropEmpty();
    const items = log.querySelectorAll("li[data-seq]");
    for (let i = items.length - 1; i >= 0; i--) {
      if (parseInt(items[i].dataset.seq, 10) < seq) {
        items[i].after(item);
        return;
      }
    }
    log.prepend(item);
  }

  // My message on its way, drawn at the end of the log until it has a number.
  function pending(frame, status) {
    const item = build({ author: { id: me, name: myName }, client_id: frame.client_id });
    fill(item, { client_id: frame.client_id, body: frame.body, status: status });
    dropEmpty();
    log.appendChild(item);
    return item;
  }

  // "Seen" under the newest of my messages that someone else has read (in a
  // direct or support conversation), or "Seen by N" in a pathway's room.
  function showSeen(receipts) {
    const own = log.querySelectorAll("li.harbour-chat__message--own[data-seq]");
    log.querySelectorAll(".harbour-chat__seen").forEach((span) => {
      span.textContent = "";
    });
    if (!own.length) return;
    const last = own[own.length - 1];
    const seq = parseInt(last.dataset.seq, 10);
    const readers = Object.keys(receipts).filter((id) => receipts[id] >= seq).length;
    if (!readers) return;
    last.querySelector(".harbour-chat__seen").textContent =
      DOT + (direct ? words.seen : fillIn(words.seenBy, { n: readers }));
  }

  function showPresence(frame, presenceLine, dutyLine) {
    const names = frame.here
      .filter((p) => p.id !== me)
      .map((p) => (p.staff ? say(words.careTeam, p.name) : p.name));
    if (frame.more) names.push(fillIn(words.andMore, { n: frame.more }));
    presenceLine.hidden = !names.length;
    presenceLine.textContent = names.length
      ? fillIn(words.here, { names: names.join(", ") })
      : "";
    dutyLine.textContent = frame.on_duty.length
      ? fillIn(words.onDuty, { names: frame.on_duty.join(", ") })
      : words.nobodyOnDuty;
  }

  return { build, fill, ownActions, setState, place, pending, showSeen, showPresence };
}
