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


def test_dues_by_channel_and_partner_fit_a_phone(browser, live_server, live_engine, screenshot):
    """A partner with a long name, a member its client registered: the tables by channel, by who registered
    and by partner are on the dashboard, nothing wider than 360 px. (A village no other test counts.)"""
    from sqlmodel import Session, col, select

    from app.auth.models import Partner, PartnerClient, User
    from app.regions.models import Village
    from tests.factories import make_member

    with Session(live_engine, expire_on_commit=False) as session:
        partner = Partner(kind="koperasi", name="Koperasi Simpan Pinjam Karyawan Perkebunan Nusantara Sejahtera Deli")
        client_user = User(username="kop-browser-client", full_name=partner.name, role="mitra", password_hash="x")
        session.add_all([partner, client_user])
        session.flush()
        session.add(
            PartnerClient(partner_id=partner.id, user_id=client_user.id, client_id="kop-browser", secret_hash="x")
        )
        village = session.exec(
            select(Village.code)
            .where(
                Village.regency_code == "12.07",
                col(Village.code).not_in(["12.07.02.2001", "12.07.02.2002", "12.07.02.2003"]),
            )
            .order_by(Village.code)
        ).first()
        make_member(session, client_user, village, "approved", member_number="26999999901")
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        log_in(page, live_server, "wilayah")
        page.goto("/dashboard")
        for table in ("dues-by-channel", "members-by-registration", "dues-by-partner"):
            assert page.locator(f"main table.{table}").is_visible(), table
        assert "Koperasi Simpan Pinjam" in page.inner_text("main table.dues-by-partner")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        screenshot(page, "by-channel-and-partner")
    finally:
        context.close()
