"""Every form of the app, sent once with a mistake, with JavaScript on (boosted by htmx, or sent by the
outbox script) and off: the server's message appears beside the field, and nothing else happens.

htmx 2 swaps no 4xx answer unless told to (the htmx-config in base.html); without that, a refused form
sent with JavaScript on showed nothing. The branch of Banda Aceh is used for what the cases need (a
registration, receipts, a deposit), so the other browser tests' pages stay as the demo left them."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.auth.models import Partner, User
from app.core.clock import today
from app.partners.models import Settlement, SettlementLine
from tests.browser.conftest import _context
from tests.browser.journey import check_page, fill_member, log_in, random_nik

pytestmark = pytest.mark.browser

DUTA = "duta.kampungbaru"
CABANG = "cabang.bandaaceh"
CABANG_DELI = "cabang.lubukpakam"
WILAYAH = "wilayah"
ADMIN = "admin"
BANDA_ACEH = "117101"  # the NIK region of Kampung Baru
CANDIDATE = "12.07.02.2003"  # a candidate village of the demo, with no socialisation event yet


@dataclass
class World:
    """What the cases need, made once through the pages: a registration waiting for approval, an approved
    one, a draft, two receipts in cash (one handed in as a deposit waiting for the branch, one still held)."""

    member: int = 0
    draft: int = 0
    approved: int = 0
    held_receipt: str = ""
    deposit: int = 0
    user: int = 0
    claim: int = 0
    settlement_line: int = 0
    sessions: dict[str, list] = field(default_factory=dict)


def _register(page, name: str) -> int:
    page.goto("/members/new")
    nik, birth = random_nik("L", BANDA_ACEH)
    fill_member(page, nik, birth, name)
    page.click("form.member-form button[value=submit]")
    page.wait_for_url(re.compile(r".*/members/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _pay_cash(page, member_id: int) -> str:
    page.goto(f"/members/{member_id}/pay")
    page.check("input[name=channel][value=tunai]")
    page.click("main form[action$='/pay'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/receipts/[^/]+$"))
    return page.url.rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def world(browser, live_server) -> World:
    made = World()
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        log_in(page, live_server, DUTA)
        made.member = _register(page, "Teuku Umar")
        # A draft with little more than the NIK: submitting it later explains what is missing.
        page.goto("/members/new")
        nik, _birth = random_nik("P", BANDA_ACEH)
        page.fill("#nik", nik)
        page.fill("#full_name", "Cut Nyak")
        page.fill("#monthly_income", "1000000")
        page.check("input[name=consent]")
        page.click("form.member-form button[value=draft]")
        page.wait_for_url(re.compile(r".*/members/\d+$"))
        made.draft = int(page.url.rsplit("/", 1)[1])
        made.approved = _register(page, "Cut Meutia")
        deposited = _pay_cash(page, made.member)
        made.held_receipt = _pay_cash(page, made.member)
        page.goto("/deposits")
        page.uncheck(f"input[name=receipt_numbers][value='{made.held_receipt}']")
        page.check(f"input[name=receipt_numbers][value='{deposited}']")
        page.click("form[action='/deposits'] button[type=submit]")
        # The deposit's slip: waited for by its address, since the list it left already names the
        # receipt (a navigation still under way would abort the next page.goto).
        page.wait_for_url(re.compile(r".*/deposits/\d+$"))
        expect(page.locator("main")).to_contain_text(deposited)
        made.sessions[DUTA] = context.cookies()
        for username in (CABANG, CABANG_DELI, WILAYAH, ADMIN):
            context.clear_cookies()
            log_in(page, live_server, username)
            made.sessions[username] = context.cookies()
        page.goto("/users")
        made.user = int(page.locator("main a[href^='/users/']").first.get_attribute("href").rsplit("/", 1)[1])
        context.clear_cookies()
        log_in(page, live_server, CABANG)
        page.goto("/deposits")
        link = page.locator("main a[href^='/deposits/']").first.get_attribute("href")
        made.deposit = int(link.rsplit("/", 1)[1])
        page.goto(f"/approvals/{made.approved}")
        page.click("form[action$='/approve'] button[type=submit]")
        expect(page.locator("main")).to_contain_text("Cut Meutia disetujui")
        # An identity change of the approved member waiting for the branch, for its reject form.
        context.clear_cookies()
        context.add_cookies(made.sessions[DUTA])
        # An identity change waiting for the branch, for its reject form.
        page.goto(f"/members/{made.approved}/identity-request")
        page.fill("#full_name", "Cut Nyak Meutia")
        page.fill("#reason", "Nama di KTP lebih lengkap")
        page.click("form.identity-request button[type=submit]")
        page.wait_for_url(re.compile(r".*/members/\d+$"))
        # And its move to a village of Deli Serdang, for the refuse form of that branch.
        page.goto(f"/members/{made.approved}/move")
        page.fill("#village_code", "Medan Senembah — Tanjung Morawa")
        page.click("form.move-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/members/\d+$"))
        # And a work accident reported, for the branch officer's next-step form.
        page.goto(f"/members/{made.approved}/claims/new")
        page.check("input[name=kind][value=kecelakaan_kerja]")
        page.fill("#incident_on", today().isoformat())
        page.click("form.claim-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/claims/\d+$"))
        made.claim = int(page.url.rsplit("/", 1)[1])
        # A partner's settlement file whose one line names no member: a line waiting for the branch.
        context.clear_cookies()
        context.add_cookies(made.sessions[CABANG])
        page.goto("/settlements")
        page.select_option("#partner_id", label="Koperasi Nelayan Demo")
        line = f"{today().isoformat()},999999999990,16800,UJI-{random_nik('L', BANDA_ACEH)[0][-8:]}"
        csv = f"tanggal,kode,jumlah,referensi\n{line}\n".encode()
        page.set_input_files("#file", {"name": "setoran.csv", "mimeType": "text/csv", "buffer": csv})
        page.click("form[action='/settlements'] button[type=submit]")
        link = page.locator("main a[href^='/settlements/lines/']").first.get_attribute("href")
        made.settlement_line = int(link.rsplit("/", 1)[1])
    except Exception:
        print("WORLD FAILED at", page.url, page.inner_text("main")[:1500])
        raise
    finally:
        context.close()
    return made


@dataclass(frozen=True)
class Case:
    name: str
    user: str | None  # None: not logged in
    url: Callable[[World], str]
    form: str  # the form, as a CSS selector
    mistake: Callable  # (page, world) -> None: fills the form wrongly
    message: str  # the message's element, beside its field
    says: str = ""  # part of the message, when the words matter
    first: str = ""  # something to tap first (a <summary> that hides the form)
    # The mistake is one the browser itself would catch (min=, required): switched off to reach the server.
    unchecked: bool = False
    button: str = "button[type=submit], button:not([type])"  # within the form


def _fill(**values: str):
    def mistake(page, _world):
        for selector, value in values.items():
            page.fill(selector.replace("__", " "), value)

    return mistake


def _nothing(_page, _world):
    pass


def _new_member(page, _world):
    nik, birth = random_nik("L", BANDA_ACEH)
    fill_member(page, nik[:6] + "32" + nik[8:], birth, "Nyak Dhien")  # day 32: no date


def _unchecked_receipts(page, _world):
    page.uncheck("input[name=receipt_numbers]")


def _bank_without_reference(page, _world):
    page.check("input[name=channel][value=bank]")
    page.fill("#reference", "")


def _sponsor_without_a_name(page, _world):
    page.locator("form.group-form input[name=member_ids]").first.check()
    page.check("input[name=payer][value=sponsor]")
    page.fill("#payer_name", "")
    page.fill("#reference", "TRF-UJI-1")


def _event(page, _world):
    page.fill("#title", "   ")
    page.fill("#date", "2026-01-15")
    page.fill("#place", "Balai Gampong")


def _promise_without_a_day(page, _world):
    page.check("input[name=outcome][value=janji_bayar]")


def _claim_in_the_future(page, _world):
    page.check("input[name=kind][value=kecelakaan_kerja]")
    page.fill("#incident_on", "2999-01-01")


def _refused_without_a_reason(page, _world):
    page.select_option("#status", "ditolak")
    page.fill("#reason", "")


def _official_without_a_name(page, _world):
    page.select_option("#position_0", "kepala_desa")
    page.fill("#name_0", "")


def _target(page, _world):
    page.select_option("#level", "province")
    page.fill("#scope_code", "99")
    page.fill("#value", "10")


def _baseline(page, _world):
    page.fill("form.baseline >> nth=0 >> input[name=workers]", "10")
    page.fill("form.baseline >> nth=0 >> input[name=covered]", "20")


CASES = [
    Case(
        "login",
        None,
        lambda w: "/login",
        "form[action='/login']",
        _fill(**{"#username": "tidak.ada", "#password": "salah-sekali"}),
        "main .alert",
    ),
    Case("member registration", DUTA, lambda w: "/members/new", "form.member-form", _new_member, "#nik-error", "NIK"),
    Case(
        "member edit",
        DUTA,
        lambda w: f"/members/{w.draft}/edit",
        "form.member-form",
        _fill(**{"#full_name": ""}),
        "#full_name-error",
    ),
    Case(
        "approved member update",
        DUTA,
        lambda w: f"/members/{w.approved}/edit",
        "form.member-form",
        _fill(**{"#phone": "0812"}),
        "#phone-error",
    ),
    Case(
        "identity change request",
        DUTA,
        lambda w: f"/members/{w.approved}/identity-request",
        "form.identity-request",
        _fill(**{"#reason": "  "}),
        "#reason-error",
    ),
    Case(
        "identity change reject",
        CABANG,
        lambda w: "/identity-requests",
        "form[action$='/reject']",
        _nothing,
        "#reason-error",
    ),
    Case(
        "move",
        DUTA,
        lambda w: f"/members/{w.approved}/move",
        "form.move-form",
        _fill(**{"#village_code": "Desa Entah"}),
        "#village_code-error",
    ),
    Case(
        "move refused",
        CABANG_DELI,
        lambda w: "/moves",
        "form[action$='/reject']",
        _nothing,
        "#reason-error",
    ),
    Case(
        "death recorded",
        DUTA,
        lambda w: f"/members/{w.approved}/death",
        "form.death-form",
        _fill(**{"#died_on": "2999-01-01"}),
        "#died_on-error",
    ),
    Case(
        "claim reported",
        DUTA,
        lambda w: f"/members/{w.approved}/claims/new",
        "form.claim-form",
        _claim_in_the_future,
        "#incident_on-error",
    ),
    Case(
        "migrant worker registered",
        DUTA,
        lambda w: "/pmi/new",
        "form.pmi-form",
        _fill(**{"#full_name": "Rina Sitompul", "#passport_number": "C-12"}),
        "#passport_number-error",
    ),
    Case(
        "migrant worker's contract too long",
        DUTA,
        lambda w: "/pmi/new",
        "form.pmi-form",
        _fill(**{"#full_name": "Rina Sitompul", "#contract_months": "72"}),
        "#contract_months-error",
        says="60 bulan",
    ),
    Case(
        "claim refused without a reason",
        CABANG,
        lambda w: f"/claims/{w.claim}",
        "form.claim-status",
        _refused_without_a_reason,
        "#reason-error",
    ),
    Case(
        "member card revoked",
        DUTA,
        lambda w: f"/members/{w.approved}/card",
        "form.revoke-card",
        _fill(**{"#reason": "  "}),
        "#reason-error",
        first="details.no-print summary",
    ),
    Case(
        "incentive rate",
        WILAYAH,
        lambda w: "/incentives",
        "form.incentive-rate",
        _fill(**{"#percent": "99"}),
        "#percent-error",
    ),
    Case(
        "draft submitted incomplete",
        DUTA,
        lambda w: f"/members/{w.draft}",
        "form[action$='/submit']",
        _nothing,
        "main .alert",
    ),
    Case(
        "pay",
        DUTA,
        lambda w: f"/members/{w.member}/pay",
        "main form[action$='/pay']",
        _bank_without_reference,
        "#reference-error",
    ),
    Case(
        "group payment",
        DUTA,
        lambda w: "/group-payments/new?village_code=11.71.01.2001",
        "form.group-form",
        _sponsor_without_a_name,
        "#payer_name-error",
    ),
    Case(
        "contact noted",
        DUTA,
        lambda w: f"/members/{w.member}/contact",
        "form[action$='/contact']",
        _promise_without_a_day,
        "#promised_on-error",
    ),
    Case(
        "village officials",
        DUTA,
        lambda w: "/villages/11.71.01.2001/officials",
        "form.roster",
        _official_without_a_name,
        "#name_0-error",
    ),
    Case(
        "void",
        CABANG,
        lambda w: f"/receipts/{w.held_receipt}",
        "form[action$='/void']",
        _fill(**{"#reason": "   "}),
        "#reason-error",
        first="details.no-print summary",
    ),
    Case(
        "deposit create",
        DUTA,
        lambda w: "/deposits",
        "form[action='/deposits']",
        _unchecked_receipts,
        "#receipt_numbers-error",
    ),
    Case(
        "deposit confirm",
        CABANG,
        lambda w: f"/deposits/{w.deposit}",
        "form[action$='/confirm']",
        _fill(**{"input[name=bank_reference]": "   "}),
        "#bank_reference-error",
    ),
    Case(
        "deposit return",
        CABANG,
        lambda w: f"/deposits/{w.deposit}",
        "form[action$='/return']",
        _fill(**{"form[action$='/return']__input[name=reason]": "   "}),
        "#reason-error",
        first="form[action$='/confirm'] ~ details summary",
    ),
    Case(
        "approval reject",
        CABANG,
        lambda w: f"/approvals/{w.member}",
        "form[action$='/reject']",
        _nothing,
        "#reason-error",
    ),
    Case(
        "approval with a KPJ",
        CABANG,
        lambda w: f"/approvals/{w.member}",
        "form[action$='/approve']",
        _fill(**{"#kpj": "12"}),
        "#kpj-error",
    ),
    Case(
        "KPJ file",
        CABANG,
        lambda w: "/kpj",
        "form[action='/kpj/import']",
        _nothing,
        "#file-error",
    ),
    Case(
        "group import",
        DUTA,
        lambda w: "/members/import",
        "form[action='/members/import']",
        _nothing,
        "#file-error",
        "Pilih berkas",
    ),
    Case(
        "approval batch",
        CABANG,
        lambda w: "/approvals",
        "#batch",
        _nothing,
        "#queue-status.alert",
        "Pilih",
        button=".actions button",  # the batch's own, not a row's "Approve"
    ),
    Case(
        "stage change",
        CABANG_DELI,
        lambda w: f"/villages/{CANDIDATE}",
        "form[action$='/stage']",
        _nothing,
        "#event_id-error",
    ),
    Case(
        "village estimate",
        CABANG_DELI,
        lambda w: f"/villages/{CANDIDATE}",
        "form[action$='/estimate']",
        _fill(**{"#estimated_informal_workers": "0"}),
        "#estimated_informal_workers-error",
        unchecked=True,
    ),
    Case("event create", CABANG, lambda w: "/events/new", "form[action='/events']", _event, "#title-error"),
    Case(
        "event village by name",
        CABANG,
        lambda w: "/events/new",
        "form[action='/events']",
        _fill(**{"#title": "Sosialisasi", "#place": "Balai", "#village_code": "Desa Tiada"}),
        "#village_code-error",
        "Desa Tiada",
    ),
    Case(
        "events filter by village name",
        CABANG,
        lambda w: "/events",
        "form[action='/events'][method=get]",
        _fill(**{"#village_code": "Desa Tiada"}),
        "#village_code-error",
        "Desa Tiada",
    ),
    Case(
        "target set",
        WILAYAH,
        lambda w: "/targets",
        "form[action='/targets'][method=post]",
        _target,
        "#scope_code-error",
    ),
    Case("province baseline", WILAYAH, lambda w: "/targets", "form.baseline >> nth=0", _baseline, "#covered-error"),
    Case(
        "user create", ADMIN, lambda w: "/users", "form[action='/users']", _fill(**{"#username": ""}), "#username-error"
    ),
    Case(
        "user village by name",
        ADMIN,
        lambda w: "/users",
        "form[action='/users']",
        _fill(**{"#username": "duta.baru", "#password": "kata-sandi-baik", "#villages": "Desa Tiada"}),
        "#village_codes-error",
        "Desa Tiada",
    ),
    Case(
        "password reset",
        ADMIN,
        lambda w: f"/users/{w.user}",
        "form[action$='/password']",
        _fill(**{"#password": "pendek"}),
        "#password-error",
    ),
    Case(
        "branch create", ADMIN, lambda w: "/branches", "form[action='/branches']", _fill(**{"#code": ""}), "#code-error"
    ),
    Case(
        "branch edit",
        ADMIN,
        lambda w: "/branches/BANDA-ACEH",
        "form[action='/branches/BANDA-ACEH']",
        _fill(**{"#name": ""}),
        "#name-error",
    ),
    Case(
        "settlement upload",
        CABANG,
        lambda w: "/settlements",
        "form[action='/settlements']",
        _nothing,
        "#partner_id-error",
        says="Pilih mitra",
    ),
    Case(
        "settlement match",
        CABANG,
        lambda w: f"/settlements/lines/{w.settlement_line}",
        "form[action$='/match']",
        _fill(**{"#code": "1234"}),
        "#code-error",
        says="12 angka",
    ),
    Case(
        "settlement close",
        CABANG,
        lambda w: f"/settlements/lines/{w.settlement_line}",
        "form[action$='/close']",
        lambda page, _world: page.check("input[name=resolution][value=set_aside]"),
        "#note-error",
        says="alasan",
    ),
    # No kind chosen and no regency ticked: both said beside their fields, the name typed kept.
    Case(
        "partner create",
        WILAYAH,
        lambda w: "/partners/new",
        "form[action='/partners/new']",
        _fill(**{"#name": "Koperasi Uji Formulir"}),
        "#kind-error",
        says="jenis mitra",
        unchecked=True,
    ),
    # A GET form: a month not begun yet is refused beside the field, the month typed kept.
    Case(
        "partner statement month",
        CABANG,
        lambda w: "/reports/partners",
        "form.statement-month",
        _fill(**{"#month": "2099-12"}),
        "#month-error",
        says="belum dimulai",
    ),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_mistake_in_any_form_shows_its_message(browser, live_server, world, case, javascript):
    context = _context(browser, live_server, java_script_enabled=javascript)
    try:
        if case.user:
            context.add_cookies(world.sessions[case.user])
        page = context.new_page()
        page.goto(case.url(world))
        start = page.url
        form = page.locator(case.form).first
        boosted = form.get_attribute("hx-boost") != "false"
        if case.first:
            page.locator(case.first).first.click()
        case.mistake(page, world)
        if case.unchecked:
            form.evaluate("form => { form.noValidate = true; }")
        form.locator(case.button).first.click()
        message = page.locator(case.message).first
        expect(message).to_be_visible()
        assert message.inner_text().strip(), f"{case.name}: an empty message"
        if case.says:
            expect(message).to_contain_text(case.says)
        if javascript and boosted:
            assert page.url == start, "a refused form keeps the address of its page (a reload shows it again)"
    finally:
        context.close()


# ---------------------------------------------------------------- money typed safely


def _page_as(browser, live_server, world, username: str, javascript: bool = True):
    context = _context(browser, live_server, java_script_enabled=javascript)
    context.add_cookies(world.sessions[username])
    return context, context.new_page()


def test_income_is_grouped_as_typed_and_its_contribution_shown(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, DUTA)
    try:
        page.goto("/members/new")
        assert page.input_value("#monthly_income") == ""
        page.locator("#monthly_income").press_sequentially("1500000")
        assert page.input_value("#monthly_income") == "1.500.000"
        page.locator("#monthly_income").press("Home")
        page.locator("#monthly_income").press_sequentially("2")  # the caret stays before the same digit
        assert page.input_value("#monthly_income") == "21.500.000"
        page.fill("#monthly_income", "1500000")
        expect(page.locator("#contribution")).to_contain_text("Rp")
        assert page.input_value("#monthly_income") == "1.500.000"
    finally:
        context.close()


def test_the_pay_button_says_the_amount_and_sends_it(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, DUTA)
    try:
        page.goto(f"/members/{world.member}/pay")
        button = page.locator("main form[action$='/pay'] button[type=submit]")
        expect(button).to_have_text(re.compile(r"^Terima Rp[\d.]+ untuk 1 bulan$"))
        one = int(page.input_value("input[name=amount]"))
        page.select_option("#months", "3")
        expect(button).to_have_text(f"Terima Rp{3 * one:,} untuk 3 bulan".replace(",", "."))
        assert int(page.input_value("input[name=amount]")) == 3 * one
    finally:
        context.close()


def test_without_javascript_another_number_of_months_is_confirmed_again(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, DUTA, javascript=False)
    try:
        page.goto(f"/members/{world.member}/pay")
        page.select_option("#months", "3")  # the button still says one month's amount
        page.check("input[name=channel][value=tunai]")
        page.click("main form[action$='/pay'] button[type=submit]")
        expect(page.locator("#amount-error")).to_contain_text("3 bulan adalah Rp")
        expect(page.locator("main form[action$='/pay'] button[type=submit]")).to_contain_text("untuk 3 bulan")
        assert "/receipts/" not in page.url
    finally:
        context.close()


def test_a_payment_kept_offline_is_kept_once_however_often_tapped(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, DUTA)
    try:
        page.goto(f"/members/{world.member}/pay", wait_until="networkidle")
        context.set_offline(True)
        page.check("input[name=channel][value=tunai]")
        # Two taps in a row, the second before the first is kept.
        page.evaluate(
            "() => { const b = document.querySelector('main form[action$=\"/pay\"] button'); b.click(); b.click(); }"
        )
        expect(page.locator("[data-outbox-notice]")).to_be_visible()
        button = page.locator("main form[action$='/pay'] button[type=submit]")
        expect(button).to_be_disabled()
        page.evaluate("() => document.querySelector('main form[action$=\"/pay\"] button').click()")
        page.wait_for_timeout(300)
        expect(page.locator("[data-outbox-waiting]")).to_have_text("1")
    finally:
        context.close()


# ---------------------------------------------------------------- nothing hides off-screen at 360 px

WIDER_THAN_THE_SCREEN = """
() => [...document.querySelectorAll('body *')]
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 1 && r.right > innerWidth + 1; })
  .map(el => `${el.tagName}.${el.className} "${(el.textContent || '').trim().slice(0, 30)}" ${Math.round(el.getBoundingClientRect().right)}px`)
  .slice(0, 10)
