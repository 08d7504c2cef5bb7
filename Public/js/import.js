// Roster import: send the file with a progress token, show the upload's progress, then follow
// the server's checking and importing (/workforce/imports/:token) until the page comes back.
// Without this file the form posts normally and the result page shows the outcome.
(function () {
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = document.getElementById("import-progress");
  var bar = box.querySelector("progress");
  var status = document.getElementById("import-status");
  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (!file.files.length) return;
    event.preventDefault();
    var token = Math.random().toString(36).slice(2) + Date.now().toString(36);
    document.getElementById("import-token").value = token;
    box.hidden = false;
    var polling = null;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.value = Math.round(e.loaded / e.total * 50);
      status.textContent = status.getAttribute("data-upload") + " " + bar.value * 2 + "%";
    };
    request.upload.onload = function () {
      polling = setInterval(function () {
        fetch("/workforce/imports/" + token, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) {
            if (!p || !p.total) return;
            var share = p.done / p.total;
            bar.value = p.phase === "importing" ? 75 + Math.round(share * 25) : 50 + Math.round(share * 25);
            var label = status.getAttribute(p.phase === "importing" ? "data-importing" : "data-checking");
            status.textContent = label + " " + p.done + " / " + p.total;
          });
      }, 500);
    };
    request.onload = function () {
      if (polling) clearInterval(polling);
      document.open();
      document.write(request.responseText);
      document.close();
    };
    request.send(new FormData(form));
  });
})();
