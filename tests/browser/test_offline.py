"""A duta in a village with a signal that comes and goes: the service worker keeps the forms, what is
submitted without a connection waits on the phone (IndexedDB) and is sent when the connection returns;
a refusal comes back as an item to fix; logout warns while something is unsent."""

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.journey import check_page, fill_member, log_in, random_nik

pytestmark = pytest.mark.browser

DUTA = "duta.senembah"  # one village: Medan Senembah


def _wait_for_worker(page) -> None:
    """The service worker is installed (shell and forms kept) and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _register_online(page, live_server) -> tuple[int, str]:
    nik, birth = random_nik()
    page.goto("/members/new")
    fill_member(page, nik, birth, "Budi Santoso")
    page.click("form[data-offline=member] button[value=submit]")
    page.wait_for_url(re.compile(r".*/members/\d+$"))
    return int(page.url.rsplit("/", 1)[1]), nik


def _waiting(page) -> str:
    return page.inner_text("[data-outbox-waiting]")


def test_offline_registration_and_payment_wait_on_the_phone_and_are_sent_when_back_online(
    context, page, live_server, screenshot
):
    log_in(page, live_server, DUTA)
    _wait_for_worker(page)
    member_id, _nik = _register_online(page, live_server)
    # Open the payment form once online: the worker keeps it for later.
    page.goto(f"/members/{member_id}/pay")
    assert page.is_visible("form[data-offline=payment]"), "the payment form must carry data-offline=payment"
    page.goto("/members/new")
    assert page.is_hidden("#outbox")  # nothing waits: no bar

    context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
    nik, birth = random_nik("P")
    fill_member(page, nik, birth, "Siti Aminah", sex="P")
    page.click("form[data-offline=member] button[value=submit]")
    saved = page.locator("[data-outbox-notice]")
    saved.wait_for()
    assert "Tersimpan di ponsel ini" in saved.inner_text()
    page.wait_for_function("() => document.querySelector('[data-outbox-waiting]').textContent === '1'")
    assert page.is_visible("#outbox")
    assert "Menunggu dikirim" in page.inner_text("#outbox")
    # The form is empty again, ready for the next neighbour, with a fresh idempotency key.
    assert page.input_value("#nik") == ""
    screenshot(page, "kept-registration")

    # The payment form works without a connection: the copy kept by the service worker.
    page.goto(f"/members/{member_id}/pay")
    assert page.get_attribute("html", "data-offline-copy") == "1"
    assert "salinan halaman" in page.inner_text("main")
    page.select_option("#months", "2")
    page.check("input[name=channel][value=tunai]")
    page.click("form[data-offline=payment] button[type=submit]")
    page.locator("[data-outbox-notice]").wait_for()
    page.wait_for_function("() => document.querySelector('[data-outbox-waiting]').textContent === '2'")

    # The outbox page, offline too, lists both as waiting.
    page.goto("/outbox")
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li.waiting').length === 2")
    listing = page.inner_text("#outbox-list")
    assert "Siti Aminah" in listing
    assert "2 bulan" in listing
    screenshot(page, "outbox-offline")

    context.set_offline(False)
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li.sent').length === 2", timeout=20_000)
    assert "2 terkirim" in page.inner_text("[data-outbox-status]")
    assert _waiting(page) == "0"
    check_page(page, "/outbox")
    screenshot(page, "outbox-sent")

    # Both really reached the server: the new member's page and the receipt.
    links = page.eval_on_selector_all("#outbox-list li.sent a", "links => links.map(a => a.getAttribute('href'))")
    assert any(re.fullmatch(r"/members/\d+", link) for link in links), links
    assert any(link.startswith("/receipts/") for link in links), links
    member_link = next(link for link in links if link.startswith("/members/"))
    page.goto(member_link)
    assert "Siti Aminah" in page.inner_text("main")
    receipt_link = next(link for link in links if link.startswith("/receipts/"))
    page.goto(receipt_link)
    assert "Budi Santoso" in page.inner_text("main")


def test_a_refused_item_comes_back_to_fix_and_logout_warns(context, page, live_server, screenshot):
    log_in(page, live_server, DUTA)
    _wait_for_worker(page)
    _member_id, taken_nik = _register_online(page, live_server)
    page.goto("/members/new")

    # Offline, the duta registers a NIK that the server already has: kept, then refused when sent.
    context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
    code = taken_nik[6:12]
    birth = dt.date(1900 + int(code[4:]), int(code[2:4]), int(code[:2]))  # random_nik: born 1970-1999
    fill_member(page, taken_nik, birth, "Budi Santoso Kedua")
    page.click("form[data-offline=member] button[value=submit]")
    page.wait_for_function("() => document.querySelector('[data-outbox-waiting]').textContent === '1'")

    # Logging out with something unsent asks first; declining keeps the duta logged in. The answer is
    # given as the question opens: a click left waiting on an open dialog may never finish.
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as dialog_info:
        page.click("form.logout button")
    assert "1 data belum terkirim" in dialog_info.value.message
    assert page.is_visible("form.logout")

    context.set_offline(False)
    page.goto("/outbox")
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li.refused').length === 1", timeout=20_000)
    refused = page.inner_text("#outbox-list li.refused")
    assert "Ditolak" in refused
    assert "Medan Senembah" in refused or "terdaftar" in refused.lower(), refused
    assert page.inner_text("[data-outbox-refused]") == "1"
    screenshot(page, "refused")

    # Fix: the form comes back filled in, with the server's message beside the NIK.
    page.click("#outbox-list li.refused a.button")
    page.wait_for_url(re.compile(r".*/members/new\?outbox="))
    page.locator("#nik-error").wait_for()
    assert page.input_value("#full_name") == "Budi Santoso Kedua"
    new_nik, new_birth = random_nik()
    page.fill("#nik", new_nik)
    page.fill("#birth_date", new_birth.isoformat())
    page.click("form[data-offline=member] button[value=submit]")
    page.wait_for_url(f"{live_server}/outbox")
    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list li.refused, #outbox-list li.waiting').length === 0"
    )
    assert "Budi Santoso Kedua" in page.inner_text("#outbox-list li.sent")

    # Nothing unsent: logout goes straight through.
    page.click("form.logout button")
    page.wait_for_url(f"{live_server}/login")


ROSTER_MEMBERS = """async () => {
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open("duta-roster");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const members = await new Promise((resolve) => {
    const request = db.transaction("members").objectStore("members").getAll();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return members;
}"""


# Whether the sync has stored members yet: looked at without opening a database that does not exist
# (opening would create it empty, without the app's stores).
ROSTER_SYNCED = """async () => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes("duta-roster")) return false;
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open("duta-roster");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  if (!db.objectStoreNames.contains("members")) {
    db.close();
    return false;
  }
  const count = await new Promise((resolve) => {
    const request = db.transaction("members").objectStore("members").count();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return count > 0;
}"""


def _poll(page, script: str, arg=None, seconds: float = 30.0, what: str = "") -> None:
    """Wait until `script` (which may answer a promise) is truthy in the page. Polled from here:
    `page.evaluate` awaits a promise, where a `wait_for_function` predicate's promise counted as truthy
    at once (a loaded machine then read the store before the sync had written it)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"{what} not within {seconds:.0f} s"
        page.wait_for_timeout(250)


def _roster_kept(page) -> list[dict]:
    """The roster synced at login is in IndexedDB and the worker keeps its shell."""
    _poll(page, "() => caches.match('/roster').then(Boolean)", what="the roster's shell kept by the worker")
    _poll(page, ROSTER_SYNCED, what="the roster synced at login")
    return page.evaluate(ROSTER_MEMBERS)


def test_the_roster_works_without_a_signal_and_leaves_with_logout(context, page, live_server, screenshot):
    log_in(page, live_server, DUTA)
    _wait_for_worker(page)
    page.reload()  # the worker now controls the page: the shell it keeps is fetched through it
    members = _roster_kept(page)
    assert members, "the duta's village has members in the demo data"
    member = next(m for m in members if m["status"] == "approved" and m["followup_list"])
    assert set(member) >= {"full_name", "nik", "member_number", "cover_status", "covered_until", "phone"}
    assert "********" in member["nik"]
    page.goto("/roster")  # online, the shell draws the kept list too: it fits a phone
    page.locator("#roster-list li").first.wait_for()
    check_page(page, "/roster")

    context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
    # The member list, searchable, from the phone.
    page.goto("/members")
    page.locator("#roster-list li").first.wait_for()
    assert "tersimpan di ponsel" in page.inner_text("[data-roster-kept]")
    page.fill("#roster-q", member["full_name"])
    page.wait_for_function(
        "name => [...document.querySelectorAll('#roster-list li')].every(li => li.textContent.includes(name))",
        arg=member["full_name"],
    )
    screenshot(page, "roster-list-offline")
    # The member's summary.
    page.click(f"#roster-list a[href='/members/{member['id']}']")
    page.wait_for_url(re.compile(rf".*/members/{member['id']}$"))
    # The shell is there before the member is drawn into it: wait for the member itself.
    expect(page.locator("#roster h1")).to_contain_text(member["full_name"])
    summary = page.inner_text("#roster")
    assert member["full_name"] in summary and member["nik"] in summary and member["phone"] in summary
    # The follow-up lists.
    page.goto("/followups")
    page.locator("#roster section").first.wait_for()
    assert member["full_name"] in page.inner_text("#roster")
    screenshot(page, "roster-followups-offline")
    # The pay form of a member whose page was never opened: drawn from the roster, kept in the outbox.
    page.goto(f"/members/{member['id']}/pay")
    page.locator("form[data-offline=payment]").wait_for()
    page.select_option("#months", "2")
    total = 2 * member["monthly_contribution"]
    assert page.input_value("[data-pay-amount]") == str(total)
    screenshot(page, "roster-pay-offline")
    page.click("form[data-offline=payment] button[type=submit]")
    page.locator("[data-outbox-notice]").wait_for()
    page.wait_for_function("() => document.querySelector('[data-outbox-waiting]').textContent === '1'")

    context.set_offline(False)
    page.goto("/outbox")
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li.sent').length === 1", timeout=20_000)
    receipt = page.get_attribute("#outbox-list li.sent a", "href")
    assert receipt and receipt.startswith("/receipts/")
    page.goto(receipt)
    assert member["full_name"] in page.inner_text("main")
    # Back online, the next sync brings the new cover.
    _poll(
        page,
        """([id, before]) => new Promise((resolve) => {
          const opening = indexedDB.open("duta-roster");
          opening.onsuccess = () => {
            const request = opening.result.transaction("members").objectStore("members").get(id);
            request.onsuccess = () => { resolve(Boolean(request.result) && request.result.covered_until !== before); opening.result.close(); };
          };
        })""",
        [member["id"], member["covered_until"]],
        what="the new cover in the roster",
    )

    # Logging out takes the roster (names and phone numbers) off the phone.
    page.click("form.logout button")
    page.wait_for_url(f"{live_server}/login")
    assert "duta-roster" not in page.evaluate("indexedDB.databases().then(dbs => dbs.map(db => db.name))")
