/* The page's small behaviours, written here rather than inline so that the
   Content-Security-Policy needs no 'unsafe-inline' (docs/decisions/security-headers.md).
   Loaded in <head> without "defer": it marks the page as scripted before the first paint
   (no menu flash on a phone), then binds its handlers by delegation, so that content
   swapped in by htmx behaves like the page it lands in.

   data-menu-toggle      the phone menu button: opens/closes the element its aria-controls names
   data-confirm          on a form: asks before submitting (the text is the attribute's value)
   data-clear-on-change  on a form: empties the element with this id when a field changes
   data-keep-query       on a link: follows the address bar's current query string
   data-copy="id"        on a button: copies the text of the field with this id;
                         the element with data-copied shows after it
   data-width="42"       sets the element's width to 42% (a rate bar)
   data-poll-paused-while-typing  on an element htmx polls: no refresh while the focus is
                         in it, a field in it holds something typed, or it asks a question
                         (data-asking), so a poll never wipes what the user is doing */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.replace("no-js", "js");

  function setWidths(scope) {
    (scope || document).querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) { el.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  }

  function toggleMenu(button, open) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) { return; }
    if (open === undefined) { open = !nav.classList.contains("nav-open"); }
    nav.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", String(open));
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var menu = target.closest("[data-menu-toggle]");
    if (menu) { toggleMenu(menu); return; }
    var link = target.closest("a[data-keep-query]");
    if (link) { link.search = window.location.search; return; }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      var done = copy.parentNode.querySelector("[data-copied]");
      var shown = function () { if (done) { done.hidden = false; } };
      if (!field) { return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(shown);
      } else {
        field.select();
        document.execCommand("copy");
        shown();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("[data-menu-toggle]").forEach(function (b) { toggleMenu(b, false); });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-clear-on-change]");
    if (!form) { return; }
    var result = document.getElementById(form.getAttribute("data-clear-on-change"));
    if (result) { result.innerHTML = ""; }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-poll-paused-while-typing")) { return; }
    var busy = el.contains(document.activeElement) || el.querySelector("[data-asking]");
    if (!busy) {
      el.querySelectorAll("input:not([type=hidden]), textarea").forEach(function (field) {
        if (field.value) { busy = true; }
      });
    }
    if (busy) { event.preventDefault(); }
  });


  // The submission key of a creating form (core.forms.KeyedForm) is kept in the page's
  // history entry when the form is sent, and put back when the user returns to that entry
  // (back/forward): the browser restores the typed values but the page comes with a new
  // key, and sending it again would save the record twice.
  function keyedForms(root) {
    return Array.prototype.filter.call(root.querySelectorAll("form"), function (form) {
      return form.querySelector("input.submission-key");
    });
  }

  function formSlot(form) {
    return (form.getAttribute("action") || "") + "#" + keyedForms(document).indexOf(form);
  }

  // The key the form holds now is the one the page's history entry gives back. Called on
  // submit, and by offline.js when its queue has taken a record and given the form a new
  // key (window.fk.keepKey): the entry must not give back a key the queue already holds,
  // or the next record would take the queued one's place.
  function keepKey(form) {
    var input = form && form.querySelector && form.querySelector("input.submission-key");
    // An htmx form stays on its page and gets a new key with each answer: nothing to keep.
    if (!input || !window.history.replaceState || form.hasAttribute("hx-post")) { return; }
    var state = Object.assign({}, window.history.state || {});
    state.fangkongKeys = Object.assign({}, state.fangkongKeys || {});
    state.fangkongKeys[formSlot(form)] = input.value;
    window.history.replaceState(state, "");
  }

  document.addEventListener("submit", function (event) { keepKey(event.target); });
  window.fk = window.fk || {};
  window.fk.keepKey = keepKey;

  function cameBack() {
    var nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    return Boolean(nav && nav.type === "back_forward");
  }

  function restoreKeys() {
    var kept = (window.history.state || {}).fangkongKeys;
    if (!kept || !cameBack()) { return; }
    keyedForms(document).forEach(function (form) {
      var key = kept[formSlot(form)];
      if (key) { form.querySelector("input.submission-key").value = key; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setWidths(document); restoreKeys(); });
  document.addEventListener("htmx:afterSwap", function (event) { setWidths(event.target); });
})();
