"""Claims help: an incident reported for a member says whether the dues covered that day and what to
gather; the branch officer takes the claim step by step to its payment or refusal; a death reported
is recorded with the claim; dashboards count claims helped and paid."""

import datetime as dt

import pytest
from sqlmodel import select

from app.claims.models import Claim, ClaimKind
from app.claims.rules import BENEFIT_TABLES, benefits_on
from app.core.audit import AuditEntry
from app.core.clock import add_months, month_start, today
from app.members.models import Member
from tests.factories import VILLAGE_A, DaysFromToday, api_headers, make_member, make_payment, resolve_days
from tests.members.helpers import error_fields


def _report(client, people, member, who="duta", **body):
    return client.post(f"/api/v1/members/{member.id}/claims", json=body, headers=api_headers(client, people[who]))


def _step(client, people, claim_id, who="cabang", **body):
    return client.post(f"/api/v1/claims/{claim_id}/status", json=body, headers=api_headers(client, people[who]))


def test_covered_on_the_day_by_the_dues_rule(client, db, people, member):
    # Paid for three months from three months ago: covered then, not this month.
    three_ago = add_months(month_start(today()), -3)
    make_payment(db, people["duta"], member, months=2, paid_on=three_ago)
    covered = _report(
        client, people, member, kind="kecelakaan_kerja", incident_on=(three_ago + dt.timedelta(days=5)).isoformat()
    )
    assert covered.status_code == 201, covered.text
    body = covered.json()
    assert body["covered"] is True and body["status"] == "dilaporkan"
    assert "Formulir laporan kecelakaan kerja tahap I" in body["documents"]
    assert body["benefits_source"] == "PP 82/2019"
    _step(client, people, body["id"], status="ditolak", reason="Laporan ganda")  # close it: one open per kind
    uncovered = _report(client, people, member, kind="kecelakaan_kerja", incident_on=today().isoformat())
    assert uncovered.status_code == 201 and uncovered.json()["covered"] is False


def test_a_gap_month_is_not_covered_though_a_later_payment_is(client, db, people, member):
    start = add_months(month_start(today()), -4)
    make_payment(db, people["duta"], member, months=1, paid_on=start)
    make_payment(db, people["duta"], member, months=1, paid_on=add_months(start, 2))  # the month between: a gap
    gap = add_months(start, 1) + dt.timedelta(days=3)
    assert (
        _report(client, people, member, kind="kecelakaan_kerja", incident_on=gap.isoformat()).json()["covered"] is False
    )


