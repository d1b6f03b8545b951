"""Retention: cohorts by first covered month, restarts and lapse rates, on a hand-counted set of members.

Months are relative to this month (k = 0). Members, all approved unless said, with their valid spans:
- m1 (village A): k-13..k-8 cash, then k-7..k0 bank: never lapsed.
- m2 (village A): k-13..k-11 bank, gap k-10..k-6, restart k-5..k-1 cash: lapsed now, restarted.
- m3 (village A): k-13..k-7 other, one back-dated payment (paid 400 days ago, recorded today); a void
  payment k-6..k0 that never counts: lapsed now.
- m4 (village B, from a socialisation event): k-3..k0 cash; cohort too recent for 6 and 12 months.
- m5 (village B, same event): k-3 only, bank: lapsed now.
- m6 (the other branch): k-13..k+5 bank.
- m7 (village A) submitted with payments, m8 (village A) approved and never paid: not counted.
- m9 (village A): k-13..k+5 paid, died in k-2: not counted (a death is neither kept cover nor a lapse).
"""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.core.audit import AuditEntry
from app.regions.models import Village
from app.reports.retention_exports import CHANNEL_HEADERS, COHORT_HEADERS, EVENT_HEADERS, VILLAGE_HEADERS
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    make_branch,
    make_event,
    make_member,
    make_user,
    web_login,
)
from tests.reports.conftest import make_payment, month


