// Forms: a page answered with a form's mistakes brings its error summary into view and moves
// focus to it (GOV.UK's pattern), so that a phone user sees at once what to fix, however far
// down the form sits. The summary is marked data-error-summary; each of its entries that names
// a field links to it. No page works worse without this file.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
})();
