// The roster kept on the phone: syncing (first, then changes, a refused cursor, another user) under
// fake-indexeddb, and the pure helpers the pages are drawn with.
import "fake-indexeddb/auto";

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { byList, filterMembers, openRoster, route, rupiah, syncRoster, toObjects } from "../../static/offline/roster.js";

let counter = 0;
const freshName = () => `duta-roster-test-${process.pid}-${++counter}`;
const FIELDS = ["id", "full_name", "nik", "member_number", "status", "cover_status", "covered_until", "monthly_contribution", "phone", "followup_list"];
const row = (id, name, extra = {}) => {
  const member = { id, full_name: name, nik: "1207********0001", member_number: `2600000000${id}`, status: "approved", cover_status: "aktif", covered_until: "2027-01", monthly_contribution: 16800, phone: "+6281234567890", followup_list: null, ...extra };
  return FIELDS.map((field) => member[field]);
};

function answering(...answers) {
  const asked = [];
  const fetch = async (url) => {
    asked.push(url);
    const [status, body] = answers.shift();
    return { status, ok: status === 200, redirected: false, json: async () => body };
  };
  return { fetch, asked };
}

describe("syncRoster", () => {
  it("keeps everything first, then applies changes and removals", async () => {
    const store = await openRoster(indexedDB, freshName());
    const { fetch, asked } = answering(
      [200, { cursor: "c1", full: true, fields: FIELDS, members: [row(1, "Ani"), row(2, "Budi"), row(3, "Cici")], removed: [] }],
      [200, { cursor: "c2", full: false, fields: FIELDS, members: [row(2, "Budi", { covered_until: "2027-03" })], removed: [3] }],
    );
    await syncRoster({ fetch, store, url: "/roster/sync", user: "duta1" });
    assert.equal((await store.all()).length, 3);
    const second = await syncRoster({ fetch, store, url: "/roster/sync", user: "duta1" });
    assert.deepEqual(second, { full: false, changed: 1, removed: 1 });
    assert.deepEqual(asked, ["/roster/sync", "/roster/sync?since=c1"]);
    assert.deepEqual((await store.all()).map((m) => m.id), [1, 2]);
    assert.equal((await store.get(2)).covered_until, "2027-03");
    assert.equal((await store.meta()).cursor, "c2");
    store.close();
  });

  it("a full answer replaces what was kept", async () => {
    const store = await openRoster(indexedDB, freshName());
    const { fetch } = answering(
      [200, { cursor: "c1", full: true, fields: FIELDS, members: [row(1, "Ani"), row(2, "Budi")], removed: [] }],
      [200, { cursor: "c2", full: true, fields: FIELDS, members: [row(2, "Budi")], removed: [] }],
    );
    await syncRoster({ fetch, store, url: "/s", user: "duta1" });
    await syncRoster({ fetch, store, url: "/s", user: "duta1" });
    assert.deepEqual((await store.all()).map((m) => m.id), [2]);
    store.close();
  });

  it("another user on the phone starts from nothing, and a refused cursor is dropped", async () => {
    const store = await openRoster(indexedDB, freshName());
    const { fetch, asked } = answering(
      [200, { cursor: "c1", full: true, fields: FIELDS, members: [row(1, "Ani")], removed: [] }],
      [200, { cursor: "c2", full: true, fields: FIELDS, members: [row(5, "Eko")], removed: [] }],
      [422, {}],
      [200, { cursor: "c4", full: true, fields: FIELDS, members: [row(6, "Fitri")], removed: [] }],
    );
    await syncRoster({ fetch, store, url: "/s", user: "duta1" });
    await syncRoster({ fetch, store, url: "/s", user: "duta2" });
    assert.deepEqual((await store.all()).map((m) => m.id), [5]);
    await syncRoster({ fetch, store, url: "/s", user: "duta2" });
    assert.deepEqual(asked, ["/s", "/s", "/s?since=c2", "/s"]);
    assert.deepEqual((await store.all()).map((m) => m.id), [6]);
    store.close();
  });

  it("a failed sync keeps what was there", async () => {
    const store = await openRoster(indexedDB, freshName());
    const { fetch } = answering(
      [200, { cursor: "c1", full: true, fields: FIELDS, members: [row(1, "Ani")], removed: [] }],
      [500, {}],
    );
    await syncRoster({ fetch, store, url: "/s", user: "duta1" });
    await assert.rejects(syncRoster({ fetch, store, url: "/s", user: "duta1" }));
    assert.deepEqual((await store.all()).map((m) => m.id), [1]);
    assert.equal((await store.meta()).cursor, "c1");
    await store.clear();
    assert.deepEqual(await store.all(), []);
    assert.equal(await store.meta(), undefined);
    store.close();
  });
});

describe("helpers", () => {
  const members = toObjects(FIELDS, [
    row(1, "Siti Aminah", { phone: "+6281311112222", nik: "1207********0042", followup_list: "due_this_month" }),
    row(2, "Budi Santoso", { followup_list: "lapsed_recent" }),
    row(3, "Ahmad", { followup_list: "due_this_month" }),
  ]);

  it("searches by name, phone as typed, NIK's last 4 digits and member number", () => {
    assert.deepEqual(filterMembers(members, "").map((m) => m.id), [3, 2, 1]);
    assert.deepEqual(filterMembers(members, "siti").map((m) => m.id), [1]);
    assert.deepEqual(filterMembers(members, "0813 1111").map((m) => m.id), [1]);
    assert.deepEqual(filterMembers(members, "0042").map((m) => m.id), [1]);
    assert.deepEqual(filterMembers(members, "26000000002").map((m) => m.id), [2]);
  });

  it("groups by follow-up list", () => {
    const lists = byList(members, ["due_this_month", "lapsed_recent", "drafts"]);
    assert.deepEqual(lists.due_this_month.map((m) => m.id), [3, 1]);
    assert.deepEqual(lists.drafts, []);
  });

  it("routes and money", () => {
    assert.deepEqual(route("/members/12/pay"), { view: "pay", id: 12 });
    assert.deepEqual(route("/members/12"), { view: "member", id: 12 });
    assert.deepEqual(route("/followups/lapsed_long"), { view: "followups", list: "lapsed_long" });
    assert.deepEqual(route("/members"), { view: "members" });
    assert.equal(rupiah(1680000), "Rp1.680.000");
  });
});
