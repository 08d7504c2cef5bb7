// Layout on a phone, only with script (without it the page works as on a wide screen):
// - the main navigation folds behind one "菜单" button that names the current section, so that
//   the page, not fourteen menu entries, fills the first screen (app.css, `.collapsible`);
// - a table wider than its box scrolls inside it (`.table-wrap`); such a box becomes a named
//   region that takes focus, so that a keyboard can scroll it too (WCAG 2.1.1). A box that fits
//   is left out of the tab order.
(function () {
  var nav = document.querySelector(".main-nav");
  var toggle = nav && nav.querySelector(".nav-toggle");
  if (toggle) {
    nav.classList.add("collapsible");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
      markScrolling();
    });
    // Escape folds it again, back on the button.
    nav.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !nav.classList.contains("open")) return;
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("open");
      toggle.focus();
    });
  }

  var english = (document.documentElement.lang || "").indexOf("en") === 0;

  function nameOf(box) {
    var table = box.querySelector("table");
    if (table && table.caption && table.caption.textContent.trim()) return table.caption.textContent.trim();
    var section = box.closest("section, .card, figure");
    var heading = section && section.querySelector("h1, h2, h3, figcaption");
    if (heading && heading.textContent.trim()) return heading.textContent.trim();
    return english ? "Table" : "表格";
  }

  function markScrolling() {
    var boxes = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("data-scrolls")) {
        box.setAttribute("data-scrolls", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box) + (english ? " (scrolls sideways)" : "（可左右滚动）"));
      } else if (!scrolls && box.hasAttribute("data-scrolls")) {
        box.removeAttribute("data-scrolls");
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  markScrolling();
  window.addEventListener("resize", markScrolling);
  // A list that live.js refills may start or stop overflowing.
  var main = document.querySelector("main");
  if (main && window.MutationObserver) new MutationObserver(markScrolling).observe(main, { childList: true, subtree: true });
  // A table in a folded <details> (a chart's numbers) measures only once it is open.
  document.addEventListener("toggle", markScrolling, true);
})();
