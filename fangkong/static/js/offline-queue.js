/* The phone's queue of records (IndexedDB), shared by the page (offline.js) and the
   service worker (sw.js, for Background Sync): no DOM here.

   A record is one form submission: its key (the form's client_id), the URL and fields
   it posts, the form's version and the time it was made on the phone, a label for the
   list (the name masked), and its state: pending (待发送), sending (发送中), sent (已发送),
   failed (失败, with the reason). Sending takes a Web Lock, so two tabs and the worker
   never send the same record at once; the server's keyed create makes a record sent
   twice anyway (a connection cut after the server saved it) count once.
   Protocol with the server: core/capture.py. Decisions: docs/decisions/offline.md. */
(function (scope) {
  "use strict";
  var DB = "fangkong-queue", STORE = "records", LOCK = "fangkong-queue-send";
  var BASE_DELAY = 5000, MAX_DELAY = 5 * 60 * 1000, MAX_TRIES = 8;
  var KEEP_SENT = 12 * 3600 * 1000;

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), result;
        Promise.resolve(work(store)).then(function (r) { result = r; });
        t.oncomplete = function () { db.close(); resolve(result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function all() {
    return tx("readonly", function (s) { return request(s.getAll()); }).then(function (list) {
      return (list || []).sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }
  function get(key) { return tx("readonly", function (s) { return request(s.get(key)); }); }
  function put(record) { return tx("readwrite", function (s) { s.put(record); }); }
  function remove(key) { return tx("readwrite", function (s) { s.delete(key); }); }
  function clear() { return tx("readwrite", function (s) { s.clear(); }); }

  /* Once sent, nothing personal stays on the phone: the fields go, the masked label
     and the state stay for the list (and go after KEEP_SENT). */
  function strip(record, message) {
    return { key: record.key, kind: record.kind, label: record.label, page: record.page,
             user: record.user, status: "sent", sentAt: Date.now(), madeAt: record.madeAt,
             createdAt: record.createdAt, message: message || "" };
  }

  function purgeSent() {
    var limit = Date.now() - KEEP_SENT;
    return tx("readwrite", function (s) {
      return request(s.getAll()).then(function (list) {
        list.forEach(function (r) { if (r.status === "sent" && r.sentAt < limit) s.delete(r.key); });
      });
    });
  }

  function withLock(work) {
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request(LOCK, work);
    }
    return work();
  }

  function message(response) {
    var raw = response.headers.get("Fk-Message");
    if (!raw) { return ""; }
    try { return decodeURIComponent(raw); } catch (e) { return raw; }
  }

  function body(record, csrf) {
    var params = new URLSearchParams();
    record.fields.forEach(function (pair) {
      if (pair[0] === "csrfmiddlewaretoken") { params.append(pair[0], csrf); }
      else { params.append(pair[0], pair[1]); }
    });
    return params;
  }

  /* One attempt: {state: sent|failed|retry|login|csrf, message, html, location}. */
  function sendOne(record, session, loginPath) {
    var headers = { "Fk-Queue": "1", "X-CSRFToken": session.csrf };
    if (record.htmx) { headers["HX-Request"] = "true"; }
    return fetch(record.url, {
      method: "POST", body: body(record, session.csrf), headers: headers,
      credentials: "same-origin", cache: "no-store",
    }).then(function (response) {
      var outcome = response.headers.get("Fk-Outcome");
      return response.text().then(function (html) {
        var result = { html: html, message: message(response), status: response.status,
                       location: response.headers.get("Fk-Location") || "" };
        if (outcome === "saved" || outcome === "duplicate") { result.state = "sent"; }
        else if (outcome) { result.state = "failed"; result.outcome = outcome; }
        else if (response.redirected && loginPath &&
                 new URL(response.url).pathname.indexOf(loginPath) === 0) { result.state = "login"; }
        else if (response.status === 403) { result.state = "csrf"; }
        else if (response.status === 401) { result.state = "login"; }
        else if (response.status >= 500 || response.status === 429 || response.status === 0) {
          result.state = "retry"; result.reason = "server-error";
        } else { result.state = "failed"; result.reason = "refused"; }
        return result;
      });
    }, function () { return { state: "retry", reason: "network" }; });
  }

  function session(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) { throw new Error("session " + r.status); }
      return r.json();
    });
  }

  function backoff(tries) { return Math.min(BASE_DELAY * Math.pow(2, tries), MAX_DELAY); }

  /* Send what is due, one record at a time, oldest first. options: sessionUrl,
     loginPath, force (ignore the back-off), only (one key), onResult(record, result). */
  function replay(options) {
    return withLock(function () {
      return all().then(function (list) {
        var now = Date.now();
        var due = list.filter(function (r) {
          if (options.only && r.key !== options.only) { return false; }
          if (r.status === "sending") { return true; }  // a send cut off (tab closed): we hold the lock
          return r.status === "pending" && (options.force || !r.nextAt || r.nextAt <= now);
        });
        if (!due.length) { return { sent: 0, login: false }; }
        return session(options.sessionUrl).then(function (current) {
          var summary = { sent: 0, login: false, failed: 0, left: 0, csrf: current.csrf };
          var chain = Promise.resolve();
          due.forEach(function (record) {
            chain = chain.then(function () {
              if (summary.login || summary.offline) { summary.left++; return null; }
              if (record.user && String(record.user) !== String(current.user || "")) {
                summary.left++;
                if (!current.user) { summary.login = true; return null; }
                // Made by another account on this phone: it waits for that account.
                record.status = "pending";
                record.reason = "other-user";
                return put(record);
              }
              record.status = "sending";
              return put(record).then(function () {
                return sendOne(record, current, options.loginPath);
              }).then(function (result) {
                if (result.state !== "csrf") { return result; }
                return session(options.sessionUrl).then(function (fresh) {  // rotated token
                  current = fresh;
                  summary.csrf = fresh.csrf;
                  return sendOne(record, current, options.loginPath);
                }).then(function (again) {
                  if (again.state === "csrf") { again.state = "failed"; again.reason = "refused"; }
                  return again;
                });
              }).then(function (result) {
                return settle(record, result, summary).then(function (saved) {
                  if (options.onResult) { options.onResult(saved, result); }
                });
              });
            });
          });
          return chain.then(function () { return summary; });
        }, function () {
          // Offline (or the server is down): nothing was tried, the back-off is unchanged.
          return { sent: 0, login: false, offline: true };
        });
      });
    });
  }

  function settle(record, result, summary) {
    var saved;
    if (result.state === "sent") {
      summary.sent++;
      saved = strip(record, result.message);
    } else if (result.state === "login") {
      summary.login = true;
      record.status = "pending";
      saved = record;
    } else if (result.state === "retry") {
      record.tries = (record.tries || 0) + 1;
      if (result.reason === "network") { summary.offline = true; }
      if (record.tries >= MAX_TRIES) {
        record.status = "failed"; record.reason = "gave-up"; record.message = "";
        summary.failed++;
      } else {
        record.status = "pending"; record.reason = result.reason;
        record.nextAt = Date.now() + backoff(record.tries);
      }
      saved = record;
    } else {
      summary.failed++;
      record.status = "failed";
      record.reason = result.reason || result.outcome || "refused";
      record.message = result.message || "";
      saved = record;
    }
    return put(saved).then(function () {
      announce();
      return saved;
    });
  }

  /* Every page of the site on this phone redraws its list when a record changes
     (another tab, or the worker, sent it). */
  var channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("fangkong-queue") : null;
  function announce() { if (channel) { channel.postMessage({ type: "queue-changed" }); } }
  function listen(handler) {
    if (channel) { channel.addEventListener("message", function (e) { handler(e.data || {}); }); }
  }

  scope.fkQueue = {
    all: all, get: get, put: put, remove: remove, clear: clear, replay: replay,
    purgeSent: purgeSent, strip: strip, withLock: withLock, sendOne: sendOne,
    session: session, MAX_TRIES: MAX_TRIES, announce: announce, listen: listen,
  };
})(typeof self !== "undefined" ? self : window);
