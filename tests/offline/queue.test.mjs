// Unit tests of the outbox queue (static/offline/queue.js), run by `node --test tests/offline/`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { OUTCOME, REFUSED, SENT, WAITING, classify, createQueue, fieldValue, formSender, maskNik } from "../../static/offline/queue.js";

function memoryStore() {
  const map = new Map();
  return {
    map,
    all: async () => [...map.values()].map((item) => structuredClone(item)),
    get: async (key) => (map.has(key) ? structuredClone(map.get(key)) : undefined),
    put: async (item) => {
      map.set(item.key, structuredClone(item));
      return item;
    },
    delete: async (key) => {
      map.delete(key);
    },
  };
}

function clock(start = Date.parse("2026-11-23T03:00:00Z")) {
  let t = start;
  const now = () => new Date(t);
  now.advance = (ms) => {
    t += ms;
  };
  return now;
}

function keys() {
  let n = 0;
  return () => `fresh-${++n}`;
}

const memberFields = [
  ["csrf_token", "secret"],
  ["idempotency_key", "k-1"],
  ["nik", "1207014101900003"],
  ["full_name", "Siti Aminah"],
];

function queue(extra = {}) {
  const store = memoryStore();
  const now = clock();
  return { store, now, q: createQueue({ store, now, newKey: keys(), ...extra }) };
}

describe("add", () => {
  it("keeps the form's idempotency key, drops the CSRF token and waits", async () => {
    const { q, store } = queue();
    const item = await q.add({ kind: "member", action: "/members/new", fields: memberFields, user: "duta.a" });
    assert.equal(item.key, "k-1");
    assert.equal(item.status, WAITING);
    assert.equal(fieldValue(item, "idempotency_key"), "k-1");
    assert.equal(fieldValue(item, "csrf_token"), undefined);
    assert.equal(fieldValue(item, "nik"), "1207014101900003");
    assert.deepEqual((await store.get("k-1")).fields, item.fields);
  });

  it("makes a fresh key when the form's key is already in the outbox (a cached form used twice)", async () => {
    const { q } = queue();
    await q.add({ kind: "member", action: "/members/new", fields: memberFields });
    const second = await q.add({ kind: "member", action: "/members/new", fields: memberFields });
    assert.equal(second.key, "fresh-1");
    assert.equal(fieldValue(second, "idempotency_key"), "fresh-1");
    assert.equal((await q.list()).length, 2);
  });

  it("makes a key when the form has none", async () => {
    const { q } = queue();
    const item = await q.add({ kind: "payment", action: "/members/5/pay", fields: [["months", "3"]] });
    assert.equal(item.key, "fresh-1");
    assert.equal(fieldValue(item, "idempotency_key"), "fresh-1");
  });

  it("refuses an item without kind, action or fields", async () => {
    const { q } = queue();
    await assert.rejects(q.add({ kind: "member", fields: [] }), TypeError);
    await assert.rejects(q.add({ action: "/x", fields: [] }), TypeError);
  });
});

describe("counts and list", () => {
  it("counts waiting, refused and sent per user, unsent = waiting + refused", async () => {
    const { q, store } = queue();
    await q.add({ kind: "member", action: "/members/new", fields: [["idempotency_key", "a"]], user: "u1" });
    await q.add({ kind: "member", action: "/members/new", fields: [["idempotency_key", "b"]], user: "u1" });
    await q.add({ kind: "member", action: "/members/new", fields: [["idempotency_key", "c"]], user: "u2" });
    await store.put({ ...(await store.get("b")), status: REFUSED });
    assert.deepEqual(await q.counts({ user: "u1" }), { waiting: 1, refused: 1, sent: 0, unsent: 2 });
    assert.deepEqual(await q.counts(), { waiting: 2, refused: 1, sent: 0, unsent: 3 });
  });

  it("lists oldest first", async () => {
    const { q, now } = queue();
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "late"]] });
    now.advance(-60_000);
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "early"]] });
    assert.deepEqual((await q.list()).map((item) => item.key), ["early", "late"]);
  });
});

