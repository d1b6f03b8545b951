"""A village ambassador changes the password on a 360 px phone with JavaScript on, mistyping the
current password first: the message appears beside that field, and the next try succeeds."""

import pytest

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# An account no other browser test logs in with; its password is put back at the end.
USER = "duta.kampungbaru"
NEW = "kata-sandi-baru-9"


def _change(page, current: str, new: str) -> None:
    page.fill("#current_password", current)
    page.fill("#new_password", new)
    page.fill("#new_password_again", new)
    page.click("form[action='/account'] button[type=submit]")


def test_duta_changes_the_password_after_a_mistake(page, live_server, screenshot):
    page.goto("/login")
    page.fill("#username", USER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.click("nav.menu a[href='/account']")
    page.wait_for_url(f"{live_server}/account")
    assert page.inner_text("h1") == "Akun saya"

    _change(page, "bukan-sandi-ini", NEW)
    error = page.locator("#current_password-error")
    error.wait_for()
    assert error.inner_text() == "Kata sandi salah."
    assert page.get_attribute("#current_password", "aria-invalid") == "true"
    assert page.get_attribute("#current_password", "aria-describedby") == "current_password-error"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page scrolls sideways: {width}px"
    screenshot(page, "wrong-current")

    # A wrong password slows the next try down as at login (a second); the duta tries again after it.
    page.wait_for_timeout(1500)
    _change(page, DEMO_PASSWORD, NEW)
    page.locator("p.ok[role=status]").wait_for()
    assert "Kata sandi diganti" in page.inner_text("p.ok[role=status]")
    assert page.locator(".field-error").count() == 0
    screenshot(page, "changed")

    with page.expect_navigation():
        _change(page, NEW, DEMO_PASSWORD)  # the demo password back, for anyone after us
    assert "Kata sandi diganti" in page.inner_text("p.ok[role=status]")
