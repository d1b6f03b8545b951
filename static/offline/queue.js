// The outbox: registrations and payments captured on the phone without a connection, sent later.
//
// Pure logic with its storage and its network injected, so it runs the same in the page and under
// `node --test`. An item is never dropped by the queue itself: it is `waiting` until the server
// accepts it (`sent`, kept for a while with the link to the result) or refuses it (`refused`, with
// the server's message, until the duta fixes it or discards it on purpose).

export const WAITING = "waiting";
export const REFUSED = "refused";
export const SENT = "sent";

// What a server answer means for the item that was sent.
export const OUTCOME = Object.freeze({
  SENT: "sent", // accepted (or accepted before: idempotency returns the first result)
  REFUSED: "refused", // the data is wrong or conflicts: the duta must fix it
  RETRY: "retry", // no connection or a passing server fault: try again later
  STOP: "stop", // logged out or form expired: stop sending until the duta logs in / reloads
});

export function classify(status, { loginPage = false } = {}) {
  if (loginPage || status === 401 || status === 403) return OUTCOME.STOP;
  if (status >= 200 && status < 300) return OUTCOME.SENT;
  if (status === 408 || status === 425 || status === 429 || status >= 500 || status === 0) return OUTCOME.RETRY;
  return OUTCOME.REFUSED;
}

