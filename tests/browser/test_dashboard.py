"""The supervisor's dashboard at laptop and phone widths: targets, charts and tables all shown, nothing
wider than the screen (wide tables scroll inside their wrapper). Screenshots go to test-output/."""

import pytest

from tests.browser.conftest import _context
from tests.browser.journey import log_in

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "is_mobile": False, "has_touch": False}


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_supervisor_dashboard_at_laptop_and_phone_widths(browser, live_server, screenshot, width):
    if width == "laptop":
        context = browser.new_context(base_url=live_server, locale="id-ID", **LAPTOP)
    else:
        context = _context(browser, live_server)
    try:
        page = context.new_page()
        log_in(page, live_server, "wilayah")
        page.goto("/dashboard")
        viewport_width = page.viewport_size["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport_width
        # Progress towards every target, the three trend charts and the tables by area are on the page.
        assert page.locator("main progress").count() >= 2
        assert page.locator("main svg").count() >= 3
        for chart in page.locator("main svg").all():
            box = chart.bounding_box()
            assert box and box["width"] > 100 and box["width"] <= viewport_width
        assert page.locator("main table").count() >= 2
        assert "Sumatera Utara" in page.inner_text("main")
        screenshot(page, width)
    finally:
        context.close()