describe("flush", () => {
  async function threeWaiting() {
    const setup = queue();
    for (const key of ["a", "b", "c"]) {
      await setup.q.add({ kind: "member", action: "/members/new", fields: [["idempotency_key", key]], user: "u" });
      setup.now.advance(1000);
    }
    return setup;
  }

  it("sends every waiting item in order and marks it sent with the result's link", async () => {
    const { q } = await threeWaiting();
    const sentKeys = [];
    const summary = await q.flush(async (item) => {
      sentKeys.push(item.key);
      return { outcome: OUTCOME.SENT, url: `/members/${item.key}` };
    });
    assert.deepEqual(sentKeys, ["a", "b", "c"]);
    assert.equal(summary.sent, 3);
    const items = await q.list();
    assert.ok(items.every((item) => item.status === SENT));
    assert.equal(items[1].resultUrl, "/members/b");
    assert.deepEqual(await q.counts(), { waiting: 0, refused: 0, sent: 3, unsent: 0 });
  });

  it("tells whether an item of the user was sent after a moment (the roster then syncs again)", async () => {
    const { q, now } = await threeWaiting();
    const before = now().toISOString();
    assert.equal(await q.sentSince(before, { user: "u" }), false);
    now.advance(1000);
    await q.flush(async (item) => ({ outcome: item.key === "a" ? OUTCOME.SENT : OUTCOME.RETRY }), { user: "u" });
    assert.equal(await q.sentSince(before, { user: "u" }), true);
    assert.equal(await q.sentSince(before, { user: "someone else" }), false);
    assert.equal(await q.sentSince(now().toISOString(), { user: "u" }), false);
    assert.equal(await q.sentSince(undefined, { user: "u" }), true); // never synced: anything sent is newer
  });

  it("keeps a refused item with the server's message and goes on with the others", async () => {
    const { q } = await threeWaiting();
    const summary = await q.flush(async (item) =>
      item.key === "b"
        ? { outcome: OUTCOME.REFUSED, message: "NIK sudah terdaftar di Desa Limau Manis.", errors: { nik: "NIK sudah terdaftar di Desa Limau Manis." } }
        : { outcome: OUTCOME.SENT, url: "/members/1" },
    );
    assert.equal(summary.sent, 2);
    assert.equal(summary.refused, 1);
    const refused = await q.get("b");
    assert.equal(refused.status, REFUSED);
    assert.equal(refused.message, "NIK sudah terdaftar di Desa Limau Manis.");
    assert.deepEqual(refused.errors, { nik: "NIK sudah terdaftar di Desa Limau Manis." });
    // A refused item is not sent again by later flushes: it waits for the duta's fix.
    let calls = 0;
    await q.flush(async () => {
      calls += 1;
      return { outcome: OUTCOME.SENT };
    });
    assert.equal(calls, 0);
    assert.equal((await q.get("b")).status, REFUSED);
  });

  it("stops at the first network failure and keeps that item and the rest waiting", async () => {
    const { q } = await threeWaiting();
    const tried = [];
    const summary = await q.flush(async (item) => {
      tried.push(item.key);
      if (item.key === "b") throw new TypeError("Failed to fetch");
      return { outcome: OUTCOME.SENT };
    });
    assert.deepEqual(tried, ["a", "b"]);
    assert.equal(summary.sent, 1);
    assert.equal(summary.retry, 1);
    assert.equal(summary.remaining, 2);
    assert.equal((await q.get("b")).status, WAITING);
    assert.equal((await q.get("b")).attempts, 1);
    assert.equal((await q.get("c")).status, WAITING);
  });

  it("stops when the session is gone, without marking anything refused", async () => {
    const { q } = await threeWaiting();
    const summary = await q.flush(async () => ({ outcome: OUTCOME.STOP, reason: "login" }));
    assert.equal(summary.stopped, "login");
    assert.deepEqual(await q.counts(), { waiting: 3, refused: 0, sent: 0, unsent: 3 });
  });

  it("a resend after a lost answer uses the same idempotency key (the server records it once)", async () => {
    const { q } = await threeWaiting();
    const keysSeen = [];
    // The first answer is lost on the way back (the server recorded it); the retry gets the first result.
    await q.flush(async (item) => {
      keysSeen.push(fieldValue(item, "idempotency_key"));
      throw new TypeError("connection dropped");
    });
    await q.flush(async (item) => {
      keysSeen.push(fieldValue(item, "idempotency_key"));
      return { outcome: OUTCOME.SENT, url: "/members/7" };
    });
    assert.deepEqual(keysSeen, ["a", "a", "b", "c"]);
  });

  it("overlapping flushes share one run: nothing is sent twice at once", async () => {
    const { q } = await threeWaiting();
    let calls = 0;
    const send = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { outcome: OUTCOME.SENT };
    };
    const [first, second] = await Promise.all([q.flush(send), q.flush(send)]);
    assert.equal(calls, 3);
    assert.strictEqual(first, second);
  });

  it("sends only the items of the given user", async () => {
    const { q } = queue();
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "mine"]], user: "u1" });
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "theirs"]], user: "u2" });
    const tried = [];
    await q.flush(async (item) => {
      tried.push(item.key);
      return { outcome: OUTCOME.SENT };
    }, { user: "u1" });
    assert.deepEqual(tried, ["mine"]);
    assert.equal((await q.get("theirs")).status, WAITING);
  });
});