export function randomKey() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (globalThis.crypto && globalThis.crypto.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const KEY_FIELD = "idempotency_key";
export const CSRF_FIELD = "csrf_token";

function withKey(fields, key) {
  const rest = fields.filter(([name]) => name !== KEY_FIELD && name !== CSRF_FIELD);
  return [...rest, [KEY_FIELD, key]];
}

export function fieldValue(item, name) {
  const found = item.fields.find(([field]) => field === name);
  return found ? found[1] : undefined;
}

/**
 * store: {all(), get(key), put(item), delete(key)} returning promises (see idb.js, or a Map in tests).
 */
export function createQueue({ store, now = () => new Date(), newKey = randomKey } = {}) {
  if (!store) throw new TypeError("createQueue needs a store");
  let flushing = null;

  async function list({ user } = {}) {
    const items = await store.all();
    return items
      .filter((item) => user === undefined || item.user === user)
      .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  }

  /** Whether an item of `user` was accepted by the server after `moment` (an ISO time): what it
   * changed on the server (a member's cover) is newer than a copy taken at that moment. */
  async function sentSince(moment, { user } = {}) {
    const since = Date.parse(moment || "");
    return (await list({ user })).some((item) => item.status === SENT && !(Date.parse(item.updated) <= since));
  }

  async function counts({ user } = {}) {
    const result = { waiting: 0, refused: 0, sent: 0, unsent: 0 };
    for (const item of await list({ user })) {
      result[item.status] += 1;
      if (item.status !== SENT) result.unsent += 1;
    }
    return result;
  }

  /** Keep a submitted form. Its idempotency key is kept unless the queue has already seen it
   *  (a cached copy of the form, or the same form captured twice), then a fresh one is made. */
  async function add({ kind, action, formUrl, fields, label = "", user = "" }) {
    if (!kind || !action || !Array.isArray(fields)) throw new TypeError("kind, action and fields are required");
    const given = fields.find(([name]) => name === KEY_FIELD);
    let key = given && given[1] ? String(given[1]) : "";
    if (!key || (await store.get(key))) key = newKey();
    const stamp = now().toISOString();
    const item = {
      key,
      kind,
      action,
      formUrl: formUrl || action,
      fields: withKey(fields.map(([name, value]) => [String(name), String(value)]), key),
      label,
      user,
      status: WAITING,
      created: stamp,
      updated: stamp,
      attempts: 0,
      message: "",
      errors: {},
      resultUrl: "",
    };
    await store.put(item);
    return item;
  }

  /** The duta corrected a refused (or waiting) item: it waits again, under a fresh key, since
   *  the server may have remembered the old key with the refused data. */
  async function resubmit(oldKey, fields, { label } = {}) {
    const old = await store.get(oldKey);
    if (!old) throw new Error(`no outbox item ${oldKey}`);
    if (old.status === SENT) throw new Error("a sent item cannot be changed");
    const key = newKey();
    const item = {
      ...old,
      key,
      fields: withKey(fields.map(([name, value]) => [String(name), String(value)]), key),
      label: label === undefined ? old.label : label,
      status: WAITING,
      updated: now().toISOString(),
      message: "",
      errors: {},
    };
    await store.put(item);
    await store.delete(oldKey);
    return item;
  }

  async function get(key) {
    return store.get(key);
  }

  /** Discarding is the duta's explicit choice (the page asks first), never the queue's. */
  async function remove(key) {
    await store.delete(key);
  }

  /** Forget sent items older than maxAgeMs: the server has them. */
  async function pruneSent(maxAgeMs) {
    const limit = now().getTime() - maxAgeMs;
    let removed = 0;
    for (const item of await store.all()) {
      if (item.status === SENT && Date.parse(item.updated) < limit) {
        await store.delete(item.key);
        removed += 1;
      }
    }
    return removed;
  }

  async function sendAll(send, user) {
    const summary = { sent: 0, refused: 0, retry: 0, stopped: "", remaining: 0, items: [] };
    const waiting = (await list({ user })).filter((item) => item.status === WAITING);
    for (let index = 0; index < waiting.length; index += 1) {
      const item = waiting[index];
      let answer;
      try {
        answer = await send(item);
      } catch (error) {
        answer = { outcome: OUTCOME.RETRY, message: String((error && error.message) || error) };
      }
      const outcome = answer && answer.outcome;
      const stamp = now().toISOString();
      if (outcome === OUTCOME.SENT) {
        const done = { ...item, status: SENT, updated: stamp, attempts: item.attempts + 1, message: "", errors: {}, resultUrl: answer.url || "" };
        await store.put(done);
        summary.sent += 1;
        summary.items.push(done);
      } else if (outcome === OUTCOME.REFUSED) {
        const refused = {
          ...item,
          status: REFUSED,
          updated: stamp,
          attempts: item.attempts + 1,
          message: answer.message || "",
          errors: answer.errors || {},
        };
        await store.put(refused);
        summary.refused += 1;
        summary.items.push(refused);
      } else {
        // No connection, a server fault, or the session is gone: the item keeps waiting, and the
        // rest are not tried now (they would fail the same way).
        await store.put({ ...item, updated: stamp, attempts: item.attempts + 1, message: answer && answer.message ? answer.message : "" });
        if (outcome === OUTCOME.STOP) summary.stopped = answer.reason || "login";
        else summary.retry += 1;
        summary.remaining = waiting.length - index;
        return summary;
      }
    }
    return summary;
  }

  /** Send every waiting item of this user, oldest first, one at a time. Overlapping calls (the
   *  `online` event and a tap on "send now" together) share one run, so nothing is sent twice at once. */
  function flush(send, { user } = {}) {
    if (!flushing) {
      flushing = sendAll(send, user).finally(() => {
        flushing = null;
      });
    }
    return flushing;
  }

  return { add, resubmit, get, list, counts, sentSince, remove, pruneSent, flush };
}

/**
 * Sends an item the way its form would have been sent: a POST of the same fields to the same page
 * endpoint, with the session cookie and the CSRF header. The page endpoints call the same services as
 * the JSON API, with the same idempotency, so no bearer token is ever kept on the phone.
 *
 * readMessages(html) -> {message, errors} extracts the server's explanation from a refusal page
 * (DOMParser in the browser; a stub in tests).
 */
export function formSender({ fetch, csrfToken, readMessages = () => ({ message: "", errors: {} }), origin = "" }) {
  return async function send(item) {
    const body = new URLSearchParams(item.fields);
    body.set(CSRF_FIELD, typeof csrfToken === "function" ? csrfToken() : csrfToken);
    let response;
    try {
      response = await fetch(origin + item.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "follow",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-CSRF-Token": typeof csrfToken === "function" ? csrfToken() : csrfToken,
          "X-Duta-Outbox": "1",
        },
      });
    } catch (error) {
      return { outcome: OUTCOME.RETRY, message: "" };
    }
    const finalPath = pathOf(response.url);
    const loginPage = Boolean(response.redirected && finalPath === "/login");
    const outcome = classify(response.status, { loginPage });
    if (outcome === OUTCOME.SENT) return { outcome, url: response.redirected ? finalPath + searchOf(response.url) : "" };
    if (outcome === OUTCOME.REFUSED) {
      const text = await response.text();
      const { message, errors } = readMessages(text) || {};
      return { outcome, message: message || "", errors: errors || {}, status: response.status };
    }
    return { outcome, reason: outcome === OUTCOME.STOP ? (loginPage || response.status === 401 ? "login" : "reload") : "", status: response.status };
  };
}

function pathOf(url) {
  try {
    return new URL(url, "http://local").pathname;
  } catch {
    return "";
  }
}

function searchOf(url) {
  try {
    return new URL(url, "http://local").search;
  } catch {
    return "";
  }
}

/** A NIK shown in lists: the first 4 and last 4 digits only, as the server's `mask_nik`. */
export function maskNik(nik) {
  const digits = String(nik || "");
  return digits.length === 16 ? digits.slice(0, 4) + "********" + digits.slice(12) : digits;
}
