"""The pay form at 360 px follows the payment date typed: dated back across a rate change, it asks for
the older contribution, with JavaScript (htmx fetches the priced part) and without ("Hitung")."""

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from app.core.clock import month_start, today
from app.demo import DEMO_VILLAGE
from app.dues import service
from app.members.models import Member
from app.rates.models import Rate
from tests.browser.conftest import _context
from tests.browser.journey import log_in

pytestmark = pytest.mark.browser

DUTA = "duta.senembah"
MEMBER = "Budi Santoso"  # a demo member registered five months ago: a payment may be dated last month
PAY_BUTTON = "main form[action$='/pay'] button[type=submit]"


@pytest.fixture
def back_date(live_engine):
    """A rate in force from the first of this month (JKM up by Rp200), taken away afterwards; the
    date returned lies in last month, under the older rate."""
    change = month_start(today())
    with Session(live_engine) as session:
        latest = session.exec(select(Rate).order_by(col(Rate.effective_from).desc())).first()
        assert latest is not None and latest.effective_from < change
        rate = Rate(
            effective_from=change,
            jkk_basis_points=latest.jkk_basis_points,
            jht_basis_points=latest.jht_basis_points,
            jkm_amount=latest.jkm_amount + 200,
            minimum_income=latest.minimum_income,
        )
        session.add(rate)
        session.commit()  # the commit empties the live server's rate cache (same process)
        rate_id = rate.id
    yield change - dt.timedelta(days=5)
    with Session(live_engine) as session:
        session.delete(session.get(Rate, rate_id))
        session.commit()


def _prices(live_engine, back: dt.date) -> tuple[int, int, int]:
    """The member's id and its monthly contribution on the back date and today, as the service has them."""
    with Session(live_engine) as session:
        # The demo's own (other browser tests may register a namesake in the same live database).
        member = session.exec(
            select(Member)
            .where(Member.full_name == MEMBER, Member.village_code == DEMO_VILLAGE)
            .order_by(col(Member.id))
        ).first()
        assert member is not None and member.id is not None
        old = service.priced_day(session, member, back.isoformat())
        new = service.priced_day(session, member, "")
    assert old == (back, old[1]) and old[1] < new[1]
    return member.id, old[1], new[1]


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def test_with_javascript_the_date_reprices_the_form(browser, live_server, live_engine, back_date, screenshot):
    member_id, old, new = _prices(live_engine, back_date)
    context = _context(browser, live_server)
    page = context.new_page()
    try:
        log_in(page, live_server, DUTA)
        page.goto(f"/members/{member_id}/pay")
        assert page.input_value("input[name=amount]") == str(new)
        page.fill("#paid_on", back_date.isoformat())
        page.locator("#paid_on").dispatch_event("change")
        expect(page.locator("input[name=amount]")).to_have_value(str(old))
        expect(page.locator(PAY_BUTTON)).to_have_text(f"Terima {_rupiah(old)} untuk 1 bulan")
        # Filling the date fires `change` too: a second repricing may still be on its way, and its answer
        # (priced for 1 month) would undo the choice of months below.
        page.wait_for_load_state("networkidle")
        page.select_option("#months", "3")  # the months after the new prices: still the older rate
        expect(page.locator("input[name=amount]")).to_have_value(str(3 * old))
        expect(page.locator(PAY_BUTTON)).to_have_text(f"Terima {_rupiah(3 * old)} untuk 3 bulan")
        assert page.input_value("#paid_on") == back_date.isoformat()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "repriced")
    finally:
        context.close()


def test_without_javascript_hitung_shows_the_amount_for_the_date(
    browser, live_server, live_engine, back_date, screenshot
):
    member_id, old, new = _prices(live_engine, back_date)
    context = _context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, DUTA)
        page.goto(f"/members/{member_id}/pay")
        assert page.input_value("input[name=amount]") == str(new)
        page.fill("#paid_on", back_date.isoformat())
        page.select_option("#months", "2")
        page.click("input[type=submit][name=price]")
        expect(page.locator(PAY_BUTTON)).to_have_text(f"Terima {_rupiah(2 * old)} untuk 2 bulan")
        assert page.input_value("input[name=amount]") == str(2 * old)
        assert page.input_value("#paid_on") == back_date.isoformat()
        assert "/receipts/" not in page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "calculated")
    finally:
        context.close()
