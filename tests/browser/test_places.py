"""Places chosen by name on a 360 px phone: with JavaScript the list follows what is typed (GET
/places fills the field's datalist); without it the list the page came with, and a name typed, still
work, and a name two villages share is refused beside the field with what was typed kept."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _context
from tests.browser.journey import check_page, log_in, log_out

pytestmark = pytest.mark.browser

CABANG_DELI = "cabang.lubukpakam"


def _event(page, village: str, title: str) -> None:
    page.fill("#title", title)
    page.fill("#place", "Balai desa")
    page.fill("#village_code", village)
    page.click("form[action='/events'] button[type=submit]")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_event_village_is_chosen_by_name(browser, live_server, javascript):
    context = _context(browser, live_server, java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, live_server, CABANG_DELI)
        page.goto("/events/new")
        field = page.locator("#village_code")
        assert field.get_attribute("list") == "village_code-list"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if javascript:
            field.press_sequentially("senem", delay=30)
            option = page.locator("#village_code-list option")
            expect(option).to_have_count(1)
            chosen = option.first.get_attribute("value")
            assert chosen == "Medan Senembah — Tanjung Morawa"
            page.fill("#village_code", chosen)  # what tapping the suggestion does
            _event(page, chosen, "Sosialisasi pilihan nama")
        else:
            # The list the page came with holds names, never codes.
            assert page.locator("#village_code-list option").count() > 0
            values = page.locator("#village_code-list option").evaluate_all("os => os.map(o => o.value)")
            assert not any(re.search(r"\d{2}\.\d{2}", value) for value in values)
            _event(page, "Bintang Meriah", "Sosialisasi tanpa skrip")
            error = page.locator("#village_code-error")
            expect(error).to_contain_text("Bintang Meriah — Pancur Batu")
            assert page.input_value("#village_code") == "Bintang Meriah"
            _event(page, "Bintang Meriah — Pancur Batu", "Sosialisasi tanpa skrip")
        page.wait_for_url(re.compile(r".*/events/\d+$"))
        expect(page.locator("main")).to_contain_text("Senembah" if javascript else "Bintang Meriah")
    finally:
        context.close()


def test_an_ambiguous_name_is_refused_beside_the_field_with_javascript(browser, live_server):
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        log_in(page, live_server, CABANG_DELI)
        page.goto("/events/new?village_code=12.07.02.2001")
        assert page.input_value("#village_code") == "Medan Senembah — Tanjung Morawa"
        start = page.url
        _event(page, "Bintang Meriah", "Sosialisasi ganda")
        expect(page.locator("#village_code-error")).to_contain_text("Bintang Meriah — Batang Kuis")
        assert page.input_value("#village_code") == "Bintang Meriah"
        assert page.url == start
    finally:
        context.close()


def test_the_pickers_pages_fit_360_px_and_label_every_field(browser, live_server):
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        for username, paths in ((CABANG_DELI, ("/events/new", "/events", "/users")), ("admin", ("/users",))):
            log_in(page, live_server, username)
            for path in paths:
                page.goto(path)
                check_page(page, f"{username} {path}")
            log_out(page, live_server)
        log_in(page, live_server, "wilayah")
        for path in ("/targets", "/events/new"):
            page.goto(path)
            check_page(page, f"wilayah {path}")
    finally:
        context.close()
