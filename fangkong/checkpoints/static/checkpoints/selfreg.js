/* Self-registration: remember the resident's details on this phone (localStorage, never
   sent anywhere else), and keep the submission key of an unanswered submission
   (sessionStorage) so that a retry after a timeout is recognised by the server. */
(function () {
  "use strict";
  var root = document.querySelector(".selfreg");
  if (!root) { return; }
  var STORE = "fangkong.selfreg.details";
  var PENDING = "fangkong.selfreg.pending." + root.dataset.key;
  if (root.dataset.done) { sessionStorage.removeItem(PENDING); return; }
  var form = document.getElementById("selfreg-form");
  if (!form) { return; }
  var texts = ["name", "id_number", "phone", "plate", "origin"];
  var checks = ["resident", "mask"];
  var notice = root.querySelector(".remembered");
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
  if (saved) {
    var filled = false;
    texts.forEach(function (name) {
      var el = form.elements[name];
      if (el && !el.value && saved[name]) { el.value = saved[name]; filled = true; }
    });
    if (!form.querySelector(".field-error")) {
      checks.forEach(function (name) {
        var el = form.elements[name];
        if (el && typeof saved[name] === "boolean") { el.checked = saved[name]; }
      });
    }
    if (filled && notice) { notice.hidden = false; }
    // The resident chose to be remembered: keep it so unless they untick it. A first
    // visit leaves the box unticked (nothing is kept without asking).
    document.getElementById("remember").checked = true;
  }
  var pending = sessionStorage.getItem(PENDING);
  // With the phone's queue (static/js/offline.js) a retry is the queue's, by its own
  // record: a key kept here would give the next registration a sent one's key.
  if (pending && !(form.hasAttribute("data-offline") && window.indexedDB)) {
    form.elements.client_id.value = pending;
  }
  form.addEventListener("submit", function () {
    sessionStorage.setItem(PENDING, form.elements.client_id.value);
    if (document.getElementById("remember").checked) {
      var details = {};
      texts.forEach(function (name) { details[name] = form.elements[name].value.trim(); });
      checks.forEach(function (name) { details[name] = form.elements[name].checked; });
      localStorage.setItem(STORE, JSON.stringify(details));
    } else {
      localStorage.removeItem(STORE);
    }
  });
  var forget = root.querySelector(".forget");
  if (forget) {
    forget.addEventListener("click", function () {
      localStorage.removeItem(STORE);
      texts.forEach(function (name) { form.elements[name].value = ""; });
      document.getElementById("remember").checked = false;
      if (notice) { notice.hidden = true; }
    });
  }
}());