def test_a_death_reported_is_recorded_and_ends_the_cover(client, db, people, member):
    make_payment(db, people["duta"], member, months=6, paid_on=today())
    response = _report(client, people, member, kind="meninggal", incident_on=today().isoformat())
    assert response.status_code == 201, response.text
    assert response.json()["covered"] is True
    assert any(b["amount"] == 20_000_000 for b in response.json()["benefits"])
    db.expire_all()
    dead = db.get(Member, member.id)
    assert dead.died_on == today() and dead.covered_until == month_start(today())
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "member_died")).one()
    # Never twice, and another day than the recorded death is refused beside the field.
    assert _report(client, people, member, kind="meninggal").status_code == 409
    other = make_member(db, people["duta"], VILLAGE_A, status="approved", died_on=today() - dt.timedelta(days=2))
    wrong = _report(client, people, other, kind="meninggal", incident_on=today().isoformat())
    assert wrong.status_code == 422 and "incident_on" in error_fields(wrong)
    assert _report(client, people, other, kind="meninggal").status_code == 201  # the recorded day by default


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "banjir", "incident_on": "2026-01-01"}, "kind"),
        ({"kind": "kecelakaan_kerja"}, "incident_on"),
        ({"kind": "kecelakaan_kerja", "incident_on": "kemarin"}, "incident_on"),
        ({"kind": "kecelakaan_kerja", "incident_on": DaysFromToday(1)}, "incident_on"),
        ({"kind": "kecelakaan_kerja", "incident_on": "1999-01-01"}, "incident_on"),
        ({"kind": "meninggal", "incident_on": "1980-01-01"}, "incident_on"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_writes_nothing(client, db, people, member, body, field):
    response = _report(client, people, member, **resolve_days(body))
    assert response.status_code == 422 and field in error_fields(response), response.text
    assert db.exec(select(Claim)).all() == []
    db.expire_all()
    assert db.get(Member, member.id).died_on is None


def test_only_approved_members_and_reporting_roles(client, db, people, member):
    submitted = make_member(db, people["duta"], VILLAGE_A, status="submitted")
    assert (
        _report(client, people, submitted, kind="kecelakaan_kerja", incident_on=today().isoformat()).status_code == 409
    )
    assert (
        _report(
            client, people, member, who="wilayah", kind="kecelakaan_kerja", incident_on=today().isoformat()
        ).status_code
        == 403
    )
    assert (
        _report(
            client, people, member, who="cabang", kind="kecelakaan_kerja", incident_on=today().isoformat()
        ).status_code
        == 201
    )


def test_steps_in_order_to_payment_audited(client, db, people, member):
    claim_id = _report(client, people, member, kind="kecelakaan_kerja", incident_on=today().isoformat()).json()["id"]
    assert _step(client, people, claim_id, status="dibayar", amount=1000).status_code == 422  # skips steps
    assert _step(client, people, claim_id, who="duta", status="berkas_lengkap").status_code == 403
    assert _step(client, people, claim_id, status="berkas_lengkap").json()["status"] == "berkas_lengkap"
    assert _step(client, people, claim_id, status="diajukan").json()["status"] == "diajukan"
    for amount in (None, "", "0", "-5", "sejuta", "99999999999"):
        refused = _step(client, people, claim_id, status="dibayar", amount=amount)
        assert refused.status_code == 422 and "amount" in error_fields(refused), amount
    paid = _step(client, people, claim_id, status="dibayar", amount="12.500.000")
    assert paid.status_code == 200 and paid.json()["amount"] == 12_500_000 and paid.json()["status"] == "dibayar"
    assert _step(client, people, claim_id, status="ditolak", reason="Terlambat sekali").status_code == 409  # closed
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_type == "claim")).all()
    assert actions.count("claim_status") == 3 and actions.count("claim_reported") == 1


def test_refusal_needs_a_reason_and_one_open_claim_per_kind(client, db, people, member):
    claim_id = _report(client, people, member, kind="kecelakaan_kerja", incident_on=today().isoformat()).json()["id"]
    assert _report(client, people, member, kind="kecelakaan_kerja", incident_on=today().isoformat()).status_code == 409
    refused = _step(client, people, claim_id, status="ditolak", reason="x")
    assert refused.status_code == 422 and "reason" in error_fields(refused)
    assert _step(client, people, claim_id, status="ditolak", reason="Bukan kecelakaan kerja").json()["reason"] == (
        "Bukan kecelakaan kerja"
    )
    assert _report(client, people, member, kind="kecelakaan_kerja", incident_on=today().isoformat()).status_code == 201


def test_dashboard_counts_claims_helped_and_paid(client, db, people, member):
    claim_id = _report(client, people, member, kind="kecelakaan_kerja", incident_on=today().isoformat()).json()["id"]
    _report(
        client,
        people,
        make_member(db, people["duta"], VILLAGE_A, status="approved"),
        kind="meninggal",
        incident_on=today().isoformat(),
    )
    for status in ("berkas_lengkap", "diajukan"):
        _step(client, people, claim_id, status=status)
    _step(client, people, claim_id, status="dibayar", amount=3_000_000)
    data = client.get("/api/v1/dashboard", headers=api_headers(client, people["cabang"])).json()
    assert data["claims"] == {"helped": 2, "open": 1, "paid": 1, "amount_paid": 3_000_000}
    other = client.get("/api/v1/dashboard", headers=api_headers(client, people["other_cabang"])).json()
    assert other["claims"] == {"helped": 0, "open": 0, "paid": 0, "amount_paid": 0}


def test_the_benefits_table_in_force_on_the_day():
    first = BENEFIT_TABLES[0].effective_from
    assert benefits_on(ClaimKind.meninggal, first - dt.timedelta(days=1)) == (None, ())
    table, benefits = benefits_on(ClaimKind.meninggal, first)
    assert table is BENEFIT_TABLES[0] and sum(b.amount or 0 for b in benefits) == 42_000_000
