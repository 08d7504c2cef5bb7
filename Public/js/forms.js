// Forms: a page answered with a form's mistakes brings its error summary (#errorSummary, marked
// data-error-summary) into view and moves focus to it (GOV.UK's pattern), so that a phone user
// sees at once what to fix, however far down the form sits. Each entry that names a field links
// to it: the entries are put in the order the fields stand on the page, each gets its field's
// label before the message, and following one focuses the field. A page answered on a POST-only
// address puts the page's own address in the address bar. No page works worse without this file.
(function () {
  // A form answered on a POST-only address: the address bar gets the page's own.
  var address = document.querySelector('meta[name="page-address"]');
  if (address && window.history.replaceState) window.history.replaceState(null, "", address.getAttribute("content"));

  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;

  function fieldFor(name) {
    var quoted = name.replace(/"/g, '\\"');
    // Where several forms share a name (a comment), the one marked wrong is meant.
    var marked = document.querySelector('[aria-invalid="true"][name="' + quoted + '"]');
    if (marked) return marked;
    var byId = document.getElementById(name);
    if (byId) return byId;
    return document.querySelector('[name="' + quoted + '"], [name="' + quoted + '[]"]');
  }

  function labelFor(field) {
    // A yes/no or a set of boxes is named by its group's legend, not by its first choice.
    var group = field.closest("fieldset");
    var legend = group && group.querySelector("legend");
    if ((field.type === "radio" || field.type === "checkbox") && legend) return legend.textContent.trim();
    if (field.id) {
      var label = document.querySelector('label[for="' + field.id + '"]');
      if (label) return label.textContent.trim();
    }
    return legend ? legend.textContent.trim() : "";
  }

  var colon = /^zh/.test(document.documentElement.lang) ? "：" : ": ";
  var list = summary.querySelector("ul");
  var entries = Array.prototype.slice.call(summary.querySelectorAll("a[data-field]"));
  var placed = [];
  entries.forEach(function (link) {
    var field = fieldFor(link.getAttribute("data-field"));
    if (!field) return;
    if (!field.id) field.id = "field-" + link.getAttribute("data-field").replace(/[^A-Za-z0-9_-]/g, "-");
    link.setAttribute("href", "#" + field.id);
    var label = labelFor(field).replace(/[:：]\s*$/, "");
    if (label && link.textContent.indexOf(label) !== 0) link.textContent = label + colon + link.textContent;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
    placed.push({ item: link.closest("li"), field: field });
  });
  placed.sort(function (a, b) {
    return a.field.compareDocumentPosition(b.field) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
  placed.forEach(function (entry) { list.appendChild(entry.item); });

  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
})();
