/* Offline-first capture on the page (docs/decisions/offline.md).

   A form marked data-offline="<kind>" is not sent by the browser or htmx: its values go
   into the phone's queue (offline-queue.js, IndexedDB) with the form's key, version and
   the time it was made, then the queue sends it. Online, the answer is shown as htmx
   would (the duty panel swapped in, with the same "htmx:afterSwap" the page's scripts
   listen to); offline, the form is emptied with a new key and the record waits as
   待发送. The list ([data-offline-queue]) shows every record's state; a failed one can
   be edited (its values back in the form) and sent again, deleted, or exported.

   data-offline-describe="name direction"  fields that label the record (a name masked)
   data-offline-label="…"                  a fixed label instead
   data-offline-key="…"                    the key of a form without client_id (confirm)

   Hooks for the page's scripts: window.fkOfflineChecks[kind](form, submitter) →
   [{field, message}] (checks made on the phone when offline; nothing is queued while
   one fails), and the "fk:queued" event on the form (detail: kind, key, fields) when a
   record waits in the queue; a swapped-in answer fires "htmx:afterSwap" as htmx does.

   Sent when the network returns (online event), on page load, every 15 s while records
   wait (each with its back-off), by Background Sync (sw.js), and on "Send now".
   Logging out asks first when records are unsent, then clears the queue. */
