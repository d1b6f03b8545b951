"""The contribution comes from the rate table in force for the month, never from literals."""

import datetime as dt

from sqlmodel import select

from app.rates.models import Rate, RateDiscount
from app.rates.service import monthly_contribution, rate_for
from tests.factories import VILLAGE_A, api_headers, make_user
from tests.members.helpers import payload

MONTH = dt.date(2026, 11, 1)


def test_minimum_income_without_jht_is_16800(db):
    contribution = monthly_contribution(db, 1_000_000, False, "petani", MONTH)
    assert (contribution.jkk, contribution.jkm, contribution.jht, contribution.total) == (10_000, 6_800, 0, 16_800)


def test_jht_adds_two_percent(db):
    assert monthly_contribution(db, 1_000_000, True, "petani", MONTH).total == 36_800
    assert monthly_contribution(db, 2_500_000, True, None, MONTH).total == 25_000 + 6_800 + 50_000


def test_a_new_rate_row_changes_the_contribution_from_its_month(db):
    db.add(Rate(effective_from=dt.date(2027, 1, 1), jkk_basis_points=120, jht_basis_points=250, jkm_amount=7_000))
    db.commit()
    assert monthly_contribution(db, 1_000_000, False, None, dt.date(2026, 12, 1)).total == 16_800
    january = monthly_contribution(db, 1_000_000, True, None, dt.date(2027, 1, 15))
    assert (january.jkk, january.jkm, january.jht) == (12_000, 7_000, 25_000)
    assert rate_for(db, dt.date(2027, 6, 1)).effective_from == dt.date(2027, 1, 1)


def test_an_occupation_discount_cuts_jkk_and_jkm_in_its_months(db):
    db.add(
        RateDiscount(
            occupation="nelayan",
            first_month=dt.date(2026, 10, 1),
            last_month=dt.date(2026, 12, 1),
            jkk_percent_off=50,
            jkm_percent_off=50,
        )
    )
    db.commit()
    cut = monthly_contribution(db, 1_000_000, True, "nelayan", MONTH)
    assert (cut.jkk, cut.jkm, cut.jht) == (5_000, 3_400, 20_000)
    assert monthly_contribution(db, 1_000_000, False, "petani", MONTH).total == 16_800
    assert monthly_contribution(db, 1_000_000, False, "nelayan", dt.date(2027, 1, 1)).total == 16_800


def test_registration_answer_follows_the_rate_row(client, db):
    """Changing the row in force changes what the API answers: no literal anywhere on the way."""
    rate = db.exec(select(Rate).order_by(Rate.effective_from.desc())).first()
    rate.jkm_amount = 9_000
    rate.minimum_income = 1_200_000
    db.add(rate)
    db.commit()
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    headers = api_headers(client, duta)
    low = client.post("/api/v1/members", json=payload(), headers=headers)
    assert low.status_code == 422
    assert "monthly_income" in {item["loc"][-1] for item in low.json()["detail"]}
    response = client.post("/api/v1/members", json=payload(monthly_income=1_200_000), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["monthly_contribution"] == 12_000 + 9_000
