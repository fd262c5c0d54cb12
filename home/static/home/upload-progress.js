// Large video uploads in the admin show a progress bar: the form is sent with
// XMLHttpRequest so its upload progress can be read, then the browser goes
// where the server answered (the listing on success, the form with its
// errors otherwise). Without JavaScript the form posts as usual.
(function () {
  "use strict";
  // The admin loads Django's JavaScript catalogue (Wagtail's, which holds
  // locale/*/djangojs.po too): words in the editor's language.
  var gettext = window.gettext || function (text) { return text; };
  var uploading = function (percent) {
    return gettext("Uploading… %(percent)s%").replace("%(percent)s", percent);
  };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.enctype !== "multipart/form-data") return;
    var file = form.querySelector('input[type="file"][name="file"]');
    if (!file || !file.files.length || !/\/admin\/media\/(\w+\/add|edit)\//.test(form.action)) return;
    event.preventDefault();
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.style.width = "100%";
    var label = document.createElement("p");
    label.setAttribute("role", "status");
    label.textContent = uploading(0);
    form.appendChild(label);
    form.appendChild(bar);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.onprogress = function (progress) {
      if (!progress.lengthComputable) return;
      var percent = Math.round((progress.loaded / progress.total) * 100);
      bar.value = percent;
      label.textContent = uploading(percent);
    };
    request.onload = function () {
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    };
    request.onerror = function () {
      label.textContent = gettext("The upload failed. Please check your connection and try again.");
    };
    request.send(new FormData(form));
  });
})();
