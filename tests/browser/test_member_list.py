"""The member list on a 360 px phone: one stacked row per member, nothing off-screen, the WhatsApp
button per row, and the search by the NIK's last four digits as typed (htmx) and sent (no JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _context
from tests.browser.journey import check_page, log_in

pytestmark = pytest.mark.browser

DUTA = "duta.senembah"

ROWS = """
() => [...document.querySelectorAll('ul.members > li')].map(li => {
  const box = el => li.querySelector(el).getBoundingClientRect();
  const whatsapp = li.querySelector('a[href^="https://wa.me/"]');
  return {name: box('strong').bottom, nik: box('.nik').top, right: li.getBoundingClientRect().right,
          whatsapp: whatsapp ? whatsapp.getBoundingClientRect().right : null};
})
"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("username", [DUTA, "wilayah"])
def test_member_list_fits_360_px_stacked(browser, live_server, screenshot, username, javascript):
    context = _context(browser, live_server, java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, live_server, username)  # a plain form: it works without JavaScript too
        page.goto("/members")
        assert page.evaluate("innerWidth") == 360
        rows = page.evaluate(ROWS)
        assert rows, "the demo has members"
        assert all(row["nik"] >= row["name"] - 1 for row in rows), "the NIK sits under the name"
        assert all(row["right"] <= 360 for row in rows)
        assert any(row["whatsapp"] is not None for row in rows)
        assert all(row["whatsapp"] is None or row["whatsapp"] <= 360 for row in rows)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if javascript:
            check_page(page, f"/members as {username}")
        screenshot(page, "list")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_search_by_the_last_four_nik_digits(browser, live_server, javascript):
    context = _context(browser, live_server, java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, live_server, DUTA)
        page.goto("/members")
        nik = page.locator("ul.members .nik").first.inner_text()  # "NIK 1207********0042"
        name = page.locator("ul.members strong").first.inner_text()
        last_four = re.search(r"(\d{4})$", nik).group(1)
        if javascript:
            page.locator("#q").press_sequentially(last_four)  # htmx searches as it is typed
            expect(page).to_have_url(re.compile(rf".*q={last_four}"))
        else:
            page.fill("#q", last_four)
            page.click("form.search button[type=submit]")
        expect(page.locator("ul.members")).to_contain_text(name)
        assert all(text.endswith(last_four) for text in page.locator("ul.members .nik").all_inner_texts())
    finally:
        context.close()
