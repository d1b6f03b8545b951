"""The pay form prices the contribution in force on the payment date typed, as the service checks it: a
payment dated back across a rate change shows, and is accepted at, the older amount."""

import datetime as dt
import html
import re

import pytest
from sqlmodel import select

from app.core.clock import month_start, today
from app.dues import service
from app.dues.models import Payment
from app.rates.models import Rate
from tests.factories import actor_of, web_login

OLD, NEW = 16_800, 17_000  # the minimum income's contribution before and after the change (JKM 6.800 -> 7.000)


@pytest.fixture
def rate_change(db):
    """A new rate from the first of this month; `back` is a day of last month, under the older rate."""
    change = month_start(today())
    db.add(Rate(effective_from=change, jkm_amount=7_000))
    db.commit()
    return change - dt.timedelta(days=5)


def _amount(page: str) -> int:
    return int(re.search(r'name="amount" value="(\d+)"', page).group(1))


def test_priced_on_the_payment_date(db, duta, member, rate_change):
    member_ = service.get_member(db, actor_of(db, duta), member.id)
    assert service.priced_day(db, member_, rate_change.isoformat()) == (rate_change, OLD)
    assert service.priced_day(db, member_, "") == (today(), NEW)
    # A date no payment may carry is priced today; the service says what is wrong with it.
    for wrong in ("2024-12-31", (today() + dt.timedelta(days=1)).isoformat(), "31/12/2026", "x"):
        assert service.priced_day(db, member_, wrong) == (today(), NEW)


def test_form_at_a_back_date_shows_the_older_amount(client, duta, member, rate_change):
    web_login(client, duta)
    assert _amount(client.get(f"/members/{member.id}/pay").text) == NEW
    page = client.get(f"/members/{member.id}/pay", params={"paid_on": rate_change.isoformat(), "months": "3"}).text
    assert _amount(page) == 3 * OLD
    assert "Terima Rp50.400 untuk 3 bulan</button>" in page
    assert f'data-amount="{OLD}"' in page and "Iuran bulanan pada" in page


def test_htmx_gets_only_the_priced_part(client, duta, member, rate_change):
    web_login(client, duta)
    headers = {"HX-Request": "true", "HX-Target": "pay-price"}
    part = client.get(
        f"/members/{member.id}/pay", params={"paid_on": rate_change.isoformat(), "months": "2"}, headers=headers
    ).text
    assert '<div id="pay-price"' in part and "<html" not in part
    assert _amount(part) == 2 * OLD
    assert 'name="paid_on"' not in part  # the date field being edited is not replaced


def test_calculate_without_javascript_records_nothing(client, db, duta, member, rate_change):
    token = web_login(client, duta)
    form = {"csrf_token": token, "months": "3", "channel": "tunai", "paid_on": rate_change.isoformat()}
    response = client.post(
        f"/members/{member.id}/pay", data={**form, "idempotency_key": "k-1", "amount": str(NEW), "price": "Hitung"}
    )
    assert response.status_code == 200
    assert _amount(response.text) == 3 * OLD and 'value="k-1"' in response.text
    assert f'value="{rate_change.isoformat()}"' in response.text
    assert db.exec(select(Payment).where(Payment.member_id == member.id)).first() is None


def test_back_dated_payment_refused_at_todays_amount_is_shown_at_its_own(client, db, duta, member, rate_change):
    """The duta saw today's amount, then typed an earlier date: the form comes back with that date's amount,
    and sending it again records the payment (it came back with today's amount before, refused forever)."""
    token = web_login(client, duta)
    form = {"csrf_token": token, "months": "1", "channel": "tunai", "paid_on": rate_change.isoformat()}
    refused = client.post(f"/members/{member.id}/pay", data={**form, "idempotency_key": "k-2", "amount": str(NEW)})
    assert refused.status_code == 409
    assert "1 bulan adalah Rp16.800, bukan Rp17.000" in html.unescape(refused.text)
    assert _amount(refused.text) == OLD
    again = client.post(
        f"/members/{member.id}/pay",
        data={**form, "idempotency_key": "k-2", "amount": str(_amount(refused.text))},
        follow_redirects=False,
    )
    assert again.status_code == 303
    payment = db.exec(select(Payment).where(Payment.member_id == member.id)).one()
    assert (payment.amount, payment.paid_on) == (OLD, rate_change)
