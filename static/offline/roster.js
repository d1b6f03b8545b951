// The roster in the pocket: the members of the duta's villages kept in IndexedDB (database
// "duta-roster"), synced from /roster/sync (app/offline/roster.py), and the pages drawn from it when
// there is no signal: the member list, a member, the follow-up lists and a pay form.
//
// What depends on the rules (cover status, follow-up list, contribution) comes computed from the
// server with each row; the phone only shows it. Storage and network are injected, so the logic runs
// under `node --test` too (tests/offline/roster.test.mjs).

export const DB_NAME = "duta-roster";
const MEMBERS = "members";
const META = "meta";
const STATE = "state";
const VERSION = 1;
// Shown when nothing is typed in the search: drawing 2.000 rows on a cheap phone is slow for nothing.
export const LIST_LIMIT = 100;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The roster's store: members by id, and one meta record {user, cursor, syncedAt}. */
export function openRoster(indexedDB = globalThis.indexedDB, name = DB_NAME) {
  if (!indexedDB) return Promise.reject(new Error("IndexedDB is not available"));
  const opening = indexedDB.open(name, VERSION);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    if (!db.objectStoreNames.contains(MEMBERS)) db.createObjectStore(MEMBERS, { keyPath: "id" });
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  };
  return promised(opening).then((db) => {
    function run(mode, work) {
      return new Promise((resolve, reject) => {
        const transaction = db.transaction([MEMBERS, META], mode);
        const result = work(transaction.objectStore(MEMBERS), transaction.objectStore(META));
        transaction.oncomplete = () => resolve(result && result.result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error || new Error("transaction aborted"));
      });
    }
    return {
      all: () => run("readonly", (members) => members.getAll()),
      get: (id) => run("readonly", (members) => members.get(id)),
      meta: () => run("readonly", (_members, meta) => meta.get(STATE)),
      /** One transaction: a sync is applied whole or not at all. */
      save: ({ full, members, removed, meta }) =>
        run("readwrite", (store, metaStore) => {
          if (full) store.clear();
          for (const member of members) store.put(member);
          for (const id of removed) store.delete(id);
          metaStore.put(meta, STATE);
        }),
      clear: () =>
        run("readwrite", (members, meta) => {
          members.clear();
          meta.clear();
        }),
      close: () => db.close(),
    };
  });
}

/** Rows as sent (lists of values in the order of `fields`) as objects. */
export function toObjects(fields, rows) {
  return rows.map((row) => Object.fromEntries(fields.map((field, index) => [field, row[index]])));
}

/**
 * Fetch what changed since the last sync and keep it. A roster kept for another user is replaced; a
 * cursor the server refuses (422) is dropped and everything fetched again.
 * fetch(url) -> Response; store: see openRoster (or a Map-backed stand-in in tests).
 */
export async function syncRoster({ fetch, store, url, user, now = () => new Date() }) {
  const meta = (await store.meta()) || {};
  let since = meta.user === user ? meta.cursor || "" : "";
  let response = await fetch(since ? `${url}?since=${encodeURIComponent(since)}` : url);
  if (response.status === 422 && since) {
    since = "";
    response = await fetch(url);
  }
  if (!response.ok || response.redirected) throw new Error(`roster sync: ${response.status}`);
  const answer = await response.json();
  const full = answer.full || !since;
  const members = toObjects(answer.fields, answer.members);
  await store.save({
    full,
    members,
    removed: answer.removed || [],
    meta: { user, cursor: answer.cursor, syncedAt: now().toISOString() },
  });
  return { full, changed: members.length, removed: (answer.removed || []).length };
}

function digits(value) {
  return String(value || "").replace(/\D/g, "");
}

/** The search of the member list, as the server's: name, NIK's last 4 digits, member number, phone. */
export function filterMembers(members, query) {
  const text = String(query || "").trim().toLowerCase();
  const sorted = [...members].sort((a, b) => a.full_name.localeCompare(b.full_name) || a.id - b.id);
  if (!text) return sorted;
  const number = digits(text);
  return sorted.filter(
    (member) =>
      member.full_name.toLowerCase().includes(text) ||
      (member.member_number && member.member_number.includes(text)) ||
      (number.length >= 4 && (digits(member.phone).includes(number.replace(/^0/, "62")) || digits(member.phone).includes(number))) ||
      (number.length === 4 && String(member.nik).endsWith(number)),
  );
}

