/* A form sent back with an error or a warning brings it to the finger: the first field
   in error (Django marks it aria-invalid), or else the first error or warning message,
   is scrolled to the middle of the screen and takes the focus. Runs on a full page and
   after every htmx swap, so the duty screen and the import result behave the same. */
(function () {
  "use strict";
  var MESSAGES = ".field-error, .errorlist, .form-warning, [data-focus-message]";

  function focusFirstProblem(root) {
    var scope = root || document;
    // A form that lists its problems at its top (data-error-summary) starts there; its
    // links lead to each field.
    var target = scope.querySelector("[data-error-summary]") ||
      scope.querySelector("[aria-invalid=true]");
    if (!target) {
      var field = scope.querySelector(".field.has-error");
      target = field && field.querySelector("input, select, textarea");
    }
    if (!target) {
      target = scope.querySelector(MESSAGES);
      if (target && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    }
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
  }

  // A link of an error summary focuses its field (the URL fragment alone only scrolls).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-focus-field]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("data-focus-field"));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", function () { focusFirstProblem(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirstProblem(event.target); });
})();
