// Live pages: when the server says something changed (on any instance), fetch this page again
// and swap in the regions marked data-live; "refresh" says events may have been missed. Without
// EventSource, refresh the regions every 30 seconds instead. No page works worse without this file.
(function () {
  var regions = document.querySelectorAll("[data-live]");
  if (!regions.length) return;
  var busy = false;
  function refresh() {
    if (busy) return;
    var active = document.activeElement;
    if (active && (active.tagName === "TEXTAREA" || active.tagName === "INPUT") && active.value) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelectorAll("[data-live]");
        regions.forEach(function (region, index) {
          if (fresh[index]) region.innerHTML = fresh[index].innerHTML;
        });
        var status = document.getElementById("live-status");
        if (status) status.textContent = status.getAttribute("data-updated") || "";
      })
      .finally(function () { busy = false; });
  }
  if (window.EventSource) {
    var source = new EventSource(regions[0].getAttribute("data-live"));
    source.addEventListener("change", refresh);
    source.addEventListener("refresh", refresh);
  }
  setInterval(refresh, 30000);
})();
