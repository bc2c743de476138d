/* The reading form made offline (static/js/offline.js keeps it in the phone's queue).

   - Checks on the phone before a record is queued (window.fkOfflineChecks["water-reading"]):
     the result is there, is a number (or 未检出 where the indicator can be "not detected"),
     lies in what an instrument can show (pH 0–14 …) with at most 4 decimals; the sampler
     and the time are there and the time is not ahead. The messages are the server's
     (water/services.py phone_checks renders them into data-phone-checks); the server
     checks everything again when the record arrives. Online the server answers at once.
   - The next reading: once a record is queued, the indicator, sampler and instrument stay
     (the next reading is most often the same sampler at the same point) and the time is
     the phone's now; a shell opened offline (kept the day before) takes the phone's now
     as its sampling time too. */
(function () {
  "use strict";
  var source = document.querySelector("[data-phone-checks]");
  var form = document.querySelector("form[data-offline='water-reading']");
  if (!source || !form) { return; }
  var M;
  try { M = JSON.parse(source.getAttribute("data-phone-checks")); } catch (e) { return; }

  function normalise(text) {
    return (text || "").replace(/[\uFF01-\uFF5E]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/\u3002/g, ".").trim();
  }

  function result(indicator, raw) {
    var spec = M.indicators[indicator];
    var text = normalise(raw);
    if (!spec) { return ""; }
    if (M.nd_words.indexOf(text.toLowerCase()) >= 0) { return spec.nd ? "" : spec.always; }
    if (!text) { return M.result; }
    text = text.replace(",", ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) {
      // Decimal reads "1e2" too: what the phone cannot read is left to the server.
      return isNaN(Number(text)) ? M.number : "";
    }
    var value = parseFloat(text);
    if (value < parseFloat(spec.low) || value > parseFloat(spec.high)) {
      var shown = text.replace(/^\+/, "").replace(/^(-?)\./, "$10.");
      return spec.range.replace("%(value)s", shown);
    }
    var places = /\.(\d*?)0*$/.exec(text);
    if (places && places[1].length > 4) { return M.places; }
    return "";
  }

  function localNow() {
    var d = new Date(), pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function check(f) {
    var value = function (name) { var el = f.elements[name]; return el ? el.value : ""; };
    var errors = [];
    var add = function (name, message) {
      if (message && f.elements[name]) { errors.push({ field: name, message: message }); }
    };
    add("value", result(value("indicator"), value("value")));
    var taken = value("taken_at");
    if (!taken) { add("taken_at", M.required); }
    else if (new Date(taken).getTime() > Date.now() + 5 * 60 * 1000) { add("taken_at", M.future); }
    if (!normalise(value("sampler"))) { add("sampler", M.required); }
    return errors;
  }

  function setNow(el) {
    if (!el) { return; }
    var now = localNow();
    el.value = now;
    el.defaultValue = now;
  }

  document.addEventListener("fk:queued", function (event) {
    var detail = event.detail || {};
    if (detail.kind !== "water-reading" || event.target !== form) { return; }
    var values = {};
    (detail.fields || []).forEach(function (pair) { values[pair[0]] = pair[1]; });
    ["indicator", "sampler", "instrument"].forEach(function (name) {
      var el = form.elements[name];
      if (!el || values[name] === undefined) { return; }
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.defaultSelected = o.value === values[name]; });
      }
      el.value = values[name];
      if (el.tagName !== "SELECT") { el.defaultValue = values[name]; }
    });
    setNow(form.elements.taken_at);
  });

  var taken = form.elements.taken_at;
  if (!navigator.onLine && taken && taken.value === taken.defaultValue &&
      !taken.closest(".has-error")) {
    setNow(taken);
  }

  window.fkOfflineChecks = window.fkOfflineChecks || {};
  window.fkOfflineChecks["water-reading"] = check;
})();
