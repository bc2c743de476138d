// Policy calculator: show only the facts of the chosen measure (the server checks the
// same; without script every field shows and the unused ones are ignored when empty).
(function () {
  "use strict";
  function update(form) {
    var select = form.querySelector("select[name=measure]");
    if (!select) { return; }
    var measure = select.value;
    form.querySelectorAll("[data-measures]").forEach(function (box) {
      var mine = box.getAttribute("data-measures").split(" ").indexOf(measure) !== -1;
      box.hidden = !mine;
      box.querySelectorAll("input, select").forEach(function (input) { input.disabled = !mine; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-relief-calculator]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "measure") { update(form); }
      });
    });
    var result = document.getElementById("result");
    if (result && !document.querySelector(".field-error")) { result.focus(); }
  });
}());
