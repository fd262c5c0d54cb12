// An open topic's new replies, live (decision 0031). The bell's socket
// (live.js) tells this page, by id, that a reply was published; the page
// then fetches the replies after the last one it shows, drawn by the server
// through the access layer, and adds them in order. The same fetch runs
// each time the socket (re)joins the topic, so a reply published while the
// socket was away appears then: the ids say what is new, so nothing shows
// twice. A held reply approved later has an older id: it is put in its place
// by id, and each (re)join asks from the page's first reply (data-floor), so
// one approved while the socket was away is found too. Without this script
// the page is the stored truth on reload.
(function () {
  "use strict";
  var list = document.getElementById("topic-replies");
  // Only the last page of a topic grows.
  if (!list || !list.dataset.live) return;
  var status = document.getElementById("topic-live-status");
  var last = parseInt(list.dataset.last, 10) || 0;
  var floor = parseInt(list.dataset.floor, 10) || 0;
  var fetching = false;
  var again = null;

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
      if (!(id > floor) || document.getElementById(reply.id)) continue;
      last = Math.max(last, id);
      var empty = document.getElementById("topic-no-replies");
      if (empty) empty.remove();
      list.insertBefore(document.importNode(reply, true), placeFor(id));
      names.push(reply.dataset.author || "");
    }
    announce(names);
    return page.querySelector("[data-more]") !== null;
  }

  // The reply shown first after `id`, or null (the end): replies stay in
  // the order of their ids, as the server draws them.
  function placeFor(id) {
    var shown = list.querySelectorAll("article.harbour-post--reply");
    for (var i = 0; i < shown.length; i++) {
      if (parseInt(shown[i].id.replace("reply-", ""), 10) > id) return shown[i];
    }
    return null;
  }

  // One fetch at a time, so replies are added in order and once; a hint
  // heard during a fetch asks for one more after it, from the lowest id
  // asked for meanwhile. `after` is the id to ask from (default: the last).
  function catchUp(after) {
    if (after === undefined) after = last;
    if (fetching) { again = again === null ? after : Math.min(again, after); return; }
    fetching = true;
    var more = false;
    fetch(list.dataset.live + "?after=" + after, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { more = add(html); })
      .catch(function () {})
      .then(function () {
        fetching = false;
        var next = again;
        again = null;
        if (next !== null) catchUp(next);
        else if (more) catchUp();
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
      catchUp(floor);
    }
    if (frame.type === "live" && frame.kind === "topic" && frame.id > floor &&
        !document.getElementById("reply-" + frame.id)) {
      catchUp(Math.min(last, frame.id - 1));
    }
  });
  // The channel layer may drop a hint: look again when the page comes back.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) catchUp();
  });
})();
