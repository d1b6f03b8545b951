// The IndexedDB store under fake-indexeddb, and the queue on top of it.
import "fake-indexeddb/auto";

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { openStore } from "../../static/offline/idb.js";
import { OUTCOME, SENT, createQueue } from "../../static/offline/queue.js";

let counter = 0;
const freshName = () => `duta-test-${process.pid}-${++counter}`;

describe("openStore", () => {
  it("puts, gets, lists and deletes items by key", async () => {
    const store = await openStore(indexedDB, freshName());
    await store.put({ key: "a", status: "waiting", fields: [["nik", "1"]] });
    await store.put({ key: "b", status: "refused", fields: [] });
    assert.deepEqual(await store.get("a"), { key: "a", status: "waiting", fields: [["nik", "1"]] });
    assert.deepEqual((await store.all()).map((item) => item.key), ["a", "b"]);
    await store.delete("a");
    assert.equal(await store.get("a"), undefined);
    store.close();
  });

  it("keeps items across reopening (the next page load finds them)", async () => {
    const name = freshName();
    const first = await openStore(indexedDB, name);
    await createQueue({ store: first }).add({ kind: "payment", action: "/members/3/pay", fields: [["months", "2"], ["idempotency_key", "p1"]] });
    first.close();
    const second = await openStore(indexedDB, name);
    const queue = createQueue({ store: second });
    assert.equal((await queue.counts()).waiting, 1);
    await queue.flush(async () => ({ outcome: OUTCOME.SENT, url: "/receipts/R1" }));
    assert.equal((await second.get("p1")).status, SENT);
    second.close();
  });
});
