"""The duta's incentive: per duta and month (WIB), members approved, dues collected, cash deposited and
dues by transfer, at the rate the region set for the month (zero before any); who sees whom; the rate
form; the finance office's files."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import WIB, add_months, month_start, today, utcnow
from app.dues.models import Deposit
from app.rates.incentives import set_rate
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    actor_of,
    api_headers,
    csrf_from,
    make_branch,
    make_member,
    make_payment,
    make_user,
    web_login,
)


@pytest.fixture
def office(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    people = {
        "branch": branch,
        "other_branch": other,
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "other_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
        "other_cabang": make_user(db, "cabang", branch_code=other.code),
        "wilayah": make_user(db, "wilayah"),
    }
    duta = people["duta"]
    now = utcnow()
    for _ in range(3):  # approved this month, registered by the duta
        make_member(db, duta, VILLAGE_A, "approved", decided_at=now)
    make_member(db, duta, VILLAGE_A, "approved", decided_at=now - dt.timedelta(days=40))  # another month
    make_member(db, duta, VILLAGE_A, "submitted")
    member = make_member(db, duta, VILLAGE_A, "approved", decided_at=now - dt.timedelta(days=40))
    make_payment(db, duta, member, months=2)  # cash
    make_payment(db, duta, member, months=1, channel="bank")  # by transfer
    db.add(Deposit(duta_id=duta.id, total=100_000, status="confirmed", confirmed_at=now))
    db.add(Deposit(duta_id=duta.id, total=50_000, status="submitted"))  # not confirmed: not counted
    db.commit()
    people["member"] = member
    return people


def _get(client, who, path="/api/v1/incentives"):
    return client.get(path, headers=api_headers(client, who))


def test_zero_until_the_region_sets_a_rate(client, db, office):
    body = _get(client, office["cabang"]).json()
    assert body["rate"] is None
    [row] = body["items"]
    # Three approved this month (not the two of another month, nor the registration waiting).
    assert row["duta"] == office["duta"].username and row["approved"] == 3
    assert row["deposited"] == 100_000 and row["incentive"] == 0


def test_rate_applies_per_member_and_share_of_dues_that_reached_bpjs(client, db, office):
    set_rate(db, actor_of(db, office["wilayah"]), f"{today():%Y-%m}", "25.000", "2,5")
    [row] = _get(client, office["cabang"]).json()["items"]
    assert row["deposited"] == 100_000
    assert row["transferred"] > 0 and row["collected"] > row["transferred"]
    expected = row["approved"] * 25_000 + (100_000 + row["transferred"]) * 250 // 10_000
    assert abs(row["incentive"] - expected) <= 1  # rounded half up to whole rupiah


def test_who_sees_whom(client, db, office):
    assert [r["duta"] for r in _get(client, office["duta"]).json()["items"]] == [office["duta"].username] * 6
    assert [r["duta"] for r in _get(client, office["cabang"]).json()["items"]] == [office["duta"].username]
    everyone = {r["duta"] for r in _get(client, office["wilayah"]).json()["items"]}
    assert {office["duta"].username, office["other_duta"].username} <= everyone
    one_branch = _get(client, office["wilayah"], f"/api/v1/incentives?branch={office['other_branch'].code}").json()
    assert [r["duta"] for r in one_branch["items"]] == [office["other_duta"].username]
    other = _get(client, office["cabang"], f"/api/v1/incentives?branch={office['other_branch'].code}")
    assert other.status_code == 404
    assert _get(client, office["wilayah"], "/api/v1/incentives?month=2026-13").status_code == 422


def test_months_run_in_wib(client, db, office):
    # A payment recorded at 00:30 WIB on the first of this month is this month's, though UTC says last month.
    first = dt.datetime.combine(month_start(today()), dt.time(0, 30), WIB).astimezone(dt.UTC)
    late = make_payment(
        db, office["other_duta"], make_member(db, office["other_duta"], VILLAGE_OTHER_BRANCH, "approved")
    )
    late.recorded_at = first
    db.add(late)
    db.commit()
    [row] = _get(client, office["other_cabang"]).json()["items"]
    assert row["collected"] == late.amount
    last_month = f"{add_months(month_start(today()), -1):%Y-%m}"
    [before] = _get(client, office["other_cabang"], f"/api/v1/incentives?month={last_month}").json()["items"]
    assert before["collected"] == 0


def test_rate_form_refuses_beside_its_fields_and_audits(client, db, office):
    web_login(client, office["wilayah"])
    page = client.get("/incentives")
    csrf = csrf_from(page.text)
    past = f"{add_months(month_start(today()), -1):%Y-%m}"
    refused = client.post(
        "/incentives/rate", data={"csrf_token": csrf, "from_month": past, "per_member": "banyak", "percent": "2,555"}
    )
    assert refused.status_code == 422
    for field in ("from_month", "per_member", "percent"):
        assert f'id="{field}-error"' in refused.text
    assert 'value="banyak"' in refused.text
    done = client.post(
        "/incentives/rate",
        data={"csrf_token": csrf, "from_month": f"{today():%Y-%m}", "per_member": "10.000", "percent": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Rp10.000" in client.get("/incentives").text
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "incentive_rate_set")).one()
    web_login(client, office["cabang"])
    assert (
        client.post("/incentives/rate", data={"csrf_token": csrf_from(client.get("/incentives").text)}).status_code
        == 403
    )


def test_finance_files_audited_and_not_for_the_duta(client, db, office):
    web_login(client, office["cabang"])
    response = client.get(f"/reports/incentives.csv?month={today():%Y-%m}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Nama pengguna" and rows[1][0] == office["duta"].username and len(rows) == 2
    book = load_workbook(io.BytesIO(client.get("/reports/incentives.xlsx").content))
    assert book.active.max_row == 2
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()) == 2
    web_login(client, office["duta"])
    assert client.get("/reports/incentives.csv").status_code == 403
    assert client.get("/incentives").status_code == 200
