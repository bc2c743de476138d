/* A form sent back with an error or a warning brings it to the finger: the first field
   in error (Django marks it aria-invalid), or else the first error or warning message,
   is scrolled to the middle of the screen and takes the focus. Runs on a full page and
   after every htmx swap, so the duty screen and the import result behave the same.

   A stop (an element with data-stop: the duty screen's fever or flagged plate) comes
   first: scrolled to the top of the screen, focused, and the phone vibrates where it
   can. window.fk.showStop(root) does it for content swapped in any other way (a
   fetch-based sender); it answers whether there was a stop. */
(function () {
  "use strict";
  var MESSAGES = ".field-error, .errorlist, .form-warning, [data-focus-message]";

  function bring(target, block) {
    target.scrollIntoView({ block: block });
    try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
  }

  function showStop(root) {
    var scope = root && root.isConnected !== false && root.querySelector ? root : document;
    var stop = scope.querySelector("[data-stop]");
    if (!stop && scope !== document) stop = document.querySelector("[data-stop]");
    if (!stop) return false;
    if (!stop.hasAttribute("tabindex")) stop.setAttribute("tabindex", "-1");
    bring(stop, "start");
    if (navigator.vibrate) {
      try { navigator.vibrate([400, 150, 400]); } catch (e) { /* not allowed here */ }
    }
    return true;
  }

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
    bring(target, "center");
  }

  // A link of an error summary focuses its field (the URL fragment alone only scrolls).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-focus-field]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("data-focus-field"));
    if (!field) return;
    event.preventDefault();
    bring(field, "center");
  });

  function afterContent(root) {
    if (!showStop(root)) focusFirstProblem(root);
  }

  window.fk = window.fk || {};
  window.fk.showStop = showStop;
  window.fk.focusFirstProblem = focusFirstProblem;
  document.addEventListener("DOMContentLoaded", function () { afterContent(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    // A poll of a list (the duty screen's pending section) is no answer to the user.
    if (event.detail && event.detail.requestConfig && event.detail.requestConfig.verb === "get"
        && event.target.hasAttribute && event.target.hasAttribute("hx-trigger")) return;
    // The phone's queue (offline.js) swapped an answer in and calls showStop itself.
    if (event.detail && event.detail.fromQueue) return;
    afterContent(event.target);
  });
})();
