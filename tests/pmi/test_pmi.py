"""PMI registration: the package paid from the table, the serving branch, each field refused beside
itself with nothing written, the Idempotency-Key's replay, the audit and the dashboard's count."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.config import get_settings
from app.pmi.models import PmiRegistration
from app.pmi.rules import cover_until
from tests.factories import DaysFromToday, api_headers, resolve_days, valid_nik, web_login
from tests.members.helpers import error_fields
from tests.pmi.conftest import body


def _register(client, people, who="duta", headers=None, **overrides):
    return client.post(
        "/api/v1/pmi", json=body(**overrides), headers={**api_headers(client, people[who]), **(headers or {})}
    )


def test_registered_with_the_package_paid_and_served_by_the_pmi_branch(client, db, people):
    response = _register(client, people)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["amount"] == 370_000 and data["package"] == "24_bulan" and data["paid_on"] == today().isoformat()
    assert data["passport_number"] == "C1234567" and data["phone"] == "+6281234567890"
    assert data["branch_code"] == "MDN-UTARA"
    assert data["receipt_number"].startswith(f"PMI-{today().year}-")
    departure = today() + dt.timedelta(days=30)
    assert [(p["start"], p["end"]) for p in data["phases"]] == [
        (today().isoformat(), (departure - dt.timedelta(days=1)).isoformat()),
        (departure.isoformat(), data["cover_until"]),
    ]
    assert data["phases"][0]["label"] == "Sebelum penempatan"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "pmi_registered")).one()
    assert entry.object_id == str(data["id"]) and json.loads(entry.detail)["amount"] == 370_000
    got = client.get(f"/api/v1/pmi/{data['id']}", headers=api_headers(client, people["wilayah"]))
    assert got.status_code == 200 and got.json() == data


def test_the_work_contract_chooses_the_package_and_the_months_beyond_it(client, db, people):
    """Permenaker 4/2023 article 18: a 30-month contract pays the 24-month package and 6 months at Rp13.500;
    its cover runs 30 months from the payment day."""
    data = _register(client, people, contract_months=30).json()
    assert (data["package"], data["contract_months"], data["extension_months"]) == ("24_bulan", 30, 6)
    assert data["amount"] == 370_000 + 6 * 13_500
    assert data["cover_until"] == cover_until(today(), 30).isoformat()
    short = _register(
        client, people, nik=valid_nik(dt.date(1999, 4, 1), "P"), birth_date="1999-04-01", contract_months=6
    )
    assert (short.json()["package"], short.json()["amount"]) == ("6_bulan", 145_500)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "pmi_registered")).all()[0]
    assert json.loads(entry.detail)["extension_months"] == 6
    web_login(client, people["duta"])
    page = client.get(f"/pmi/{data['id']}").text
    assert "30 bulan" in page and "6 bulan melebihi paket" in page and "Rp451.000" in page


def test_without_the_pmi_branch_the_regency_branch_serves(client, db, people, monkeypatch):
    monkeypatch.setattr(get_settings(), "pmi_branch", "NONE")
    data = _register(client, people).json()
    assert data["branch_code"] == people["duta"].branch_code


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"nik": "123"}, "nik"),
        ({"full_name": "R"}, "full_name"),
        ({"sex": "X"}, "sex"),
        ({"sex": "L"}, "sex"),  # the NIK is a woman's
        ({"birth_date": "kemarin"}, "birth_date"),
        ({"phone": "12"}, "phone"),
        ({"village_code": "11.71.01.2001"}, "village_code"),  # outside the duta's villages
        ({"village_code": ""}, "village_code"),
        ({"passport_number": ""}, "passport_number"),
        ({"passport_number": "C-12"}, "passport_number"),
        ({"passport_number": "C12345678X"}, "passport_number"),
        ({"destination": "US"}, "destination"),
        ({"agency": "PT"}, "agency"),
        ({"agency": "P" * 121}, "agency"),
        ({"departure_on": ""}, "departure_on"),
        ({"departure_on": DaysFromToday(-1)}, "departure_on"),
        ({"departure_on": DaysFromToday(367)}, "departure_on"),
        ({"channel": "lainnya"}, "channel"),
        ({"contract_months": 0}, "contract_months"),
        ({"contract_months": 61}, "contract_months"),
        ({"contract_months": "dua tahun"}, "contract_months"),
        ({"contract_months": ""}, "contract_months"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_writes_nothing(client, db, people, overrides, field):
    response = _register(client, people, **resolve_days(overrides))
    assert response.status_code == 422 and field in error_fields(response), response.text
    assert db.exec(select(PmiRegistration)).all() == []


def test_the_same_key_answers_with_the_first_registration(client, db, people):
    headers = {"Idempotency-Key": "pmi-key-1"}
    first = _register(client, people, headers=headers, nik=valid_nik(dt.date(1998, 3, 9), "P", serial=11))
    again = _register(client, people, headers=headers, nik=valid_nik(dt.date(1998, 3, 9), "P", serial=11))
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    assert len(db.exec(select(PmiRegistration)).all()) == 1
    other = _register(client, people, headers=headers, nik=valid_nik(dt.date(1998, 3, 9), "P", serial=12))
    assert other.status_code == 422 and "idempotency_key" in error_fields(other)


def test_only_duta_and_branch_register(client, db, people):
    assert _register(client, people, who="wilayah").status_code == 403
    assert _register(client, people, who="cabang").status_code == 201


def test_a_worker_still_covered_is_not_charged_again(client, db, people):
    nik = valid_nik(dt.date(1998, 3, 9), "P", serial=31)
    assert _register(client, people, nik=nik).status_code == 201
    again = _register(client, people, who="cabang", nik=nik)
    assert again.status_code == 409 and "terlindungi sampai" in again.json()["detail"], again.text
    assert len(db.exec(select(PmiRegistration)).all()) == 1


def test_dashboard_counts_pmi_of_the_year_against_the_potential(client, db, people):
    _register(client, people)
    _register(client, people, nik=valid_nik(dt.date(1998, 3, 9), "P", serial=21))
    data = client.get("/api/v1/dashboard", headers=api_headers(client, people["cabang"])).json()
    assert data["pmi"] == {"registered": 2, "potential": 12_000, "percent": 0}
    other = client.get("/api/v1/dashboard", headers=api_headers(client, people["other_cabang"])).json()
    assert other["pmi"]["registered"] == 0