describe("fixing and discarding", () => {
  it("resubmits a refused item with the corrected fields under a fresh key", async () => {
    const { q } = queue();
    await q.add({ kind: "member", action: "/members/new", fields: memberFields, user: "u" });
    await q.flush(async () => ({ outcome: OUTCOME.REFUSED, message: "NIK salah", errors: { nik: "NIK salah" } }));
    const fixed = await q.resubmit("k-1", [["nik", "1207014101900004"], ["idempotency_key", "k-1"], ["csrf_token", "x"]]);
    assert.equal(fixed.key, "fresh-1");
    assert.equal(fixed.status, WAITING);
    assert.equal(fixed.message, "");
    assert.deepEqual(fixed.errors, {});
    assert.equal(fieldValue(fixed, "nik"), "1207014101900004");
    assert.equal(fieldValue(fixed, "idempotency_key"), "fresh-1");
    assert.equal(fieldValue(fixed, "csrf_token"), undefined);
    assert.equal(await q.get("k-1"), undefined);
    assert.equal((await q.list()).length, 1);
  });

  it("does not change a sent item", async () => {
    const { q } = queue();
    await q.add({ kind: "member", action: "/members/new", fields: memberFields });
    await q.flush(async () => ({ outcome: OUTCOME.SENT }));
    await assert.rejects(q.resubmit("k-1", memberFields));
  });

  it("removes an item only when asked", async () => {
    const { q } = queue();
    await q.add({ kind: "member", action: "/members/new", fields: memberFields });
    await q.remove("k-1");
    assert.deepEqual(await q.list(), []);
  });

  it("prunes sent items after a while, never waiting or refused ones", async () => {
    const { q, now } = queue();
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "sent"]] });
    await q.flush(async () => ({ outcome: OUTCOME.SENT }));
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "waiting"]] });
    await q.add({ kind: "member", action: "/m", fields: [["idempotency_key", "refused"]] });
    await q.flush(async (item) => (item.key === "refused" ? { outcome: OUTCOME.REFUSED } : { outcome: OUTCOME.RETRY }));
    now.advance(8 * 86_400_000);
    assert.equal(await q.pruneSent(7 * 86_400_000), 1);
    assert.deepEqual((await q.list()).map((item) => item.key).sort(), ["refused", "waiting"]);
  });
});