/** Members by follow-up list, each list in the order given (the server's order of the lists). */
export function byList(members, names) {
  const lists = Object.fromEntries(names.map((name) => [name, []]));
  for (const member of members) {
    if (member.followup_list && lists[member.followup_list]) lists[member.followup_list].push(member);
  }
  for (const name of names) lists[name].sort((a, b) => a.full_name.localeCompare(b.full_name) || a.id - b.id);
  return lists;
}

/** Rp16.800: whole rupiah grouped by dots, as the pages show money. */
export function rupiah(amount) {
  return "Rp" + String(Math.round(Number(amount) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** 2026-11 → 11/2026, as the pages show months. */
export function monthLabel(value) {
  const [year, month] = String(value || "").split("-");
  return year && month ? `${month}/${year}` : "";
}

/** Which page of the roster a path is: {view, id?, list?}. */
export function route(pathname) {
  let found = pathname.match(/^\/members\/(\d+)\/pay$/);
  if (found) return { view: "pay", id: Number(found[1]) };
  found = pathname.match(/^\/members\/(\d+)$/);
  if (found) return { view: "member", id: Number(found[1]) };
  found = pathname.match(/^\/followups(?:\/([a-z_]+))?$/);
  if (found) return { view: "followups", list: found[1] || "" };
  return { view: "members" };
}

// ---------------------------------------------------------------- drawing (browser only)

function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== undefined && child !== null && child !== false) {
      element.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return element;
}

function fill(template, params) {
  return Object.keys(params).reduce((text, key) => text.split(`{${key}}`).join(String(params[key])), template);
}

function when(iso) {
  const date = new Date(iso);
  const two = (n) => (n < 10 ? "0" : "") + n;
  return `${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

// One member a row, in the markup of the server's member list (templates/members/_list.html).
function memberLink(member, labels) {
  const approved = member.status === "approved";
  const covered = member.covered_until ? monthLabel(member.covered_until) : labels.texts.not_covered;
  return node(
    "li",
    {},
    node("a", { href: `/members/${member.id}` }, node("strong", {}, member.full_name), " ", node("span", { class: "nik" }, `NIK ${member.nik}`)),
    node("span", { class: "member-facts" }, member.member_number ? node("span", {}, member.member_number) : null,
      approved ? node("span", {}, `${labels.texts.covered_until}: ${covered}`) : null),
    node(
      "span",
      { class: "member-row-end" },
      node("span", { class: `badge ${member.status}` }, labels.statuses[member.status] || member.status),
      approved ? node("span", { class: `badge ${member.cover_status}` }, labels.covers[member.cover_status] || "") : null,
    ),
  );
}

function drawMembers(root, members, labels, query) {
  const texts = labels.texts;
  root.append(node("h1", {}, texts.members));
  const search = node("input", { id: "roster-q", type: "search", autocomplete: "off", value: query });
  root.append(node("label", { for: "roster-q" }, texts.search), search);
  const list = node("ul", { class: "list members", id: "roster-list" });
  const hint = node("p", { class: "hint" });
  root.append(list, hint);
  const show = () => {
    const found = filterMembers(members, search.value);
    list.replaceChildren(...found.slice(0, LIST_LIMIT).map((member) => memberLink(member, labels)));
    hint.textContent = found.length > LIST_LIMIT ? fill(texts.shown, { shown: LIST_LIMIT, total: found.length }) : "";
  };
  search.addEventListener("input", show);
  show();
}

function drawMember(root, member, labels) {
  const texts = labels.texts;
  root.append(node("h1", {}, member.full_name));
  const facts = [
    [labels.texts.status, labels.statuses[member.status] || member.status],
    ["NIK", member.nik],
    [texts.internal_number, member.member_number || "–"],
    [texts.cover, labels.covers[member.cover_status] || ""],
    [texts.covered_until, member.covered_until ? monthLabel(member.covered_until) : texts.not_covered],
    [texts.contribution, rupiah(member.monthly_contribution)],
    [texts.phone, member.phone],
  ];
  if (member.followup_list) facts.push([texts.followups, labels.lists[member.followup_list]]);
  root.append(node("dl", { class: "facts" }, ...facts.flatMap(([term, value]) => [node("dt", {}, term), node("dd", {}, value)])));
  const actions = node("p", { class: "actions" });
  if (member.status === "approved" || member.status === "submitted") {
    actions.append(node("a", { class: "button", href: `/members/${member.id}/pay` }, texts.pay));
  }
  actions.append(node("a", { class: "button secondary", href: `tel:${member.phone}` }, member.phone));
  root.append(actions);
}

function drawFollowups(root, members, labels, only) {
  const texts = labels.texts;
  const names = labels.listOrder.filter((name) => !only || name === only);
  const lists = byList(members, names);
  root.append(node("h1", {}, only ? labels.lists[only] : texts.followups));
  for (const name of names) {
    const rows = lists[name];
    const shown = only ? rows.slice(0, LIST_LIMIT * 3) : rows.slice(0, 5);
    const section = node("section", {}, node("h2", {}, labels.lists[name] + " ", node("span", { class: "badge" }, String(rows.length))));
    if (rows.length) {
      section.append(node("ul", { class: "list members" }, ...shown.map((member) => memberLink(member, labels))));
      if (shown.length < rows.length && !only) {
        section.append(node("p", {}, node("a", { href: `/followups/${name}` }, fill(texts.see_all, { num: rows.length }))));
      }
    } else {
      section.append(node("p", { class: "hint" }, texts.nobody));
    }
    root.append(section);
  }
}

function drawPay(root, member, labels, template, newKey, today) {
  root.append(node("h1", {}, labels.texts.pay));
  root.append(
    node("p", {}, node("strong", {}, member.full_name), member.member_number ? ` · ${member.member_number}` : "", node("br"),
      node("small", {}, `${labels.texts.covered_until}: ${member.covered_until ? monthLabel(member.covered_until) : labels.texts.not_covered}`)),
  );
  root.append(node("p", { class: "notice" }, `${labels.texts.contribution}: `, node("strong", {}, rupiah(member.monthly_contribution))));
  const content = template.content.cloneNode(true);
  const form = content.querySelector("form");
  form.setAttribute("action", `/members/${member.id}/pay`);
  form.dataset.offlineLabel = member.full_name;
  form.querySelector("input[name=idempotency_key]").value = newKey();
  form.querySelector("input[name=paid_on]").value = today;
  for (const option of form.querySelectorAll("select[data-pay-months] option")) {
    const total = Number(option.value) * member.monthly_contribution;
    option.dataset.amount = String(total);
    option.dataset.receive = fill(option.dataset.receiveText, { amount: rupiah(total) });
    option.textContent = `${option.dataset.label} · ${rupiah(total)}`;
  }
  const first = form.querySelector("select[data-pay-months] option");
  form.querySelector("[data-pay-amount]").value = first.dataset.amount;
  form.querySelector("[data-pay-receive]").textContent = first.dataset.receive;
  root.append(content);
}

/** Draw the page for `location` into the shell's #roster from the kept roster. */
export async function drawRoster({ root, template, store, location, newKey, today, user }) {
  // The lists come as [name, label] pairs: in the server's order, most urgent first.
  const lists = JSON.parse(root.dataset.lists);
  const labels = {
    texts: JSON.parse(root.dataset.texts),
    lists: Object.fromEntries(lists),
    listOrder: lists.map(([name]) => name),
    statuses: JSON.parse(root.dataset.statuses),
    covers: JSON.parse(root.dataset.covers),
  };
  const page = route(location.pathname);
  const meta = (await store.meta()) || {};
  root.replaceChildren();
  // A roster left by someone else (a session that ran out without a logout) is not shown.
  if (!meta.syncedAt || meta.user !== user) {
    root.append(node("p", { class: "notice" }, labels.texts.empty));
    return page;
  }
  root.append(node("p", { class: "notice", "data-roster-kept": "" }, fill(labels.texts.kept, { when: when(meta.syncedAt) })));
  if (page.view === "members") {
    drawMembers(root, await store.all(), labels, new URLSearchParams(location.search).get("q") || "");
  } else if (page.view === "followups") {
    drawFollowups(root, await store.all(), labels, page.list);
  } else {
    const member = await store.get(page.id);
    if (!member) root.append(node("p", { class: "alert", role: "alert" }, labels.texts.unknown));
    else if (page.view === "pay") drawPay(root, member, labels, template, newKey, today);
    else drawMember(root, member, labels);
  }
  return page;
}
