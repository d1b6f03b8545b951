"""Every transition of a registration's decision, and every refusal (409, 403, 404)."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.dues.models import Payment
from app.members import rules
from app.members import service as members_service
from app.members.models import Member
from app.workflows import approvals
from tests.factories import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER_BRANCH, api_headers, make_member, make_payment


def _entries(db, member_id, action):
    return db.exec(
        select(AuditEntry).where(
            AuditEntry.object_type == "member", AuditEntry.object_id == str(member_id), AuditEntry.action == action
        )
    ).all()


def test_approve_gives_a_member_number_and_audits(db, area):
    member = make_member(db, area.duta)
    approved = approvals.approve(db, area.actor(area.cabang), member.id)
    db.refresh(approved)
    assert approved.status == "approved"
    assert approvals.is_member_number(approved.member_number)
    assert approved.member_number.startswith(f"{today().year % 100:02d}")
    assert approved.decided_by_id == area.cabang.id and approved.decided_at is not None
    [entry] = _entries(db, member.id, "member_approved")
    assert entry.actor_id == area.cabang.id
    assert json.loads(entry.detail)["member_number"] == approved.member_number


def test_api_approve_answers_status_and_number(client, db, area):
    member = make_member(db, area.duta)
    response = client.post(f"/api/v1/members/{member.id}/approve", headers=api_headers(client, area.cabang))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    assert approvals.is_member_number(body["member_number"])


@pytest.mark.parametrize(
    "status, words",
    [
        ("approved", "sudah disetujui"),
        ("rejected", "sudah ditolak"),
        ("draft", "belum diajukan"),
    ],
)
def test_approve_from_a_wrong_state_is_409(client, db, area, status, words):
    member = make_member(db, area.duta, status=status, member_number="99000000001" if status == "approved" else None)
    response = client.post(f"/api/v1/members/{member.id}/approve", headers=api_headers(client, area.cabang))
    assert response.status_code == 409
    assert words in response.json()["detail"]
    assert db.get(Member, member.id).status == status


@pytest.mark.parametrize("status", ["approved", "rejected", "draft"])
def test_reject_from_a_wrong_state_is_409(client, db, area, status):
    member = make_member(db, area.duta, status=status, member_number="99000000002" if status == "approved" else None)
    response = client.post(
        f"/api/v1/members/{member.id}/reject",
        json={"reason": "Data tidak cocok"},
        headers=api_headers(client, area.cabang),
    )
    assert response.status_code == 409
    assert db.get(Member, member.id).status == status


def test_second_approval_of_the_same_registration_is_409(db, area):
    member = make_member(db, area.duta)
    cabang = area.actor(area.cabang)
    number = approvals.approve(db, cabang, member.id).member_number
    with pytest.raises(Conflict):
        approvals.approve(db, cabang, member.id)
    db.refresh(member)
    assert member.member_number == number
    assert len(_entries(db, member.id, "member_approved")) == 1


def test_reject_with_reason_goes_back_to_the_duta(client, db, area):
    member = make_member(db, area.duta)
    response = client.post(
        f"/api/v1/members/{member.id}/reject",
        json={"reason": "Foto KTP buram, NIK tidak terbaca"},
        headers=api_headers(client, area.cabang),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "rejected"}
    db.refresh(member)
    assert member.status == "rejected"
    assert member.member_number is None
    assert member.rejection_reason == "Foto KTP buram, NIK tidak terbaca"
    [entry] = _entries(db, member.id, "member_rejected")
    assert json.loads(entry.detail)["reason"] == "Foto KTP buram, NIK tidak terbaca"


def test_reject_with_a_common_reason_and_note(db, area):
    member = make_member(db, area.duta)
    approvals.reject(db, area.actor(area.cabang), member.id, "duplicate", "sudah terdaftar lewat desa lain")
    db.refresh(member)
    assert member.rejection_reason == "Pendaftaran ganda: sudah terdaftar lewat desa lain"
    [entry] = _entries(db, member.id, "member_rejected")
    assert json.loads(entry.detail)["code"] == "duplicate"


def test_reject_with_a_common_reason_alone(client, db, area):
    member = make_member(db, area.duta)
    response = client.post(
        f"/api/v1/members/{member.id}/reject", json={"code": "incomplete"}, headers=api_headers(client, area.cabang)
    )
    assert response.status_code == 200, response.text
    db.refresh(member)
    assert member.rejection_reason == "Data tidak lengkap"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "  "},
        {"reason": "no"},
        {"code": "other"},
        {"code": "nonsense", "reason": "alasan panjang"},
        {"reason": "alasan\x1b[8m tersembunyi"},
        {"code": "incomplete", "reason": "foto\u2066 buram"},
    ],
)
def test_reject_needs_a_reason(client, db, area, body):
    member = make_member(db, area.duta)
    response = client.post(f"/api/v1/members/{member.id}/reject", json=body, headers=api_headers(client, area.cabang))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert db.get(Member, member.id).status == "submitted"


def test_reject_marks_valid_payments_refund_due(db, area):
    member = make_member(db, area.duta)
    first = make_payment(db, area.duta, member, months=2)
    second = make_payment(db, area.duta, member, months=1)
    db.refresh(member)
    assert member.covered_until is not None
    approvals.reject(db, area.actor(area.cabang), member.id, "not_informal", "")
    statuses = {p.receipt_number: p.status for p in db.exec(select(Payment).where(Payment.member_id == member.id))}
    assert statuses == {first.receipt_number: "refund_due", second.receipt_number: "refund_due"}
    db.refresh(member)
    assert member.covered_until is None
    [entry] = _entries(db, member.id, "member_rejected")
    assert json.loads(entry.detail)["refund_due"] == 2


def test_approve_leaves_payments_valid(db, area):
    member = make_member(db, area.duta)
    payment = make_payment(db, area.duta, member)
    approvals.approve(db, area.actor(area.cabang), member.id)
    db.refresh(payment)
    assert payment.status == "valid"


@pytest.mark.parametrize("role", ["duta", "wilayah", "admin"])
def test_only_the_branch_officer_decides(client, db, area, role):
    member = make_member(db, area.duta)
    user = {"duta": area.duta, "wilayah": area.wilayah, "admin": area.admin}[role]
    headers = api_headers(client, user)
    assert client.post(f"/api/v1/members/{member.id}/approve", headers=headers).status_code == 403
    response = client.post(f"/api/v1/members/{member.id}/reject", json={"reason": "tidak sesuai"}, headers=headers)
    assert response.status_code == 403
    assert db.get(Member, member.id).status == "submitted"


def test_outside_the_branch_is_404(client, db, area):
    member = make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH)
    headers = api_headers(client, area.cabang)
    assert client.post(f"/api/v1/members/{member.id}/approve", headers=headers).status_code == 404
    assert (
        client.post(f"/api/v1/members/{member.id}/reject", json={"reason": "tidak sesuai"}, headers=headers).status_code
        == 404
    )
    # A duta of another village: 404 too, not 403 (the registration's existence does not leak).
    other = make_member(db, area.duta_b, village_code=VILLAGE_B)
    assert client.post(f"/api/v1/members/{other.id}/approve", headers=api_headers(client, area.duta)).status_code == 404
    assert client.post("/api/v1/members/999999/approve", headers=headers).status_code == 404


def test_api_needs_a_token(client, db, area):
    member = make_member(db, area.duta)
    assert client.post(f"/api/v1/members/{member.id}/approve").status_code == 401


def test_a_possible_duplicate_is_not_approved_in_a_batch(db, area):
    cabang = area.actor(area.cabang)
    first = make_member(db, area.duta, full_name="Siti Aminah", birth_date=dt.date(1990, 5, 17), sex="P")
    namesake = make_member(db, area.duta, full_name="SITI AMINAH", birth_date=dt.date(1990, 5, 17), sex="P")
    plain = make_member(db, area.duta)
    result = approvals.approve_many(db, cabang, [first.id, namesake.id, plain.id])
    assert [m.id for m in result.approved] == [plain.id]
    assert sorted(m.id for m in result.flagged) == sorted([first.id, namesake.id])
    assert db.get(Member, namesake.id).status == "submitted"
    rows = {row.member.id: row for row in approvals.queue(db, cabang).rows}
    assert rows[namesake.id].possible_duplicate and rows[first.id].possible_duplicate


def test_batch_approves_skips_decided_and_audits(db, area):
    cabang = area.actor(area.cabang)
    members = [make_member(db, area.duta) for _ in range(3)]
    approvals.approve(db, cabang, members[1].id)  # a colleague was quicker
    result = approvals.approve_many(db, cabang, [m.id for m in members])
    assert sorted(m.id for m in result.approved) == sorted([members[0].id, members[2].id])
    assert [(m.id, status) for m, status in result.skipped] == [(members[1].id, "approved")]
    numbers = {db.get(Member, m.id).member_number for m in members}
    assert len(numbers) == 3 and all(approvals.is_member_number(n) for n in numbers)
    for member in (members[0], members[2]):
        [entry] = _entries(db, member.id, "member_approved")
        assert json.loads(entry.detail)["batch"] is True
    [batch] = db.exec(select(AuditEntry).where(AuditEntry.action == "members_approved")).all()
    assert batch.object_type == "branch" and batch.object_id == area.branch.code
    detail = json.loads(batch.detail)
    assert set(detail["members"]) == {str(members[0].id), str(members[2].id)}
    assert detail["skipped"] == [members[1].id]


def test_batch_with_a_member_outside_the_branch_approves_nothing(db, area):
    inside = make_member(db, area.duta)
    outside = make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH)
    with pytest.raises(NotFound):
        approvals.approve_many(db, area.actor(area.cabang), [inside.id, outside.id])
    db.expire_all()
    assert db.get(Member, inside.id).status == "submitted"
    assert not _entries(db, inside.id, "member_approved")


def test_batch_refusals(db, area):
    member = make_member(db, area.duta)
    with pytest.raises(Invalid):
        approvals.approve_many(db, area.actor(area.cabang), [])
    with pytest.raises(Forbidden):
        approvals.approve_many(db, area.actor(area.duta), [member.id])
    with pytest.raises(Forbidden):
        approvals.approve_many(db, area.actor(area.wilayah), [member.id])


def test_fixed_field_errors_lock_identity_of_approved_members(db, area):
    member = make_member(db, area.duta, status="approved", member_number="99000000003")
    errors = rules.fixed_field_errors(member, {"full_name": "Nama Lain", "village_code": VILLAGE_B})
    assert set(errors) == {"full_name", "village_code"}
    assert "petugas cabang" in errors["full_name"]
    # Unchanged values and the fields of an approved member's update pass; so does a registration
    # still being corrected.
    assert not rules.fixed_field_errors(member, {"full_name": f" {member.full_name} ", "phone": "+6281311112222"})
    rejected = make_member(db, area.duta, status="rejected")
    assert not rules.fixed_field_errors(rejected, {"nik": "1207021705900001", "full_name": "Baru"})


def test_rejected_registrations_for_the_duta_newest_first(db, area):
    cabang = area.actor(area.cabang)
    first = make_member(db, area.duta, full_name="Pertama")
    second = make_member(db, area.duta, full_name="Kedua")
    elsewhere = make_member(db, area.duta_b, village_code=VILLAGE_B)
    for member in (first, second, elsewhere):
        approvals.reject(db, cabang, member.id, "incomplete", "")
    rows = members_service.rejected_registrations(db, area.actor(area.duta))
    assert [m.id for m in rows][:2] == [second.id, first.id]
    assert elsewhere.id not in [m.id for m in rows]
    assert members_service.rejected_registrations(db, cabang) == []


def test_member_of_village_a_is_approvable_by_its_branch(db, area):
    member = make_member(db, area.duta, village_code=VILLAGE_A)
    assert approvals.approve(db, area.actor(area.cabang), member.id).status == "approved"


def test_identity_of_an_approved_member_cannot_be_corrected_by_its_duta(db, area):
    member = make_member(db, area.duta)
    approvals.approve(db, area.actor(area.cabang), member.id)
    duta = area.actor(area.duta)
    for changes in (
        {"nik": "1207021705900099"},
        {"full_name": "Nama Baru"},
        {"sex": "P"},
        {"birth_date": "1991-01-01"},
    ):
        with pytest.raises(Invalid) as refused:
            members_service.update(db, duta, member.id, changes)
        assert set(refused.value.errors) == set(changes)
    # The same values in raw form are not a change.
    members_service.update(
        db, duta, member.id, {"full_name": f" {member.full_name} ", "birth_date": member.birth_date.isoformat()}
    )
    db.refresh(member)
    assert member.status == "approved"
    assert not _entries(db, member.id, "member_updated")
