"""The retention page on a phone: chart and every table shown, nothing wider than the screen (tables
stack their rows), tap targets and axe-core as every page, and reached from the dashboard's link. Screenshots go to test-output/."""

import pytest

from tests.browser.conftest import _context
from tests.browser.journey import check_page, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ["wilayah", "cabang.lubukpakam"])
def test_retention_at_360_px(browser, live_server, screenshot, username):
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        log_in(page, live_server, username)
        page.goto("/dashboard")
        page.click("a[href^='/retention']")
        page.wait_for_url(f"{live_server}/retention*")
        viewport_width = page.viewport_size["width"]
        assert viewport_width == 360
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport_width
        chart = page.locator("main svg").first.bounding_box()
        assert chart and 100 < chart["width"] <= viewport_width
        # Cohorts, villages, kinds of event and channels: four tables, none wider than the screen.
        assert page.locator("main table").count() == 4
        for table in page.locator("main table").all():
            box = table.bounding_box()
            assert box and box["width"] <= viewport_width
        assert page.locator("a[href^='/reports/retention.xlsx']").count() == 1
        check_page(page, f"/retention ({username})")  # tap targets, labels, axe-core
        screenshot(page, username)
    finally:
        context.close()
