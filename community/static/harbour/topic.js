// An open topic's new replies, live (decision 0031). The bell's socket
// (live.js) tells this page, by id, that a reply was published; the page
// then fetches the replies after the last one it shows, drawn by the server
// through the access layer, and adds them in order. The same fetch runs
// each time the socket (re)joins the topic, so a reply published while the
// socket was away appears then: the ids say what is new, so nothing shows
// twice. Without this script the page is the stored truth on reload.
(function () {
  "use strict";
  var list = document.getElementById("topic-replies");
  // Only the last page of a topic grows.
  if (!list || !list.dataset.live) return;
  var status = document.getElementById("topic-live-status");
  var last = parseInt(list.dataset.last, 10) || 0;
  var fetching = false;
  var again = false;

  function announce(names) {
    if (!status || !names.length) return;
    var words = names.length === 1
      ? list.dataset.newReply.replace("{name}", names[0])
      : list.dataset.newReplies;
    // Polite: a screen reader says it when it is free; focus stays put.
    status.textContent = "";
    setTimeout(function () { status.textContent = words; }, 50);
  }

  function add(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var names = [];
    var replies = page.querySelectorAll("article.harbour-post--reply");
    for (var i = 0; i < replies.length; i++) {
      var reply = replies[i];
      var id = parseInt(reply.id.replace("reply-", ""), 10);
      if (!(id > last) || document.getElementById(reply.id)) continue;
      last = id;
      var empty = document.getElementById("topic-no-replies");
      if (empty) empty.remove();
      list.appendChild(document.importNode(reply, true));
      names.push(reply.dataset.author || "");
    }
    announce(names);
    return page.querySelector("[data-more]") !== null;
  }

  // One fetch at a time, so replies are added in order and once; a hint
  // heard during a fetch asks for one more after it.
  function catchUp() {
    if (fetching) { again = true; return; }
    fetching = true;
    var more = false;
    fetch(list.dataset.live + "?after=" + last, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { more = add(html); })
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again || more) { again = false; catchUp(); }
      });
  }

  document.addEventListener("harbour:socket-open", function (event) {
    list.dataset.state = "joining";
    event.detail.send({
      type: "watch",
      kind: "topic",
      pathway: list.dataset.pathway,
      topic: parseInt(list.dataset.topic, 10)
    });
  });
  document.addEventListener("harbour:socket-frame", function (event) {
    var frame = event.detail;
    if (frame.type === "watching" && frame.kind === "topic") {
      list.dataset.state = "watching";
      catchUp();
    }
    if (frame.type === "live" && frame.kind === "topic" && frame.id > last) catchUp();
  });
  // The channel layer may drop a hint: look again when the page comes back.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) catchUp();
  });
})();