"""

WIDE_PAGES = [
    (DUTA, "/"),
    (DUTA, "/followups"),
    (DUTA, "/followups/visits"),
    (DUTA, "/villages/11.71.01.2001/officials"),
    (CABANG, "/kpj"),
    (CABANG, "/settlements"),
    (DUTA, "/members/import"),
    (WILAYAH, "/dashboard"),
    (WILAYAH, "/dashboard?scope=branch:LUBUK-PAKAM"),
    (WILAYAH, "/retention"),
    (CABANG, "/retention"),
    (WILAYAH, "/villages"),
    (WILAYAH, "/events"),
    (WILAYAH, "/targets"),
    (WILAYAH, "/events/new"),
    (WILAYAH, "/partners/new"),
    (ADMIN, "/partners"),
    (ADMIN, "/users"),
    (CABANG_DELI, "/events/new"),
    (CABANG_DELI, "/users"),
    (WILAYAH, "/audit"),
    (CABANG_DELI, "/"),
    (CABANG_DELI, "/villages/12.07.02.2001"),
    (CABANG_DELI, "/deposits"),
    (CABANG, "/deposits"),
    (CABANG, "/claims"),
    (DUTA, "/pmi/new"),
    (CABANG, "/pmi"),
    (DUTA, "/incentives"),
    (CABANG, "/incentives"),
    (WILAYAH, "/incentives"),
    (DUTA, "/group-payments/new?village_code=11.71.01.2001"),
    (CABANG, "/reports/partners"),
    (WILAYAH, "/reports/partners"),
]


@pytest.mark.parametrize(("username", "path"), WIDE_PAGES)
def test_wide_pages_fit_360_px_without_sideways_scrolling(browser, live_server, world, username, path):
    context, page = _page_as(browser, live_server, world, username)
    try:
        page.goto(path)
        assert page.evaluate("innerWidth") == 360
        wider = page.evaluate(WIDER_THAN_THE_SCREEN)
        assert not wider, f"{path}: wider than the screen: {wider}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.parametrize(
    ("username", "path"),
    [(CABANG, lambda w: f"/claims/{w.claim}"), (DUTA, lambda w: f"/members/{w.approved}/claims/new")],
)
def test_claim_pages_fit_360_px(browser, live_server, world, username, path):
    context, page = _page_as(browser, live_server, world, username)
    try:
        page.goto(path(world))
        assert not page.evaluate(WIDER_THAN_THE_SCREEN)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_cash_held_since_today_reads_today(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, CABANG)
    try:
        page.goto("/deposits")
        text = page.inner_text("main .cash")
        assert "tertua hari ini" in text and "0 hari" not in text
    finally:
        context.close()


def test_the_member_card_and_its_public_check_fit_a_phone(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, DUTA)
    try:
        page.goto(f"/members/{world.approved}/card")
        expect(page.locator("main .member-card")).to_contain_text("KPJ menunggu")
        check_page(page, "member card")
        assert not page.evaluate(WIDER_THAN_THE_SCREEN)
        box = page.locator("main .member-card-qr svg").bounding_box()
        assert box is not None and 160 <= box["width"] <= 360  # large enough to scan from the screen
        check_url = page.get_attribute("main .member-card-qr a", "href")
    finally:
        context.close()
    context = _context(browser, live_server)  # anyone, not logged in
    try:
        page = context.new_page()
        page.goto(check_url)
        expect(page.locator("main")).to_contain_text("Cut M.")
        check_page(page, "card check")
        assert not page.evaluate(WIDER_THAN_THE_SCREEN)
    finally:
        context.close()


# (user, page, link): files open as files. A boosted link fetched a PDF or a PNG into the page as text.
DOWNLOADS = [
    (DUTA, lambda w: f"/members/{w.approved}/card", "a[href$='/card.pdf']"),
    (DUTA, lambda w: f"/receipts/{w.held_receipt}", "a[href$='.pdf']"),
    (CABANG, lambda w: f"/deposits/{w.deposit}", "a[href$='.pdf']"),
]


@pytest.mark.parametrize(("username", "url", "link"), DOWNLOADS, ids=["card", "receipt", "deposit"])
def test_a_pdf_link_opens_the_pdf(browser, live_server, world, username, url, link):
    context, page = _page_as(browser, live_server, world, username)
    try:
        page.goto(url(world))
        page.click(link)
        page.wait_for_function("document.contentType === 'application/pdf'")
    finally:
        context.close()


def test_the_card_picture_downloads(browser, live_server, world):
    context, page = _page_as(browser, live_server, world, DUTA)
    try:
        page.goto(f"/members/{world.approved}/card")
        with page.expect_download() as download:
            page.click("a[href$='/card.png']")
        assert download.value.suggested_filename.endswith(".png")
    finally:
        context.close()


def test_a_partner_and_its_new_client_secret_fit_360_px(browser, live_server, world):
    """Added through the pages, without JavaScript as on the plainest phone: the page showing the
    secret once (a long unbroken token) still fits the screen."""
    context, page = _page_as(browser, live_server, world, WILAYAH, javascript=False)
    try:
        page.goto("/partners/new")
        page.select_option("#kind", "koperasi")
        page.fill("#name", f"Koperasi Layar {random_nik('L', BANDA_ACEH)[0][-6:]}")
        page.locator("input[name=regencies][value='11.71']").check()
        page.click("form[action='/partners/new'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/partners/\d+$"))
        page.click("form[action$='/clients'] button[type=submit]")
        expect(page.locator("code.secret")).to_be_visible()
        assert not page.evaluate(WIDER_THAN_THE_SCREEN)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_the_partner_statement_table_fits_360_px(browser, live_server, live_engine, world):
    """A partner with a long name and lines of every resolution at the branch of Banda Aceh (written
    directly: the settlement pages are not the point here): the table stacks within the screen."""
    with Session(live_engine) as session:
        cabang = session.exec(select(User).where(User.username == CABANG)).one()
        partner = Partner(kind="koperasi", name=f"Koperasi Simpan Pinjam Sejahtera Bersama {random_nik('L')[0][-6:]}")
        session.add(partner)
        session.flush()
        file = Settlement(
            partner_id=partner.id,
            branch_code=cabang.branch_code,
            uploaded_by_id=cabang.id,
            filename="setelmen.csv",
            lines=4,
            matched=0,
            created=0,
            unmatched=4,
        )
        session.add(file)
        session.flush()
        for row, resolution in enumerate((None, "refunded", "set_aside", "matched"), start=2):
            session.add(
                SettlementLine(
                    settlement_id=file.id,
                    partner_id=partner.id,
                    branch_code=cabang.branch_code,
                    row=row,
                    paid_on=today(),
                    code="X",
                    amount=1_234_567_800,
                    reference=f"LAYAR-{partner.id}-{row}",
                    reason="unknown_code",
                    resolution=resolution,
                )
            )
        session.commit()
        name = partner.name
    context, page = _page_as(browser, live_server, world, CABANG)
    try:
        page.goto("/reports/partners")
        expect(page.locator("table.partner-statement")).to_contain_text(name)
        expect(page.locator("table.partner-statement tr.total")).to_contain_text("Rp1.234.567.800")
        assert not page.evaluate(WIDER_THAN_THE_SCREEN)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
