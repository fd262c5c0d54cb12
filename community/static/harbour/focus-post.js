// After posting (a reply, a comment, a wall message) the server sends the
// page back to the new post's anchor (#reply-N, #comment-N, #wall-N); the
// post has tabindex="-1", so focus moves to it and a screen reader reads it,
// instead of starting again at the top. A form sent back with errors keeps
// its error summary's focus.
(function () {
  "use strict";
  var id = decodeURIComponent(location.hash.slice(1));
  if (!/^(reply|comment|wall)-\d+$/.test(id)) return;
  var post = document.getElementById(id);
  if (!post || post.getAttribute("tabindex") !== "-1") return;
  if (document.querySelector(".nhsuk-error-summary")) return;
  if (document.activeElement && document.activeElement !== document.body) return;
  post.focus();
})();