@pytest.fixture
def cohort_world(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    users = {
        "branch": branch,
        "other_branch": other,
        "wilayah": make_user(db, "wilayah"),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "other_cabang": make_user(db, "cabang", branch_code=other.code),
        "duta_a": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
    }
    duta, cabang = users["duta_a"], users["cabang"]
    event = make_event(db, cabang, village_code=VILLAGE_B, kind="sosialisasi")

    def member(name, village, first, until, status="approved", event_id=None):
        return make_member(
            db,
            duta,
            village,
            status,
            covered_until=None if until is None else month(until),
            first_covered=None if first is None else month(first),
            event_id=event_id,
            full_name=f"Warga {name}",
        )

    m1 = member("M1", VILLAGE_A, -13, 0)
    make_payment(db, m1, -13, -8, duta, paid_days_ago=400)
    make_payment(db, m1, -7, 0, cabang, channel="bank", paid_days_ago=200)
    m2 = member("M2", VILLAGE_A, -13, -1)
    make_payment(db, m2, -13, -11, cabang, channel="bank", paid_days_ago=400)
    make_payment(db, m2, -5, -1, duta, paid_days_ago=150)
    m3 = member("M3", VILLAGE_A, -13, -7)
    make_payment(db, m3, -13, -7, duta, channel="lainnya", paid_days_ago=400)  # recorded today: back-dated
    make_payment(db, m3, -6, 0, duta, status="void")
    m4 = member("M4", VILLAGE_B, -3, 0, event_id=event.id)
    make_payment(db, m4, -3, 0, duta, paid_days_ago=90)
    m5 = member("M5", VILLAGE_B, -3, -3, event_id=event.id)
    make_payment(db, m5, -3, -3, cabang, channel="bank", paid_days_ago=90)
    m6 = member("M6", VILLAGE_OTHER_BRANCH, -13, 5)
    make_payment(db, m6, -13, 5, users["other_cabang"], channel="bank", paid_days_ago=400)
    m7 = member("M7", VILLAGE_A, -13, 0, status="submitted")
    make_payment(db, m7, -13, 0, duta, paid_days_ago=400)
    member("M8", VILLAGE_A, None, None)
    m9 = member("M9", VILLAGE_A, -13, -2)
    make_payment(db, m9, -13, 5, duta, paid_days_ago=400)
    m9.died_on = month(-2)
    db.add(m9)
    db.commit()
    return users


def get(client, user, path):
    return client.get(path, headers=api_headers(client, user))


def cohort(body, k):
    [row] = [row for row in body["cohorts"] if row["month"] == month(k).strftime("%Y-%m")]
    return row


def test_cohort_arithmetic_of_a_branch(client, cohort_world):
    body = get(client, cohort_world["cabang"], "/api/v1/retention").json()
    assert body["scope"] == f"branch:{cohort_world['branch'].code}"
    assert [row["month"] for row in body["cohorts"]] == [month(-13).strftime("%Y-%m"), month(-3).strftime("%Y-%m")]
    old = cohort(body, -13)
    # After 3 and 6 months m2 is in its gap; after 12 months (k-1) m2 has restarted and m3 has lapsed.
    assert old["members"] == 3
    assert old["active_after"] == {"1": 3, "3": 2, "6": 2, "12": 2}
    assert old["percent_after"] == {"1": 100.0, "3": 66.7, "6": 66.7, "12": 66.7}
    # k-3 + 3 = this month counts; k-3 + 6 and k-3 + 12 are still to come.
    recent = cohort(body, -3)
    assert recent["members"] == 2
    assert recent["active_after"] == {"1": 1, "3": 1, "6": None, "12": None}
    assert body["overall"]["1"] == {"members": 5, "active": 4, "percent": 80.0}
    assert body["overall"]["12"] == {"members": 3, "active": 2, "percent": 66.7}
    assert body["restarted"] == {"members": 1, "aktif": 0, "percent": 20.0}


def test_lapse_rates_ranked(client, cohort_world):
    body = get(client, cohort_world["cabang"], "/api/v1/retention").json()
    assert [(r["code"], r["members"], r["lapsed"], r["percent"]) for r in body["by_village"]] == [
        (VILLAGE_A, 3, 2, 66.7),
        (VILLAGE_B, 2, 1, 50.0),
    ]
    assert body["by_village"][0]["name"] == "Medan Senembah"
    assert body["villages_with_members"] == 2
    assert [(r["kind"], r["members"], r["lapsed"]) for r in body["by_event_kind"]] == [
        ("none", 3, 2),
        ("sosialisasi", 2, 1),
    ]
    # The channel of the first payment: m1 started in cash and pays by bank since.
    assert [(r["channel"], r["members"], r["lapsed"], r["percent"]) for r in body["by_channel"]] == [
        ("bank", 2, 2, 100.0),
        ("lainnya", 1, 1, 100.0),
        ("tunai", 2, 0, 0.0),
    ]


def test_region_adds_the_other_branch(client, cohort_world):
    body = get(client, cohort_world["wilayah"], "/api/v1/retention?scope=region").json()
    assert cohort(body, -13)["members"] == 4
    assert cohort(body, -13)["active_after"] == {"1": 4, "3": 3, "6": 3, "12": 3}


def test_api_shape(client, cohort_world):
    body = get(client, cohort_world["wilayah"], "/api/v1/retention").json()
    assert set(body) >= {"scope", "day", "horizons", "cohorts", "overall", "restarted", "by_village"}
    assert set(body) >= {"by_event_kind", "by_channel", "villages_with_members"}
    assert body["horizons"] == ["1", "3", "6", "12"]
    for row in body["cohorts"]:
        assert set(row) == {"month", "members", "active_after", "percent_after"}
        assert set(row["active_after"]) == {"1", "3", "6", "12"}
    assert set(body["restarted"]) == {"members", "aktif", "percent"}
    assert set(body["by_village"][0]) == {"code", "name", "district", "members", "lapsed", "percent"}


def test_branch_officer_never_sees_another_branch(client, cohort_world):
    cabang, other = cohort_world["cabang"], cohort_world["other_cabang"]
    for scope in (f"branch:{cohort_world['other_branch'].code}", f"village:{VILLAGE_OTHER_BRANCH}", "region"):
        assert get(client, cabang, f"/api/v1/retention?scope={scope}").status_code == 404, scope
        assert get(client, cabang, f"/api/v1/reports/retention.csv?scope={scope}").status_code == 404, scope
    own = get(client, other, "/api/v1/retention").json()
    assert own["scope"] == f"branch:{cohort_world['other_branch'].code}"
    assert [(r["month"], r["members"]) for r in own["cohorts"]] == [(month(-13).strftime("%Y-%m"), 1)]
    assert [r["code"] for r in own["by_village"]] == [VILLAGE_OTHER_BRANCH]
    assert get(client, other, f"/api/v1/retention?scope=branch:{cohort_world['branch'].code}").status_code == 404


def test_duta_sees_its_villages_and_downloads_nothing(client, cohort_world):
    duta = cohort_world["duta_a"]
    body = get(client, duta, "/api/v1/retention").json()
    assert body["scope"] == f"village:{VILLAGE_A}" and cohort(body, -13)["members"] == 3
    assert [r["code"] for r in body["by_village"]] == [VILLAGE_A]
    assert get(client, duta, f"/api/v1/retention?scope=village:{VILLAGE_B}").status_code == 404
    assert get(client, duta, "/api/v1/reports/retention.xlsx").status_code == 403
    assert get(client, duta, "/api/v1/retention?scope=oops").status_code == 422


def test_csv(client, db, cohort_world):
    response = get(client, cohort_world["cabang"], "/api/v1/reports/retention.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "retensi-branch-" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == COHORT_HEADERS
    assert rows[1] == [month(-13).strftime("%m/%Y"), "3", "3", "2", "2", "2", "100.0", "66.7", "66.7", "66.7"]
    assert rows[2] == [month(-3).strftime("%m/%Y"), "2", "1", "1", "", "", "50.0", "50.0", "", ""]
    exports = select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.object_id == "retention")
    [entry] = db.exec(exports).all()
    assert json.loads(entry.detail) == {"scope": f"branch:{cohort_world['branch'].code}", "rows": 2, "format": "csv"}


def test_xlsx(client, cohort_world):
    response = get(client, cohort_world["wilayah"], f"/api/v1/reports/retention.xlsx?scope=village:{VILLAGE_A}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Kohort", "Desa", "Jenis kegiatan", "Cara bayar"]
    cohorts = list(book["Kohort"].iter_rows(values_only=True))
    assert list(cohorts[0]) == COHORT_HEADERS
    assert cohorts[1][0].date() == month(-13) and cohorts[1][1:6] == (3, 3, 2, 2, 2)
    villages = list(book["Desa"].iter_rows(values_only=True))
    assert list(villages[0]) == VILLAGE_HEADERS
    assert villages[1] == (VILLAGE_A, "Medan Senembah", "Tanjung Morawa", 3, 2, 66.7)
    kinds = list(book["Jenis kegiatan"].iter_rows(values_only=True))
    assert kinds == [tuple(EVENT_HEADERS), ("Tanpa kegiatan", 3, 2, 66.7)]
    channels = list(book["Cara bayar"].iter_rows(values_only=True))
    assert channels[0] == tuple(CHANNEL_HEADERS) and channels[1] == ("Bank atau agen", 1, 1, 100.0)


def test_page_and_dashboard_link(client, cohort_world):
    web_login(client, cohort_world["cabang"])
    assert 'href="/retention?scope=branch' in client.get("/dashboard").text
    page = client.get("/retention")
    assert page.status_code == 200
    assert "Medan Senembah" in page.text and "<svg" in page.text
    assert 'href="/reports/retention.csv?scope=branch' in page.text
    assert client.get(f"/retention?scope=village:{VILLAGE_OTHER_BRANCH}").status_code == 404


def test_a_cohort_of_this_month_has_no_figures_yet(client, db):
    """No cohort old enough for any horizon: nothing to look for in the payments, every figure null."""
    branch = make_branch(db, regencies=("12.07",))
    cabang = make_user(db, "cabang", branch_code=branch.code)
    duta = make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
    member = make_member(db, duta, VILLAGE_A, "approved", covered_until=month(2), first_covered=month(0))
    make_payment(db, member, 0, 2, duta)
    body = get(client, cabang, "/api/v1/retention").json()
    assert body["cohorts"] == [
        {
            "month": month(0).strftime("%Y-%m"),
            "members": 1,
            "active_after": dict.fromkeys(("1", "3", "6", "12")),
            "percent_after": dict.fromkeys(("1", "3", "6", "12")),
        }
    ]
    assert body["overall"]["1"] == {"members": 0, "active": 0, "percent": None}
    assert body["by_channel"] == [{"channel": "tunai", "members": 1, "lapsed": 0, "percent": 0.0}]


def test_xlsx_text_is_never_a_formula(client, db, cohort_world):
    village = db.get(Village, VILLAGE_A)
    village.name = '=HYPERLINK("http://x","y")'
    db.commit()
    response = get(client, cohort_world["cabang"], "/api/v1/reports/retention.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Desa"]
    cell = sheet["B2"]
    assert cell.value == '\'=HYPERLINK("http://x","y")' and cell.data_type == "s"
