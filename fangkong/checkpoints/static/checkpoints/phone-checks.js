/* The checks a passage gets on the phone when it is made offline (static/js/offline.js
   asks window.fkOfflineChecks[kind] before queueing): ID number shape and check
   character, temperature range, plate province and letter, with the server's own
   messages (checkpoints/phone_checks.py renders them into data-phone-checks). The server
   checks everything again when the record arrives. */
(function () {
  "use strict";
  var source = document.querySelector("[data-phone-checks]");
  if (!source) { return; }
  var M;
  try { M = JSON.parse(source.getAttribute("data-phone-checks")); } catch (e) { return; }
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function normalise(text) {
    return (text || "").replace(/[\uFF01-\uFF5E]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/[\s\u200b\u200c\u200d\u2060\ufeff·•・\-]/g, "").toUpperCase();
  }

  function idNumber(raw) {
    var n = normalise(raw);
    if (!n) { return M.id_number.empty; }
    if (n.length === 15 && /^[0-9]+$/.test(n)) { return M.id_number.legacy; }
    if (n.length !== 18) {
      return (n.length === 1 ? M.id_number.length_one : M.id_number.length_many)
        .replace("%(count)d", String(n.length));
    }
    if (!/^[0-9]{17}[0-9X]$/.test(n)) { return M.id_number.format; }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += parseInt(n.charAt(i), 10) * WEIGHTS[i]; }
    if (CHECK.charAt(sum % 11) !== n.charAt(17)) { return M.id_number.checksum; }
    return "";
  }

  function temperature(raw, required) {
    var t = normalise(raw).replace(",", ".");
    if (!t) { return required ? M.temperature.required : ""; }
    if (!/^[0-9]+(\.[0-9]+)?$/.test(t)) { return M.temperature.number; }
    var v = parseFloat(t);
    if (v < parseFloat(M.temperature.min) || v > parseFloat(M.temperature.max)) { return M.temperature.range; }
    if (/\.[0-9]{2,}$/.test(t) && !/\.[0-9]0+$/.test(t)) { return M.temperature.decimal; }
    return "";
  }

  function plate(raw) {
    var p = normalise(raw);
    if (!p) { return ""; }
    if (M.plate.provinces.indexOf(p.charAt(0)) < 0) { return M.plate.province.replace("%(char)s", p.charAt(0)); }
    if (!/^[A-Z]$/.test(p.charAt(1))) { return M.plate.letter; }
    if (/[IO]/.test(p.slice(2))) { return M.plate.io; }
    return "";
  }

  function passage(form, submitter) {
    var value = function (name) { var el = form.elements[name]; return el ? el.value : ""; };
    var direction = submitter && submitter.name === "direction" ? submitter.value : value("direction");
    var errors = [];
    var add = function (name, message) { if (message && form.elements[name]) { errors.push({ field: name, message: message }); } };
    if (form.elements.id_number) { add("id_number", idNumber(value("id_number"))); }
    add("temperature", temperature(value("temperature"), direction === "in"));
    add("plate", plate(value("plate")));
    return errors;
  }

  /* A fever registered while the server cannot answer (kept in the phone's queue) is
     stopped on the phone all the same: the threshold in force today is on the register
     form (data-fever-threshold), the stop is the server's (#offline-stop), shown where
     the finger is (window.fk.showStop). */
  document.addEventListener("fk:queued", function (event) {
    var detail = event.detail || {};
    var form = event.target;
    var panel = document.getElementById("duty-panel");
    var template = document.getElementById("offline-stop");
    var register = document.querySelector(".duty-form[data-fever-threshold]");
    if (detail.kind !== "passage" || !panel || !template || !register) { return; }
    // The previous person's stop is not about this one.
    panel.querySelectorAll("[data-offline-stop]").forEach(function (el) { el.remove(); });
    var values = {};
    (detail.fields || []).forEach(function (pair) { values[pair[0]] = pair[1]; });
    var t = parseFloat(normalise(values.temperature).replace(",", "."));
    if (isNaN(t) || t < parseFloat(register.getAttribute("data-fever-threshold"))) { return; }
    var row = form.closest && form.closest(".recent-row");
    var who = values.name || (row && row.querySelector(".who strong") ?
                              row.querySelector(".who strong").textContent : "");
    var stop = template.content.firstElementChild.cloneNode(true);
    stop.querySelector(".stop-name").textContent = who;
    stop.querySelector(".stop-reading").textContent = t.toFixed(1) + " °C";
    var head = panel.querySelector(".duty-head");
    panel.insertBefore(stop, head ? head.nextSibling : panel.firstChild);
    if (window.fk && window.fk.showStop) { window.fk.showStop(panel); }
  });

  window.fkOfflineChecks = window.fkOfflineChecks || {};
  window.fkOfflineChecks.passage = passage;
  window.fkOfflineChecks.selfreg = passage;
})();