describe("classify", () => {
  it("maps server answers to outcomes", () => {
    assert.equal(classify(200), OUTCOME.SENT);
    assert.equal(classify(201), OUTCOME.SENT);
    assert.equal(classify(422), OUTCOME.REFUSED);
    assert.equal(classify(409), OUTCOME.REFUSED);
    assert.equal(classify(404), OUTCOME.REFUSED);
    assert.equal(classify(400), OUTCOME.REFUSED);
    assert.equal(classify(401), OUTCOME.STOP);
    assert.equal(classify(403), OUTCOME.STOP);
    assert.equal(classify(200, { loginPage: true }), OUTCOME.STOP);
    assert.equal(classify(500), OUTCOME.RETRY);
    assert.equal(classify(503), OUTCOME.RETRY);
    assert.equal(classify(429), OUTCOME.RETRY);
  });
});

describe("formSender", () => {
  function fakeFetch(answer) {
    const calls = [];
    const fetch = async (url, init) => {
      calls.push({ url, init });
      if (answer instanceof Error) throw answer;
      return answer;
    };
    return { fetch, calls };
  }
  const item = { key: "k", action: "/members/new", fields: [["nik", "1"], ["idempotency_key", "k"]] };

  it("posts the fields with the current CSRF token in the body and the header", async () => {
    const { fetch, calls } = fakeFetch({ status: 200, redirected: true, url: "http://127.0.0.1:8000/members/12", text: async () => "" });
    const result = await formSender({ fetch, csrfToken: () => "tok" })(item);
    assert.deepEqual(result, { outcome: OUTCOME.SENT, url: "/members/12" });
    assert.equal(calls[0].url, "/members/new");
    assert.equal(calls[0].init.method, "POST");
    assert.equal(calls[0].init.headers["X-CSRF-Token"], "tok");
    const body = calls[0].init.body;
    assert.equal(body.get("csrf_token"), "tok");
    assert.equal(body.get("idempotency_key"), "k");
    assert.equal(body.get("nik"), "1");
  });

  it("reads the server's messages from a refusal", async () => {
    const { fetch } = fakeFetch({ status: 422, redirected: false, url: "http://x/members/new", text: async () => "<p>NIK</p>" });
    const readMessages = (html) => ({ message: `read ${html}`, errors: { nik: "salah" } });
    const result = await formSender({ fetch, csrfToken: "t", readMessages })(item);
    assert.equal(result.outcome, OUTCOME.REFUSED);
    assert.equal(result.message, "read <p>NIK</p>");
    assert.deepEqual(result.errors, { nik: "salah" });
  });

  it("treats a redirect to the login page as 'log in first', not as sent", async () => {
    const { fetch } = fakeFetch({ status: 200, redirected: true, url: "http://x/login?next=/members/new", text: async () => "" });
    const result = await formSender({ fetch, csrfToken: "t" })(item);
    assert.equal(result.outcome, OUTCOME.STOP);
    assert.equal(result.reason, "login");
  });

  it("an expired form (403) asks for a reload", async () => {
    const { fetch } = fakeFetch({ status: 403, redirected: false, url: "http://x/members/new", text: async () => "" });
    const result = await formSender({ fetch, csrfToken: "t" })(item);
    assert.equal(result.outcome, OUTCOME.STOP);
    assert.equal(result.reason, "reload");
  });

  it("a failed fetch means retry later", async () => {
    const { fetch } = fakeFetch(new TypeError("Failed to fetch"));
    const result = await formSender({ fetch, csrfToken: "t" })(item);
    assert.equal(result.outcome, OUTCOME.RETRY);
  });
});

describe("maskNik", () => {
  it("masks like the server", () => {
    assert.equal(maskNik("1207014101900003"), "1207********0003");
    assert.equal(maskNik("123"), "123");
  });
});
