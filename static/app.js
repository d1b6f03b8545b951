/* Duta in the field: the service worker, the outbox bar on every page, forms kept on the phone when
 * there is no connection and sent when it returns, the outbox page, and the warning before logout.
 *
 * Progressive enhancement only: without JavaScript every form posts straight to the server.
 * Forms marked data-offline="member" / data-offline="payment" are the ones that may be kept.
 * The queue logic lives in static/offline/queue.js (unit-tested under Node); the storage in idb.js.
 */
(function () {
  "use strict";

  var SENT_KEEP_MS = 7 * 24 * 3600 * 1000;
  // A page opened within this time of the last roster sync does not sync again (the `online` event does).
  var ROSTER_SYNC_EVERY_MS = 2 * 60 * 1000;
  var ROSTER_SHELL = "/roster";
  var state = { queue: null, mod: null, loading: null };
  var roster = { mod: null, store: null, loading: null };

  function bar() {
    return document.getElementById("outbox");
  }

  function text(name, params) {
    var element = bar();
    var texts = {};
    try {
      texts = JSON.parse((element && element.dataset.texts) || "{}");
    } catch (error) {
      texts = {};
    }
    var value = texts[name] || name;
    Object.keys(params || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(String(params[key]));
    });
    return value;
  }

  function currentUser() {
    var element = bar();
    return element ? element.dataset.user || "" : "";
  }

  function csrfToken() {
    var element = bar();
    return element ? element.dataset.csrf || "" : "";
  }

  function loadQueue() {
    if (state.queue) return Promise.resolve(state.queue);
    if (!state.loading) {
      var element = bar();
      if (!element || !window.indexedDB) return Promise.reject(new Error("outbox unavailable"));
      state.loading = Promise.all([import(element.dataset.queueModule), import(element.dataset.idbModule)])
        .then(function (modules) {
          return modules[1].openStore(window.indexedDB).then(function (store) {
            state.mod = modules[0];
            state.queue = modules[0].createQueue({ store: store });
            return state.queue;
          });
        })
        .catch(function (error) {
          state.loading = null;
          throw error;
        });
    }
    return state.loading;
  }

  function userFilter() {
    var user = currentUser();
    return user ? { user: user } : {};
  }

  /* ---------- the bar ---------- */

  function setStatus(message) {
    document.querySelectorAll("[data-outbox-status]").forEach(function (element) {
      element.textContent = message;
    });
  }

  async function refresh() {
    var element = bar();
    if (!element) return;
    var queue = await loadQueue();
    var counts = await queue.counts(userFilter());
    element.hidden = counts.unsent === 0 && !element.querySelector("[data-outbox-status]").textContent;
    element.querySelector("[data-outbox-waiting]").textContent = String(counts.waiting);
    element.querySelector("[data-outbox-refused]").textContent = String(counts.refused);
    element.querySelector("[data-outbox-refused-wrap]").hidden = counts.refused === 0;
    document.querySelectorAll("[data-outbox-send]").forEach(function (button) {
      button.disabled = counts.waiting === 0 || !currentUser();
    });
    await renderList();
  }

  /* ---------- sending ---------- */

  function readMessages(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var errors = {};
    doc.querySelectorAll(".field-error").forEach(function (element) {
      var id = element.id || "";
      if (id.slice(-6) === "-error") errors[id.slice(0, -6)] = element.textContent.trim();
    });
    var message = "";
    var alert = doc.querySelector("main .alert, main [role=alert]");
    if (alert) message = alert.textContent.trim();
    var fieldMessages = Object.keys(errors).map(function (key) {
      return errors[key];
    });
    if (fieldMessages.length) message = (message ? message + " " : "") + fieldMessages.join(" ");
    if (!message) {
      var main = doc.querySelector("main");
      message = main ? main.textContent.replace(/\s+/g, " ").trim().slice(0, 300) : "";
    }
    return { message: message, errors: errors };
  }

  async function sendNow() {
    var user = currentUser();
    if (!user) return null;
    var queue = await loadQueue();
    if ((await queue.counts({ user: user })).waiting === 0) {
      await refresh();
      return null;
    }
    if (!navigator.onLine) {
      setStatus(text("offline"));
      await refresh();
      return null;
    }
    setStatus(text("sending"));
    var send = state.mod.formSender({ fetch: window.fetch.bind(window), csrfToken: csrfToken, readMessages: readMessages });
    var summary = await queue.flush(send, { user: user });
    var messages = [];
    if (summary.sent) messages.push(text("sent", { n: summary.sent }));
    if (summary.refused) messages.push(text("refused", { n: summary.refused }));
    if (summary.stopped === "login") messages.push(text("login"));
    else if (summary.stopped) messages.push(text("reload"));
    else if (summary.retry) messages.push(text("offline"));
    setStatus(messages.join(" "));
    await refresh();
    return summary;
  }

  /* ---------- keeping a form on the phone ---------- */

  function formFields(form, submitter) {
    var data;
    try {
      data = submitter ? new FormData(form, submitter) : new FormData(form);
    } catch (error) {
      data = new FormData(form);
    }
    var fields = [];
    data.forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function fieldOf(fields, name) {
    var found = fields.filter(function (pair) {
      return pair[0] === name;
    })[0];
    return found ? found[1] : "";
  }

  function labelFor(form, kind, fields) {
    if (kind === "member") {
      return [fieldOf(fields, "full_name"), state.mod.maskNik(fieldOf(fields, "nik"))].filter(Boolean).join(" · ");
    }
    var heading = document.querySelector("main h1");
    var name = form.dataset.offlineLabel || (heading ? heading.textContent.trim() : location.pathname);
    var months = fieldOf(fields, "months");
    return [name, months ? text("months", { n: months }) : ""]
      .filter(Boolean)
      .join(" · ");
  }

  function freshKey(form) {
    var input = form.querySelector("input[name=idempotency_key]");
    if (input && state.mod) input.value = state.mod.randomKey();
  }

  function notice(form, className, message, withLink) {
    var old = form.parentNode.querySelector("[data-outbox-notice]");
    if (old) old.remove();
    var paragraph = document.createElement("p");
    paragraph.className = className;
    paragraph.setAttribute("role", className === "alert" ? "alert" : "status");
    paragraph.dataset.outboxNotice = "";
    paragraph.textContent = message + " ";
    if (withLink) {
      var link = document.createElement("a");
      link.href = "/outbox";
      link.textContent = text("waiting");
      paragraph.appendChild(link);
    }
    form.parentNode.insertBefore(paragraph, form);
    return paragraph;
  }

  async function keep(form, submitter) {
    // One tap, one item: a second tap while it is being kept, or after, queues nothing more.
    if (form.dataset.outboxBusy) return;
    form.dataset.outboxBusy = "1";
    try {
      await keepOnce(form, submitter);
    } finally {
      delete form.dataset.outboxBusy;
    }
  }

  async function keepOnce(form, submitter) {
    var queue = await loadQueue();
    var kind = form.dataset.offline;
    var fields = formFields(form, submitter);
    var action = new URL(form.getAttribute("action") || location.href, location.href);
    var label = labelFor(form, kind, fields);
    var fixing = form.dataset.outboxFix;
    if (fixing) {
      await queue.resubmit(fixing, fields, { label: label });
      await sendNow();
      location.assign("/outbox");
      return;
    }
    await queue.add({
      kind: kind,
      action: action.pathname + action.search,
      formUrl: location.pathname,
      fields: fields,
      label: label,
      user: currentUser(),
    });
    if (kind === "payment") {
      // A payment is kept once: the form stays as it was, its button off, until the page is left.
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.disabled = true;
      });
    } else {
      form.reset();
      // A fresh key, so the next registration on this page is not taken for a repeat of this one.
      freshKey(form);
    }
    notice(form, "ok", text("saved"), true);
    window.scrollTo(0, 0);
    await refresh();
  }

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("action") || "") === "/logout") {
      onLogout(event, form);
      return;
    }
    if (!form.dataset.offline || !bar() || !window.indexedDB || !window.fetch) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    if (form.dataset.outboxBusy) return;
    var work = navigator.onLine && !form.dataset.outboxFix ? submitOnline(form, submitter) : keep(form, submitter);
    work.catch(function () {
      form.submit();
    });
  }

  /* Online, the form is sent by fetch, so that a connection that drops on the way keeps the form on
   * the phone instead of showing the browser's error page. The answer is shown as a normal page. */
  async function submitOnline(form, submitter) {
    if (form.dataset.outboxBusy) return;
    form.dataset.outboxBusy = "1";
    var fields = formFields(form, submitter);
    var action = new URL(form.getAttribute("action") || location.href, location.href);
    var response;
    try {
      response = await fetch(action.pathname + action.search, {
        method: "POST",
        body: new URLSearchParams(fields),
        credentials: "same-origin",
        redirect: "follow",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
    } catch (error) {
      delete form.dataset.outboxBusy;
      await keep(form, submitter);
      return;
    }
    delete form.dataset.outboxBusy;
    if (response.redirected) {
      location.assign(response.url);
      return;
    }
    var doc = new DOMParser().parseFromString(await response.text(), "text/html");
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    if (window.htmx) window.htmx.process(document.body);
    window.scrollTo(0, 0);
    afterSwap();
  }

  /* ---------- money as it is typed ---------- */

  /* Rupiah fields (data-rupiah) show their digits grouped as typed (1.500.000), the caret staying
   * after the same digit; the server reads grouped digits too. */
  function groupRupiah(input) {
    var value = input.value;
    var typing = document.activeElement === input && input.selectionStart !== null;
    var digitsAfter = typing ? value.slice(input.selectionStart).replace(/\D/g, "").length : 0;
    var digits = value.replace(/\D/g, "").replace(/^0+(?=\d)/, "");
    var grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    if (grouped === value) return;
    input.value = grouped;
    if (!typing) return;
    var position = grouped.length;
    for (var seen = 0; position > 0 && seen < digitsAfter; position--) {
      if (/\d/.test(grouped.charAt(position - 1))) seen++;
    }
    input.setSelectionRange(position, position);
  }

  /* The payment form: the total sent and the button ("Receive Rp50.400 for 3 months") follow the months. */
  function showPayment(select) {
    var form = select.form;
    var option = select.options[select.selectedIndex];
    if (!form || !option) return;
    var amount = form.querySelector("[data-pay-amount]");
    var button = form.querySelector("[data-pay-receive]");
    if (amount) amount.value = option.dataset.amount || "";
    if (button && option.dataset.receive) button.textContent = option.dataset.receive;
  }

  function onInput(event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-rupiah")) groupRupiah(target);
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-pay-months")) showPayment(target);
  }

  function groupAll() {
    document.querySelectorAll("input[data-rupiah]").forEach(groupRupiah);
  }

  /* ---------- fixing a refused item ---------- */

  function fill(form, fields) {
    var names = {};
    fields.forEach(function (pair) {
      names[pair[0]] = true;
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrf_token" || name === "idempotency_key" || !names[name]) return;
      var values = fields
        .filter(function (pair) {
          return pair[0] === name;
        })
        .map(function (pair) {
          return pair[1];
        });
      if (element.type === "checkbox" || element.type === "radio") element.checked = values.indexOf(element.value) !== -1;
      else if (element.tagName !== "BUTTON") element.value = values[0];
    });
    // Checkboxes left unticked are absent from the fields: untick them.
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      if (!names[box.name]) box.checked = false;
    });
  }

  function showErrors(form, errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var element = form.elements.namedItem(name);
      if (element && !element.tagName && element.length) element = element[0];
      if (!element || !element.parentNode) return;
      var id = name + "-error";
      var paragraph = document.getElementById(id);
      if (!paragraph) {
        paragraph = document.createElement("p");
        paragraph.className = "field-error";
        paragraph.id = id;
        element.insertAdjacentElement("afterend", paragraph);
      }
      paragraph.textContent = errors[name];
      element.setAttribute("aria-invalid", "true");
      element.setAttribute("aria-describedby", id);
    });
  }

  async function startFix() {
    var key = new URLSearchParams(location.search).get("outbox");
    var form = document.querySelector("form[data-offline]");
    if (!key || !form || form.dataset.outboxFix) return;
    var queue = await loadQueue();
    var item = await queue.get(key);
    if (!item || item.status === "sent") return;
    fill(form, item.fields);
    showErrors(form, item.errors);
    form.dataset.outboxFix = key;
    notice(form, "alert", text("fixing") + (item.message ? " " + item.message : ""), false);
  }

  /* ---------- the outbox page ---------- */

  function when(iso) {
    var date = new Date(iso);
    function two(n) {
      return (n < 10 ? "0" : "") + n;
    }
    return two(date.getDate()) + "/" + two(date.getMonth() + 1) + "/" + date.getFullYear() + " " + two(date.getHours()) + ":" + two(date.getMinutes());
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  async function renderList() {
    var list = document.getElementById("outbox-list");
    if (!list) return;
    var queue = await loadQueue();
    var user = currentUser();
    var items = (await queue.list()).reverse();
    list.replaceChildren();
    items.forEach(function (item) {
      var row = element("li", "outbox-item " + item.status);
      row.dataset.key = item.key;
      var title = element("p", "outbox-title");
      title.appendChild(element("strong", "", text(item.kind) + ": "));
      title.appendChild(document.createTextNode(item.label || item.action));
      row.appendChild(title);
      var meta = element("p", "hint");
      meta.appendChild(document.createTextNode(when(item.created) + " "));
      var badgeClass = { waiting: "submitted", refused: "rejected", sent: "approved" }[item.status];
      var statusName = { waiting: "waiting", refused: "refused_status", sent: "sent_status" }[item.status];
      meta.appendChild(element("span", "badge " + badgeClass, text(statusName)));
      row.appendChild(meta);
      if (item.status === "refused" && item.message) {
        row.appendChild(element("p", "field-error", item.message));
      }
      if (item.user && user && item.user !== user) {
        row.appendChild(element("p", "hint", text("other_user", { user: item.user })));
      }
      var actions = element("div", "actions");
      if (item.status === "refused") {
        var fix = element("a", "button", text("fix"));
        fix.href = item.formUrl + "?outbox=" + encodeURIComponent(item.key);
        fix.setAttribute("hx-boost", "false");
        actions.appendChild(fix);
      }
      if (item.status === "sent" && item.resultUrl) {
        var open = element("a", "button secondary", text("open"));
        open.href = item.resultUrl;
        actions.appendChild(open);
      }
      if (item.status !== "sent") {
        var discard = element("button", "danger", text("discard"));
        discard.type = "button";
        discard.dataset.outboxDiscard = item.key;
        actions.appendChild(discard);
      }
      if (actions.childNodes.length) row.appendChild(actions);
      list.appendChild(row);
    });
    var empty = document.getElementById("outbox-empty");
    if (empty) empty.hidden = items.some(function (item) {
      return item.status !== "sent";
    });
  }

  async function onClick(event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var sendButton = target.closest("[data-outbox-send]");
    if (sendButton) {
      event.preventDefault();
      await sendNow();
      return;
    }
    var discard = target.closest("[data-outbox-discard]");
    if (discard) {
      event.preventDefault();
      if (!window.confirm(text("discard_confirm"))) return;
      var queue = await loadQueue();
      await queue.remove(discard.dataset.outboxDiscard);
      await refresh();
    }
  }

  /* ---------- the roster in the pocket (static/offline/roster.js) ---------- */

  function loadRoster() {
    if (roster.store) return Promise.resolve(roster);
    if (!roster.loading) {
      var element = bar();
      if (!element || !element.dataset.rosterModule || !window.indexedDB) return Promise.reject(new Error("roster unavailable"));
      roster.loading = import(element.dataset.rosterModule)
        .then(function (mod) {
          return mod.openRoster(window.indexedDB).then(function (store) {
            roster.mod = mod;
            roster.store = store;
            return roster;
          });
        })
        .catch(function (error) {
          roster.loading = null;
          throw error;
        });
    }
    return roster.loading;
  }

  /* The duta's members, fetched on login and then what changed since; the shell the service worker
   * shows them in without a signal is fetched once so that the worker keeps it. */
  async function syncRoster(force) {
    var element = bar();
    var user = currentUser();
    if (!element || !element.dataset.rosterSync || !user || !navigator.onLine) return null;
    var kept = await loadRoster();
    var meta = (await kept.store.meta()) || {};
    var recent = meta.user === user && meta.syncedAt && Date.now() - Date.parse(meta.syncedAt) < ROSTER_SYNC_EVERY_MS;
    // A form the outbox sent since (a payment) changed the cover the roster shows: sync whatever the time,
    // even when the page that sent it was left before it could sync.
    var queue = await loadQueue();
    var result = null;
    if (!recent || force || (await queue.sentSince(meta.syncedAt, { user: user }))) {
      result = await kept.mod.syncRoster({
        fetch: function (url) {
          return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        },
        store: kept.store,
        url: element.dataset.rosterSync,
        user: user,
      });
    }
    await keepRosterShell();
    return result;
  }

  /* The shell is kept by the service worker when fetched through it: so only once the worker controls
   * the page, and then even when the roster itself was synced just now (the sync at login may run
   * before the worker took the page, and would otherwise leave the shell unkept until the next sync). */
  async function keepRosterShell() {
    if (!window.caches || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    if (await caches.match(ROSTER_SHELL)) return;
    await fetch(ROSTER_SHELL, { credentials: "same-origin", headers: { Accept: "text/html" } });
  }

  async function drawRoster() {
    var root = document.getElementById("roster");
    if (!root) return;
    var kept = await loadRoster();
    await kept.mod.drawRoster({
      root: root,
      template: document.getElementById("roster-pay"),
      store: kept.store,
      location: window.location,
      newKey: state.mod ? state.mod.randomKey : function () {
        return String(Date.now()) + String(Math.random()).slice(2);
      },
      today: localDay(),
      user: currentUser(),
    });
  }

  function localDay() {
    var now = new Date();
    function two(n) {
      return (n < 10 ? "0" : "") + n;
    }
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  }

  /* Logging out takes the roster off the phone: it holds the members' phone numbers. */
  function forgetRoster() {
    if (roster.store) roster.store.close();
    roster.store = null;
    roster.loading = null;
    if (!window.indexedDB) return Promise.resolve();
    return new Promise(function (resolve) {
      var request = window.indexedDB.deleteDatabase("duta-roster");
      request.onsuccess = request.onerror = request.onblocked = function () {
        resolve();
      };
    });
  }

  /* ---------- logout ---------- */

  async function forgetKeptPages() {
    await forgetRoster();
    if (!window.caches) return;
    var names = await caches.keys();
    await Promise.all(
      names
        .filter(function (name) {
          return name.indexOf("duta-pages-") === 0;
        })
        .map(function (name) {
          return caches.delete(name);
        }),
    );
  }

  function onLogout(event, form) {
    if (form.dataset.outboxConfirmed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var go = function () {
      form.dataset.outboxConfirmed = "1";
      forgetKeptPages()
        .catch(function () {})
        .then(function () {
          form.submit();
        });
    };
    loadQueue()
      .then(function (queue) {
        return queue.counts(userFilter());
      })
      .then(function (counts) {
        if (counts.unsent > 0 && !window.confirm(text("logout", { n: counts.unsent }))) return;
        go();
      })
      .catch(go);
  }

  /* ---------- pages kept by the service worker, navigation without a connection ---------- */

  function markKeptCopy() {
    if (!document.documentElement.hasAttribute("data-offline-copy")) return;
    document.querySelectorAll("form[data-offline]").forEach(freshKey);
    var main = document.getElementById("main");
    // (The roster's shell says itself where what it shows comes from.)
    if (main && !main.querySelector("[data-offline-copy-notice]") && !document.getElementById("roster")) {
      var paragraph = element("p", "notice", text("copy"));
      paragraph.dataset.offlineCopyNotice = "";
      main.insertBefore(paragraph, main.firstChild);
    }
  }

  function onBeforeRequest(event) {
    // Without a connection a boosted link cannot fetch its page: navigate for real instead, so the
    // service worker can answer with the copy kept on the phone.
    var detail = event.detail || {};
    var verb = detail.requestConfig && detail.requestConfig.verb;
    if (!navigator.onLine && detail.boosted && verb === "get" && detail.pathInfo) {
      event.preventDefault();
      location.assign(detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    }
  }

  /* A file being sent (the group import): the bar fills as it goes up, then turns indeterminate while
   * the server checks the rows. */
  function onUploadProgress(event) {
    var form = event.target && event.target.closest ? event.target.closest("form") : null;
    var progress = form && form.querySelector("progress[data-upload-progress]");
    var detail = event.detail || {};
    if (!progress || !detail.lengthComputable || !detail.total) return;
    progress.hidden = false;
    if (detail.loaded >= detail.total) {
      progress.removeAttribute("value");
    } else {
      progress.value = Math.round((detail.loaded / detail.total) * 100);
    }
  }

  function onSendError(event) {
    var detail = event.detail || {};
    var verb = detail.requestConfig && detail.requestConfig.verb;
    // (Forms marked data-offline are sent by submitOnline, which keeps them itself when sending fails;
    // a failed partial, such as the NIK check while typing, needs nothing.)
    if (detail.boosted && verb === "get" && detail.pathInfo) {
      location.assign(detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    }
  }

  /* A server error (5xx) is not swapped (see the htmx-config in base.html): what was typed stays, with a
   * notice above the page. */
  function onResponseError() {
    var main = document.getElementById("main");
    if (!main) return;
    var old = main.querySelector("[data-server-error]");
    if (old) old.remove();
    var paragraph = element("p", "alert", text("server_error"));
    paragraph.setAttribute("role", "alert");
    paragraph.dataset.serverError = "";
    main.insertBefore(paragraph, main.firstChild);
    window.scrollTo(0, 0);
  }

  /* A refused form swapped in (4xx) keeps the address of the page it was filled in on: htmx would push
   * the form's action, which a reload then asks for with GET. */
  function onBeforeHistoryUpdate(event) {
    var detail = event.detail || {};
    if (detail.xhr && detail.xhr.status >= 400 && detail.history) {
      detail.history.type = "replace";
      detail.history.path = location.pathname + location.search + location.hash;
    }
  }

  /* A page kept by the service worker carries the user and CSRF token of the day it was kept. Back
   * online, take both from a fresh page before sending, without reloading (which would lose what is
   * being typed). */
  async function refreshIdentity() {
    if (!document.documentElement.hasAttribute("data-offline-copy")) return;
    var response = await fetch("/outbox", { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) return;
    var doc = new DOMParser().parseFromString(await response.text(), "text/html");
    var fresh = doc.getElementById("outbox");
    var element = bar();
    if (!fresh || !element) return;
    element.dataset.user = fresh.dataset.user || "";
    element.dataset.csrf = fresh.dataset.csrf || "";
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      input.value = fresh.dataset.csrf || "";
    });
  }

  function whenOnline() {
    refreshIdentity()
      .catch(function () {})
      .then(sendNow)
      .catch(function () {})
      .then(function (summary) {
        // What was just sent changed the members' cover: fetch it now, whenever the last sync was.
        return syncRoster(Boolean(summary && summary.sent));
      })
      .catch(function () {});
  }

  function afterSwap() {
    groupAll();
    markKeptCopy();
    startFix().catch(function () {});
    refresh().catch(function () {});
  }

  function init() {
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    }
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("click", onClick);
    document.addEventListener("input", onInput);
    document.addEventListener("change", onInput);
    document.addEventListener("htmx:beforeRequest", onBeforeRequest);
    document.addEventListener("htmx:sendError", onSendError);
    document.addEventListener("htmx:xhr:progress", onUploadProgress);
    document.addEventListener("htmx:responseError", onResponseError);
    document.addEventListener("htmx:beforeHistoryUpdate", onBeforeHistoryUpdate);
    document.addEventListener("htmx:afterSettle", afterSwap);
    window.addEventListener("online", whenOnline);
    window.addEventListener("offline", function () {
      setStatus(text("offline"));
      refresh().catch(function () {});
    });
    groupAll();
    markKeptCopy();
    loadQueue()
      .then(function (queue) {
        return queue.pruneSent(SENT_KEEP_MS);
      })
      .then(startFix)
      .then(function () {
        return drawRoster().catch(function () {});
      })
      .then(function () {
        if (navigator.onLine) whenOnline();
        return refresh();
      })
      .catch(function () {});
  }

  init();
})();
