// "Read this to me" for easy read (decision 0030): reads the page's main
// content aloud with the browser's own speech synthesis. Nothing leaves the
// phone. The controls stay hidden where the browser cannot speak, so no
// button is offered that does nothing.
(function () {
  "use strict";
  var bar = document.getElementById("harbour-read-aloud");
  var main = document.getElementById("maincontent");
  if (!bar || !main || !window.speechSynthesis || !window.SpeechSynthesisUtterance) {
    return;
  }
  var speech = window.speechSynthesis;
  var start = bar.querySelector("[data-read='start']");
  var pause = bar.querySelector("[data-read='pause']");
  var stop = bar.querySelector("[data-read='stop']");
  var pauseLabel = pause.querySelector("[data-label]");
  var status = bar.querySelector("[data-read='status']");
  var lines = [];
  var next = 0;
  var paused = false;

  function say(text) {
    status.textContent = text;
  }

  // The visible text of the main content, a line at a time: a long
  // utterance is cut off by some browsers after about fifteen seconds, and a
  // line is a natural place to pause. innerText leaves out what is hidden.
  function readLines() {
    return main.innerText
      .split(/\n+/)
      .map(function (line) { return line.trim(); })
      .filter(function (line) { return line.length > 0; });
  }

  function show(speaking) {
    start.hidden = speaking;
    pause.hidden = !speaking;
    stop.hidden = !speaking;
    if (!speaking) {
      paused = false;
      pauseLabel.textContent = pause.dataset.pause;
    }
  }

  function speakNext() {
    if (next >= lines.length) {
      show(false);
      start.focus();
      return;
    }
    var utterance = new SpeechSynthesisUtterance(lines[next]);
    utterance.lang = document.documentElement.lang || "en";
    next += 1;
    utterance.onend = function () {
      if (!start.hidden) { return; }  // stopped meanwhile
      speakNext();
    };
    utterance.onerror = function () {
      // "interrupted" and "canceled" are our own stop; anything else ends it.
      show(false);
    };
    speech.speak(utterance);
  }

  start.addEventListener("click", function () {
    speech.cancel();
    lines = readLines();
    next = 0;
    show(true);
    say(start.dataset.reading);
    pause.focus();
    speakNext();
  });

  pause.addEventListener("click", function () {
    if (paused) {
      speech.resume();
      paused = false;
      pauseLabel.textContent = pause.dataset.pause;
      say(start.dataset.reading);
    } else {
      speech.pause();
      paused = true;
      pauseLabel.textContent = pause.dataset.resume;
      say(pause.dataset.paused);
    }
  });

  stop.addEventListener("click", function () {
    show(false);
    speech.cancel();
    say(stop.dataset.stopped);
    start.focus();
  });

  // Leaving the page stops the voice (some browsers carry on otherwise).
  window.addEventListener("pagehide", function () { speech.cancel(); });

  bar.hidden = false;
})();