(function () {
  "use strict";
  var Q = window.fkQueue;
  var cfgEl, cfg = {}, busy = false;

  function text(name) { return (cfgEl && cfgEl.getAttribute("data-s-" + name)) || ""; }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16);
    });
  }

  function isoNow() {
    var d = new Date(), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    var pad = function (n) { return String(Math.floor(Math.abs(n))).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      sign + pad(off / 60) + ":" + pad(off % 60);
  }

  function mask(value) {
    value = (value || "").trim();
    if (!value) { return ""; }
    return value.charAt(0) + "*".repeat(Math.min(Math.max(value.length - 1, 1), 3));
  }

  function describe(form, fields) {
    var fixed = form.getAttribute("data-offline-label");
    if (fixed) { return fixed; }
    var wanted = (form.getAttribute("data-offline-describe") || "").split(/\s+/);
    var parts = [];
    wanted.forEach(function (name) {
      var pair = fields.filter(function (p) { return p[0] === name; })[0];
      if (!pair || !pair[1]) { return; }
      if (name === "name") { parts.push(mask(pair[1])); }
      else if (name === "direction") { parts.push(text(pair[1] === "out" ? "out" : "in")); }
      else {
        var el = form.elements[name];
        if (el && el.tagName === "SELECT" && el.selectedIndex >= 0) {
          parts.push(el.options[el.selectedIndex].text);
        } else { parts.push(String(pair[1]).slice(0, 20)); }
      }
    });
    return parts.join(" · ");
  }

  function field(form, name) { return form.querySelector("[name='" + name + "']"); }

  function setHidden(input, value) {
    if (!input) { return; }
    input.value = value;
    input.defaultValue = value;
  }

  function note(form, message, kind, key) {
    var el = form.querySelector("[data-offline-note]");
    if (!el) {
      el = document.createElement("p");
      el.setAttribute("data-offline-note", "");
      el.setAttribute("tabindex", "-1");
      form.appendChild(el);
    }
    el.className = "offline-note " + (kind || "");
    if (key) { el.setAttribute("data-key", key); } else { el.removeAttribute("data-key"); }
    el.setAttribute("role", kind === "failed" ? "alert" : "status");
    el.textContent = message;
    el.hidden = !message;
    // A stop on the screen (a fever kept on the phone: phone-checks.js) keeps the focus.
    var active = document.activeElement;
    if (message && !(active && active.closest && active.closest("[data-stop]"))) {
      el.scrollIntoView({ block: "nearest" });
      try { el.focus({ preventScroll: true }); } catch (e) { el.focus(); }
    }
  }

  /* --- The list ------------------------------------------------------------------ */

  function stateText(record) {
    var state = text(record.status);
    if (record.status === "failed") {
      var why = record.message || (record.reason === "gave-up" ? text("gave-up") : text("refused"));
      return state + "：" + why;
    }
    if (record.status === "pending" && record.reason === "other-user") {
      return state + "：" + text("other-user");
    }
    if (record.status === "sent" && record.message) { return state + "：" + record.message; }
    return state;
  }

  function button(label, action, key) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-small";
    b.textContent = label;
    b.setAttribute("data-offline-action", action);
    b.setAttribute("data-key", key);
    return b;
  }

  function render() {
    var boxes = document.querySelectorAll("[data-offline-queue]");
    if (!boxes.length && !document.querySelector("[data-offline-note][data-key]")) {
      return Promise.resolve();
    }
    return Q.all().then(function (records) {
      var waiting = records.filter(function (r) { return r.status !== "sent"; }).length;
      // A "saved on this phone" note follows its record.
      document.querySelectorAll("[data-offline-note][data-key]").forEach(function (el) {
        var record = records.filter(function (r) { return r.key === el.getAttribute("data-key"); })[0];
        if (record && record.status !== "pending" && record.status !== "sending") {
          el.className = "offline-note " + record.status;
          el.textContent = stateText(record);
          el.removeAttribute("data-key");
        }
      });
      boxes.forEach(function (box) {
        var list = box.querySelector("[data-offline-list]");
        list.textContent = "";
        records.slice().reverse().forEach(function (r) {
          var li = document.createElement("li");
          li.className = "offline-item offline-" + r.status;
          li.setAttribute("data-offline-item", r.key);
          li.setAttribute("data-status", r.status);
          var made = new Date(r.madeAtMs || r.createdAt);
          var label = document.createElement("span");
          label.className = "offline-label";
          label.textContent = (r.label || r.kind) + " · " +
            String(made.getHours()).padStart(2, "0") + ":" + String(made.getMinutes()).padStart(2, "0");
          var state = document.createElement("span");
          state.className = "offline-state";
          state.textContent = stateText(r);
          li.appendChild(label);
          li.appendChild(state);
          if (r.status === "failed") {
            li.appendChild(button(text("edit"), "edit", r.key));
            li.appendChild(button(text("resend"), "resend", r.key));
            li.appendChild(button(text("delete"), "delete", r.key));
          }
          list.appendChild(li);
        });
        var count = box.querySelector("[data-offline-count]");
        if (count) { count.textContent = waiting ? String(waiting) : ""; }
        var exp = box.querySelector("[data-offline-export]");
        if (exp) { exp.hidden = !records.some(function (r) { return r.status === "failed"; }); }
        box.hidden = records.length === 0 && navigator.onLine && !cfg.loginNeeded;
        var status = box.querySelector("[data-offline-status]");
        if (status) {
          status.textContent = "";
          if (cfg.loginNeeded) {
            status.textContent = text("login") + " ";
            var a = document.createElement("a");
            a.href = cfg.login + "?next=" + encodeURIComponent(location.pathname);
            a.textContent = text("login-link");
            status.appendChild(a);
            status.className = "offline-status warn";
          } else if (!navigator.onLine) {
            status.textContent = text("offline");
            status.className = "offline-status warn";
          } else {
            status.className = "offline-status";
          }
        }
      });
    });
  }

  /* --- Sending ------------------------------------------------------------------- */

  function swapIn(form, result) {
    var selector = form.getAttribute("hx-target");
    var target = selector && document.querySelector(selector);
    if (!target || !result.html) { return false; }
    var holder = document.createElement("div");
    holder.innerHTML = result.html;
    var fresh = holder.firstElementChild;
    if (!fresh) { return false; }
    target.replaceWith(fresh);
    if (window.htmx) { window.htmx.process(fresh); }
    fresh.dispatchEvent(new CustomEvent("htmx:afterSwap", {
      bubbles: true, detail: { target: fresh, elt: fresh, fromQueue: true } }));
    // The answer's stop (a fever, a watched plate: [data-stop]) or its first error takes
    // the screen and the focus, as after htmx's own swap (focus-errors.js leaves a
    // fromQueue swap to this).
    if (window.fk && window.fk.showStop) {
      if (!window.fk.showStop(fresh) && window.fk.focusFirstProblem) { window.fk.focusFirstProblem(fresh); }
    }
    return true;
  }

  function replaceMain(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("main"), main = document.getElementById("main");
    if (!fresh || !main) { return; }
    main.innerHTML = fresh.innerHTML;
    document.dispatchEvent(new CustomEvent("htmx:afterSwap", { detail: { target: main } }));
    render();
  }

  function pristine(form) {
    return !Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") { return false; }
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      return el.value !== el.defaultValue;
    });
  }

  function replay(options) {
    if (busy && !options.only) { return Promise.resolve(); }
    busy = true;
    var lastHtml = null;
    return Q.replay({
      sessionUrl: cfg.session, loginPath: cfg.login, force: options.force, only: options.only,
      onResult: function (record, result) {
        render();
        if (options.onResult) { options.onResult(record, result); }
        else if (result.state === "sent" && record.page === location.pathname && result.html) {
          lastHtml = result;
        }
      },
    }).then(function (summary) {
      cfg.loginNeeded = !!(summary && summary.login);
      if (summary && summary.csrf) { adoptToken(summary.csrf); }
      // A replay's answer is shown only if it cannot wipe what is being typed.
      var form = document.querySelector("form[data-offline][hx-target]");
      if (lastHtml && form && pristine(form)) { swapIn(form, lastHtml); }
      return summary;
    }).catch(function () { return null; }).then(function (summary) {
      busy = false;
      render();
      return summary;
    });
  }

  /* Records sent by the worker (Background Sync): the page's panel shows them, if
     nothing is being typed into it. */
  function refreshPanel() {
    var form = document.querySelector("form[data-offline][hx-target]");
    if (!form || !pristine(form) || !window.htmx) { return; }
    window.htmx.ajax("GET", location.pathname, { target: form.getAttribute("hx-target"), swap: "outerHTML" });
  }

  /* A token the session answer gave (after a login elsewhere or an expired session):
     the page's forms and htmx requests use it from now on. */
  function adoptToken(token) {
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (el) { el.value = token; });
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta) { meta.setAttribute("content", token); }
    var headers = document.body.getAttribute("hx-headers");
    if (headers) {
      try {
        var parsed = JSON.parse(headers);
        parsed["X-CSRFToken"] = token;
        document.body.setAttribute("hx-headers", JSON.stringify(parsed));
      } catch (e) { /* not ours */ }
    }
  }

  function askSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) { return reg.sync.register("fangkong-queue"); }
    }).catch(function () {});
  }

  function capture(form, submitter) {
    var madeAt = form.getAttribute("data-offline-made-at") || isoNow();
    setHidden(field(form, "made_at"), madeAt);
    var data = new FormData(form, submitter || undefined);
    var fields = [];
    data.forEach(function (value, name) { if (typeof value === "string") { fields.push([name, value]); } });
    var keyInput = field(form, "client_id");
    var key = keyInput ? keyInput.value : (form.getAttribute("data-offline-key") || uuid());
    var version = field(form, "form_version");
    return {
      key: key, kind: form.getAttribute("data-offline"),
      url: form.getAttribute("hx-post") || form.getAttribute("action") || location.pathname,
      htmx: form.hasAttribute("hx-post"), fields: fields,
      formVersion: version ? version.value : "", madeAt: madeAt, madeAtMs: Date.now(),
      label: describe(form, fields), page: location.pathname, user: cfg.user || "",
      status: "pending", tries: 0, createdAt: Date.now(),
    };
  }

  function freshForm(form) {
    form.reset();
    setHidden(field(form, "client_id"), uuid());
    setHidden(field(form, "made_at"), "");
    form.removeAttribute("data-offline-made-at");
    // ui.js keeps a form's key in the page's history entry (back/forward gives it back):
    // from now on that is the new key, never the one the queue holds.
    if (window.fk && window.fk.keepKey) { window.fk.keepKey(form); }
  }

  /* Offline, the module's checks run on the phone (window.fkOfflineChecks[kind],
     e.g. checkpoints/phone-checks.js) with the server's messages, beside the field. */
  function phoneErrors(form, submitter) {
    form.querySelectorAll("[data-phone-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[data-phone-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-phone-invalid");
    });
    var check = window.fkOfflineChecks && window.fkOfflineChecks[form.getAttribute("data-offline")];
    if (navigator.onLine || !check) { return false; }
    var errors = check(form, submitter) || [];
    errors.forEach(function (error, i) {
      var input = form.elements[error.field];
      var box = document.createElement("div");
      box.className = "field-error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-phone-error", "");
      box.textContent = error.message;
      (input.closest(".field") || input.parentNode).appendChild(box);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("data-phone-invalid", "");
      if (i === 0) {
        input.scrollIntoView({ block: "center" });
        try { input.focus({ preventScroll: true }); } catch (e) { input.focus(); }
      }
    });
    return errors.length > 0;
  }

  /* What the page said about the previous record ("registered", "saved") is not about
     this one: hidden once this one is taken. Alerts (a fever stop) stay. */
  function hideStale(form) {
    var selector = form.getAttribute("hx-target");
    var scope = (selector && document.querySelector(selector)) || document.getElementById("main") || document;
    scope.querySelectorAll("[role=status]").forEach(function (el) {
      if (!el.closest("[data-offline-queue]") && !el.hasAttribute("data-offline-note")) { el.hidden = true; }
    });
  }

  function submit(form, submitter) {
    if (phoneErrors(form, submitter)) { return Promise.resolve(); }
    hideStale(form);
    var record = capture(form, submitter);
    var replaced = form.getAttribute("data-offline-replaces");
    form.removeAttribute("data-offline-replaces");
    // Offline, the form is ready for the next person at once (the record is taken).
    var live = navigator.onLine;
    if (!live) { freshForm(form); }
    return (replaced && replaced !== record.key ? Q.remove(replaced) : Promise.resolve())
      .then(function () { return Q.put(record); })
      .then(function () {
        render();
        if (!navigator.onLine) { return { state: "retry" }; }
        var outcome = null;
        return replay({ only: record.key, force: true, onResult: function (r, result) { outcome = result; } })
          .then(function () { return outcome || { state: "retry" }; });
      })
      .then(function (result) {
        if (result.state === "sent") {
          if (result.location) { window.location.href = result.location; return; }
          if (!swapIn(form, result)) {
            // A page without htmx: the record is saved; the form is now sent as the
            // browser would (same key: the server answers it as the duplicate it is),
            // so the page answers as after its own POST (its redirect and message) and
            // "back" returns to the filled form with the key ui.js kept.
            HTMLFormElement.prototype.submit.call(form);
          }
        } else if (result.state === "failed" && result.outcome === "invalid" && result.html) {
          // Sent live and refused: the page's own answer (errors beside the fields, what
          // was typed kept) replaces the form, as without the queue; the key stays.
          Q.remove(record.key).then(render);
          if (!swapIn(form, result)) { replaceMain(result.html); }
        } else if (result.state === "failed") {
          if (!swapIn(form, result)) { freshForm(form); }
          var failedForm = document.querySelector("form[data-offline='" + record.kind + "']") || form;
          note(failedForm, text("failed") + "：" + (result.message || text("refused")), "failed");
        } else {
          // The page's own hooks (a fever stop made on the phone) see what was queued.
          form.dispatchEvent(new CustomEvent("fk:queued", { bubbles: true, detail: {
            kind: record.kind, fields: record.fields, key: record.key } }));
          if (live) { freshForm(form); }
          note(form, cfg.loginNeeded ? text("login") : text("queued"), "queued", record.key);
          askSync();
        }
      });
  }

  /* A failed record's values back into its form (on its own page), to correct and send
     again. A refused key (409) is replaced by a new one; the made-at time stays. */
  function edit(record) {
    if (record.page !== location.pathname) {
      window.location.href = record.page + "#fk-edit=" + encodeURIComponent(record.key);
      return;
    }
    var form = document.querySelector("form[data-offline='" + record.kind + "']");
    if (!form) { return; }
    form.reset();
    record.fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      if (["csrfmiddlewaretoken", "form_version", "made_at"].indexOf(name) >= 0) { return; }
      var els = form.querySelectorAll("[name='" + name + "']");
      els.forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { el.checked = el.value === value || value === "on"; }
        else if (el.type !== "submit") { el.value = value; }
      });
    });
    if (record.reason === "conflict") { setHidden(field(form, "client_id"), uuid()); }
    form.setAttribute("data-offline-made-at", record.madeAt);
    form.setAttribute("data-offline-replaces", record.key);
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.scrollIntoView({ block: "center" }); first.focus(); }
  }

  function exportFailed() {
    Q.all().then(function (records) {
      var failed = records.filter(function (r) { return r.status === "failed"; }).map(function (r) {
        var values = {};
        r.fields.forEach(function (p) { if (p[0] !== "csrfmiddlewaretoken") { values[p[0]] = p[1]; } });
        return { kind: r.kind, made_at: r.madeAt, reason: r.message || r.reason, url: r.url, values: values };
      });
      var blob = new Blob([JSON.stringify(failed, null, 2)], { type: "application/json" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "fangkong-failed-" + new Date().toISOString().slice(0, 10) + ".json";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  }

  /* --- Wiring -------------------------------------------------------------------- */

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !Q) { return; }
    // A button that only asks the server a question (the duty screen's "Discard?") is
    // no record: htmx sends it; without the network it cannot be asked, and says so.
    if (form.matches("form[data-offline]") && event.submitter &&
        event.submitter.hasAttribute("data-offline-direct")) {
      if (!navigator.onLine) {
        event.preventDefault();  // htmx sends nothing for a prevented submit
        note(form, text("online-only"), "failed");
      }
      return;
    }
    // A decision the server must take at once (the stop's outcome: 放行, 劝返 …) is no
    // record to keep for later either: without the network it says so where the finger
    // is, instead of a tap that does nothing.
    if (form.matches("form[data-online-only]")) {
      if (!navigator.onLine) {
        event.preventDefault();
        note(form, text("online-only"), "failed");
      }
      return;
    }
    if (form.matches("form[data-offline]")) {
      event.preventDefault();
      form.setAttribute("data-offline-taken", "");  // htmx's own request is cancelled below
      submit(form, event.submitter);
      return;
    }
    if (cfg.logout && form.getAttribute("action") === cfg.logout && !form.hasAttribute("data-cleared")) {
      event.preventDefault();
      Q.all().then(function (records) {
        var unsent = records.some(function (r) { return r.status !== "sent"; });
        if (unsent && !window.confirm(text("logout"))) { return null; }
        return forget().then(function () {
          return Q.session(cfg.session).then(function (current) { adoptToken(current.csrf); },
                                             function () {});
        }).then(function () {
          form.setAttribute("data-cleared", "");
          form.submit();
        });
      });
    }
  }, true);

  // The queue sends these forms; the page's other submit listeners still run.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-offline-taken")) {
      elt.removeAttribute("data-offline-taken");
      event.preventDefault();
    }
  });

  function forget() {
    var done = Q.clear();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget" });
    }
    return done;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-offline-send], [data-offline-action], [data-offline-export]");
    if (!target) { return; }
    if (target.hasAttribute("data-offline-send")) { replay({ force: true }); return; }
    if (target.hasAttribute("data-offline-export")) { exportFailed(); return; }
    var key = target.getAttribute("data-key"), action = target.getAttribute("data-offline-action");
    Q.get(key).then(function (record) {
      if (!record) { return null; }
      if (action === "edit") { edit(record); return null; }
      if (action === "delete") {
        if (!window.confirm(text("delete-confirm"))) { return null; }
        return Q.remove(key).then(render);
      }
      record.status = "pending"; record.tries = 0; record.nextAt = 0; record.reason = ""; record.message = "";
      return Q.put(record).then(function () { return replay({ force: true, only: key }); });
    });
  });

  function keepShell() {
    if (!document.querySelector("form[data-offline]") || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) { reg.active.postMessage({ type: "keep-shell", url: location.pathname + location.search }); }
    });
  }

  /* A shell kept yesterday opens today: an untouched date field takes the phone's date. */
  function today() {
    var d = new Date(), pad = function (n) { return String(n).padStart(2, "0"); };
    var value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    document.querySelectorAll("form[data-offline] input[type=date]").forEach(function (el) {
      if (el.value && el.value === el.defaultValue && !el.closest(".has-error")) {
        el.value = value;
        el.defaultValue = value;
      }
    });
  }

  function start() {
    if (!navigator.onLine) { today(); }
    cfgEl = document.getElementById("fk-offline");
    if (!cfgEl || !Q || !window.indexedDB) { return; }
    cfg = { sw: cfgEl.getAttribute("data-sw"), session: cfgEl.getAttribute("data-session"),
            login: cfgEl.getAttribute("data-login"), user: cfgEl.getAttribute("data-user"),
            logout: cfgEl.getAttribute("data-logout") };
    if ("serviceWorker" in navigator && cfg.sw) {
      navigator.serviceWorker.register(cfg.sw, { scope: "/" }).then(keepShell).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "queue-changed") {
          render();
          if (event.data.summary && event.data.summary.sent) { refreshPanel(); }
        }
      });
    }
    Q.listen(function () { render(); });
    Q.purgeSent().catch(function () {}).then(render).then(function () {
      var m = /#fk-edit=(.+)$/.exec(location.hash);
      if (m) {
        Q.get(decodeURIComponent(m[1])).then(function (r) { if (r) { edit(r); } });
      }
      if (navigator.onLine) { replay({}); }
    });
    window.addEventListener("online", function () { render(); replay({ force: true }); });
    window.addEventListener("offline", render);
    window.setInterval(function () { if (navigator.onLine) { replay({}); } }, 15000);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }

  window.fkOffline = { replay: replay, render: render, forget: forget };
})();
