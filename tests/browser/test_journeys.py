"""The field journeys of every role in Chromium at 360x740 with touch: each page visited fits the phone,
labels every field and passes axe-core (no serious or critical violation); HTMX partials stay light.
A page that another part of the app should provide and does not makes the journey fail at that step."""

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _context
from tests.browser.journey import Meter, check_page, fill_member, log_in, log_out, random_nik

pytestmark = pytest.mark.browser

DUTA = "duta.senembah"
# The approvals journey uses another duta of the same branch, so what it leaves behind (a rejected
# registration on the duta's home) does not change the pages other tests look at.
DUTA_TWO_VILLAGES = "duta.limaumanis"
CABANG = "cabang.lubukpakam"
WILAYAH = "wilayah"


def register(page, name: str, sex: str = "L") -> int:
    page.goto("/members/new")
    nik, birth = random_nik(sex)
    fill_member(page, nik, birth, name, sex)
    if page.locator("#village_code").count():
        page.select_option("#village_code", index=1)
    page.click("form.member-form button[value=submit]")
    page.wait_for_url(re.compile(r".*/members/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def pay(page, member_id: int, months: str = "1", javascript: bool = True) -> str:
    page.goto(f"/members/{member_id}/pay")
    page.select_option("#months", months)
    page.check("input[name=channel][value=tunai]")
    page.click("main form[action$='/pay'] button[type=submit]")
    if not javascript and months != "1":
        # Without JavaScript the button still said one month's amount: the page asks to confirm the right one.
        expect(page.locator("#amount-error")).to_contain_text(f"{months} bulan")
        page.click("main form[action$='/pay'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/receipts/[^/]+$"))
    return page.url.rsplit("/", 1)[1]


def test_duta_registers_a_neighbour_pays_and_shares_the_receipt(page, live_server, screenshot):
    meter = Meter(page)
    log_in(page, live_server, DUTA)
    check_page(page, "home (duta)")

    page.goto("/members/new")
    check_page(page, "/members/new")
    nik, birth = random_nik("P")
    wrong = nik[:6] + "32" + nik[8:]  # day 32-40 = no real date, for a woman or a man
    fill_member(page, wrong, birth, "Nur Aisyah", sex="P")
    page.click("form.member-form button[value=submit]")
    error = page.locator("#nik-error")
    error.wait_for()
    assert "NIK" in error.inner_text()
    assert page.get_attribute("#nik", "aria-invalid") == "true"
    assert page.input_value("#full_name") == "Nur Aisyah"  # what was typed is kept
    check_page(page, "/members/new with errors")
    screenshot(page, "wrong-nik")

    page.fill("#nik", nik)
    page.wait_for_timeout(600)  # let the NIK check partial (HTMX) come back; weighed below
    page.click("form.member-form button[value=submit]")
    page.wait_for_url(re.compile(r".*/members/\d+$"))
    member_id = int(page.url.rsplit("/", 1)[1])
    assert "Nur Aisyah" in page.inner_text("main")
    check_page(page, "member page")
    meter.assert_partials_light()

    receipt = pay(page, member_id, "3")
    check_page(page, "receipt")
    text = page.inner_text("main")
    assert "Nur Aisyah" in text
    assert "lima puluh ribu empat ratus rupiah" in text.lower()  # 3 x Rp16.800 in words
    link = page.locator("a[href^='https://wa.me/']")
    href = link.get_attribute("href")
    parsed = urlparse(href)
    assert parsed.path.strip("/").startswith("62")  # the member's number, international, digits only
    message = unquote(parse_qs(parsed.query)["text"][0])
    assert receipt in message
    assert "Rp50.400" in message
    screenshot(page, "receipt")
    page.goto("/outbox")
    check_page(page, "/outbox")


def test_cabang_approves_rejects_and_confirms_a_deposit(browser, live_server, page, screenshot):
    # The duta's side: two registrations, one paid in cash and handed in as a deposit.
    log_in(page, live_server, DUTA_TWO_VILLAGES)
    approved_id = register(page, "Joko Susilo")
    rejected_id = register(page, "Rina Marlina", sex="P")
    pay(page, approved_id)
    page.goto("/deposits")
    check_page(page, "/deposits (duta)")
    page.click("form[action='/deposits'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    log_out(page, live_server)

    context = _context(browser, live_server)
    officer = context.new_page()
    try:
        log_in(officer, live_server, CABANG)
        check_page(officer, "home (cabang)")
        officer.goto("/approvals")
        check_page(officer, "/approvals")
        assert officer.is_visible(f"#registration-{approved_id}")

        officer.goto(f"/approvals/{approved_id}")
        check_page(officer, "approval detail")
        officer.click(f"form[action='/approvals/{approved_id}/approve'] button")
        officer.wait_for_load_state("networkidle")
        officer.goto(f"/members/{approved_id}")
        assert re.search(r"\d{11}", officer.inner_text("main")), "an approved member gets an 11-digit number"

        officer.goto(f"/approvals/{rejected_id}")
        officer.check("form[action$='/reject'] input[name=code] >> nth=0")
        officer.fill("#note", "Foto KTP tidak jelas, mohon diperbaiki.")
        officer.click(f"form[action='/approvals/{rejected_id}/reject'] button")
        officer.wait_for_load_state("networkidle")
        officer.goto(f"/members/{rejected_id}")
        assert "Foto KTP tidak jelas" in officer.inner_text("main")

        officer.goto("/deposits")
        check_page(officer, "/deposits (cabang)")
        # A waiting deposit opens on its own page: each receipt and the total, then the forms.
        officer.click("main a.button[href^='/deposits/']")
        officer.wait_for_url(re.compile(r".*/deposits/\d+$"))
        check_page(officer, "/deposits/{id} (cabang)")
        confirm = officer.locator("form[action$='/confirm']").first
        confirm.locator("input[name=bank_reference]").fill("SLIP-BRI-0001")
        confirm.locator("button[type=submit]").click()
        # The boosted form swaps the page in when its answer arrives; the check waits for it (reading
        # at once after "networkidle" could read the page from before the request on a busy machine).
        expect(officer.locator("main")).to_contain_text("SLIP-BRI-0001")
        screenshot(officer, "deposits-confirmed")
    finally:
        context.close()


def test_wilayah_reads_the_dashboard_and_downloads_an_export(page, live_server, screenshot):
    log_in(page, live_server, WILAYAH)
    page.goto("/dashboard")
    check_page(page, "/dashboard")
    assert page.is_visible("main h1")
    screenshot(page, "dashboard")
    with page.expect_download() as download_info:
        page.click("a[href^='/reports/members.csv']")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    header = content.splitlines()[0].lower()
    assert "nik" in header
    assert not re.search(r"\b\d{16}\b", content), "exports mask the NIK"
    with page.expect_download() as download_info:
        page.click("a[href^='/reports/members.xlsx']")
    assert download_info.value.suggested_filename.endswith(".xlsx")


def test_registration_and_payment_work_without_javascript(no_js_page, live_server, screenshot):
    page = no_js_page
    log_in(page, live_server, DUTA)
    page.goto("/members/new")
    nik, birth = random_nik()
    fill_member(page, nik[:12] + "0000", birth, "Hasan Basri")  # serial 0000 is refused
    page.click("form.member-form button[value=submit]")
    page.locator("#nik-error").wait_for()
    assert page.input_value("#full_name") == "Hasan Basri"
    page.fill("#nik", nik)
    page.click("form.member-form button[value=submit]")
    page.wait_for_url(re.compile(r".*/members/\d+$"))
    member_id = int(page.url.rsplit("/", 1)[1])
    receipt = pay(page, member_id, "2", javascript=False)
    assert receipt in page.inner_text("main")
    assert "Hasan Basri" in page.inner_text("main")
    assert page.is_hidden("#outbox")  # without JavaScript nothing waits on the phone
    screenshot(page, "receipt-no-js")


def test_first_loads_and_partials_stay_within_budget(browser, live_server):
    """Every page a duta, a cabang and a wilayah open, as a first load (HTTP cache off, no service
    worker): at most 60 KB over the wire, scripts and styles included."""
    context = _context(browser, live_server, service_workers="block")
    page = context.new_page()
    meter = Meter(page)
    try:
        meter.load(page, "/login")
        log_in(page, live_server, DUTA)
        member_id = register(page, "Dewi Lestari", sex="P")
        receipt = pay(page, member_id)
        for path in (
            "/",
            "/members/new",
            "/members",
            f"/members/{member_id}",
            f"/members/{member_id}/pay",
            f"/receipts/{receipt}",
            "/deposits",
            "/outbox",
        ):
            meter.load(page, path)
        # Partials: the contribution and the NIK check while the form is filled in.
        page.goto("/members/new")
        meter.reset()
        page.fill("#nik", "1207")
        page.select_option("#occupation", "nelayan")
        page.fill("#monthly_income", "2500000")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)
        assert meter.partials(), "the form should fetch its HTMX partials"
        meter.assert_partials_light()
        log_out(page, live_server)

        log_in(page, live_server, CABANG)
        for path in ("/", "/approvals", "/deposits", "/villages", "/dashboard"):
            meter.load(page, path)
        log_out(page, live_server)
        log_in(page, live_server, WILAYAH)
        for path in ("/", "/dashboard", "/villages", "/events", "/targets", "/audit"):
            meter.load(page, path)
    finally:
        context.close()


def _group_file() -> bytes:
    """Two neighbours right and one with a short NIK, as a CSV under the template's headers (quoted, as a
    spreadsheet saves them: some hold a comma)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "NIK (16 digit, dari KTP)",
            "Nama lengkap (sesuai KTP)",
            "Jenis kelamin",
            "Tanggal lahir",
            "Nomor HP (WhatsApp)",
            "Alamat",
            "Pekerjaan",
            "Penghasilan per bulan (Rp)",
            "Nama ahli waris (untuk santunan kematian)",
            "Hubungan ahli waris dengan pekerja",
            "Pekerja setuju datanya digunakan (ya)",
        ]
    )
    for name, sex in (("Kelompok Satu", "P"), ("Kelompok Dua", "L")):
        nik, birth = random_nik(sex)
        label = "Perempuan" if sex == "P" else "Laki-laki"
        writer.writerow(
            [
                nik,
                name,
                label,
                f"{birth:%d/%m/%Y}",
                "081234567890",
                "Dusun II",
                "Nelayan",
                "1500000",
                "Ani",
                "istri",
                "ya",
            ]
        )
    writer.writerow(
        [
            "1234",
            "Kelompok Tiga",
            "Laki-laki",
            "01/01/1980",
            "081234567890",
            "Dusun II",
            "Nelayan",
            "1500000",
            "Ani",
            "istri",
            "ya",
        ]
    )
    return out.getvalue().encode()


def test_duta_registers_a_group_from_a_file(page, live_server):
    _register_a_group(page, live_server, check=True)


def test_duta_registers_a_group_from_a_file_without_javascript(no_js_page, live_server):
    _register_a_group(no_js_page, live_server, check=False)  # axe-core runs as JavaScript


def _register_a_group(phone, live_server, check: bool):
    log_in(phone, live_server, DUTA)
    phone.goto("/members")
    phone.click("a[href='/members/import']")
    phone.wait_for_url(re.compile(r".*/members/import$"))
    if check:
        check_page(phone, "/members/import")
    upload = {"name": "kelompok.csv", "mimeType": "text/csv", "buffer": _group_file()}
    phone.set_input_files("#file", upload)
    phone.click("form[action='/members/import'] button[value=check]")
    expect(phone.locator("#result")).to_be_visible()
    text = phone.inner_text("main")
    assert "Baris 4" in text and "16 digit" in text and "Belum ada yang didaftarkan" in text
    if check:
        check_page(phone, "/members/import, rows checked")
    phone.set_input_files("#file", upload)
    phone.click("form[action='/members/import'] button[value=register]")
    expect(phone.locator("main [role=status]")).to_contain_text("2 peserta didaftarkan")
