// The main navigation on a phone: folded behind one "菜单" button that names the current
// section, so that the page, not fourteen menu entries, fills the first screen. Only with
// script: without it the whole menu shows, as on a wide screen (app.css, `.collapsible`).
(function () {
  var nav = document.querySelector(".main-nav");
  var toggle = nav && nav.querySelector(".nav-toggle");
  if (!toggle) return;
  nav.classList.add("collapsible");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
  // Escape folds it again, back on the button.
  nav.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !nav.classList.contains("open")) return;
    toggle.setAttribute("aria-expanded", "false");
    nav.classList.remove("open");
    toggle.focus();
  });
})();
