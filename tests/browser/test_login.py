"""A village ambassador logs in on a 360 px phone, in Indonesian and in English, with and without JavaScript."""

import pytest

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

DUTA = "duta.senembah"

TAP_TARGETS_TOO_SMALL = """
() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select')]
  .filter(el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth
      && style.visibility !== 'hidden' && style.display !== 'none';
  })
  .filter(el => el.getBoundingClientRect().height < 44)
  .map(el => `${el.tagName} "${(el.textContent || el.name || '').trim()}" ${Math.round(el.getBoundingClientRect().height)}px`)
"""


def _log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")


def _assert_fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page scrolls sideways: {width}px"
    small = page.evaluate(TAP_TARGETS_TOO_SMALL)
    assert not small, "tap targets under 44px: " + "; ".join(small)


def test_duta_logs_in_on_a_phone(page, live_server, screenshot):
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "id"
    _assert_fits_a_phone(page)
    screenshot(page, "login")

    _log_in(page, DUTA, DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.get_attribute("html", "lang") == "id"
    assert "Medan Senembah" in page.inner_text("main")
    assert page.is_visible("text=Keluar")
    _assert_fits_a_phone(page)
    screenshot(page, "home")

    page.click("a[hreflang=en]")
    page.locator("html[lang=en]").wait_for(state="attached")
    assert page.is_visible("text=Log out")
    _assert_fits_a_phone(page)
    screenshot(page, "home-en")
    # English is remembered on the next page.
    page.goto("/")
    assert page.get_attribute("html", "lang") == "en"

    page.click("a[hreflang=id]")
    page.locator("html[lang=id]").wait_for(state="attached")
    assert page.is_visible("text=Keluar")


def test_wrong_password_shows_the_indonesian_error(page, screenshot):
    # An account no other test logs in with: a failure slows the next login of that account down.
    _log_in(page, "bukan.pengguna", "not-the-password")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "Nama pengguna atau kata sandi salah." in alert.inner_text()
    assert page.input_value("#username") == "bukan.pengguna"
    _assert_fits_a_phone(page)
    screenshot(page, "wrong-password")


def test_login_works_without_javascript(no_js_page, live_server, screenshot):
    page = no_js_page
    _log_in(page, DUTA, DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert "Medan Senembah" in page.inner_text("main")
    _assert_fits_a_phone(page)
    screenshot(page, "home-no-js")
    page.click("form.logout button")
    page.wait_for_url(f"{live_server}/login")
