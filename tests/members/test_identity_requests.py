"""Identity change requests: the duta asks, the branch officer of the member's branch approves (the
change applied with the registration's NIK checks) or rejects; all audited, scoped and kept."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.members.models import IdentityRequest, Member
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    csrf_from,
    make_branch,
    make_member,
    make_user,
    valid_nik,
    web_login,
)
from tests.members.helpers import error_fields

BIRTH = dt.date(1990, 5, 17)


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "other_cabang": make_user(db, "cabang", branch_code=other.code),
        "other_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
    }


@pytest.fixture
def member(db, people):
    return make_member(db, people["duta"], VILLAGE_A, status="approved", sex="L", birth_date=BIRTH)


def _ask(client, people, member, who="duta", **body):
    body.setdefault("reason", "Salah ketik saat pendaftaran")
    return client.post(
        f"/api/v1/members/{member.id}/identity-requests", json=body, headers=api_headers(client, people[who])
    )


def _decide(client, people, request_id, action, who="cabang", **body):
    return client.post(
        f"/api/v1/identity-requests/{request_id}/{action}", json=body, headers=api_headers(client, people[who])
    )


def _entries(db, action):
    return db.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_asked_approved_and_applied_with_the_audit_masking_the_nik(client, db, people, member):
    old_nik, new_nik = member.nik, valid_nik(BIRTH, "P", serial=4321)
    asked = _ask(client, people, member, nik=new_nik, sex="P", full_name=member.full_name)
    assert asked.status_code == 201, asked.text
    body = asked.json()
    # Only what changes is kept: the name sent unchanged is not part of the request.
    assert (body["status"], body["nik"], body["sex"], body["full_name"]) == ("pending", new_nik, "P", None)
    db.refresh(member)
    assert member.nik == old_nik  # nothing changes before the branch decides
    requested = _entries(db, "identity_change_requested")
    assert len(requested) == 1 and new_nik not in requested[0].detail and old_nik not in requested[0].detail

    listed = client.get("/api/v1/identity-requests", headers=api_headers(client, people["cabang"]))
    assert [r["id"] for r in listed.json()] == [body["id"]]
    approved = _decide(client, people, body["id"], "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["decided_by_id"] == people["cabang"].id
    db.expire_all()
    member = db.get(Member, member.id)
    assert (member.nik, member.sex, member.status) == (new_nik, "P", "approved")
    entry = _entries(db, "identity_change_approved")[0]
    changes = json.loads(entry.detail)["changes"]
    assert set(changes) == {"nik", "sex"} and changes["sex"] == ["L", "P"]
    assert new_nik not in entry.detail
    assert _decide(client, people, body["id"], "approve").status_code == 409
    assert _decide(client, people, body["id"], "reject", reason="Sudah diputuskan").status_code == 409
    assert client.get("/api/v1/identity-requests", headers=api_headers(client, people["cabang"])).json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nik": "1234"}, "nik"),
        ({"nik": valid_nik(BIRTH, "P", serial=11)}, "sex"),  # the NIK says female, the member is male
        ({"birth_date": "1991-02-03"}, "birth_date"),  # no longer the NIK's birth date
        ({"full_name": ""}, "nik"),  # nothing new asked for
        ({"full_name": "Nama Benar", "reason": "x"}, "reason"),
        ({"full_name": "Nama Benar", "reason": None}, "reason"),
    ],
)
def test_a_request_is_checked_as_a_registration(client, db, people, member, body, field):
    response = _ask(client, people, member, **body)
    assert response.status_code == 422, response.text
    assert field in error_fields(response)
    assert db.exec(select(IdentityRequest)).all() == []


def test_a_nik_of_another_member_is_refused_when_asked_and_when_approved(client, db, people, member):
    wanted = valid_nik(BIRTH, "L", serial=5555)
    other = make_member(db, people["duta"], VILLAGE_A, status="approved", nik=wanted)
    assert _ask(client, people, member, nik=wanted).status_code == 409
    other.nik = valid_nik(BIRTH, "L", serial=5556)
    db.add(other)
    db.commit()
    request_id = _ask(client, people, member, nik=wanted).json()["id"]
    # Registered meanwhile: the approval checks again.
    other.nik = wanted
    db.add(other)
    db.commit()
    refused = _decide(client, people, request_id, "approve")
    assert refused.status_code == 409
    db.expire_all()
    assert db.get(Member, member.id).nik != wanted
    assert db.get(IdentityRequest, request_id).status == "pending"


def test_one_pending_request_at_a_time_and_only_for_approved_members(client, db, people, member):
    assert _ask(client, people, member, full_name="Nama Benar").status_code == 201
    assert _ask(client, people, member, full_name="Nama Lain").status_code == 409
    submitted = make_member(db, people["duta"], VILLAGE_A, status="submitted")
    assert _ask(client, people, submitted, full_name="Nama Benar").status_code == 409


def test_rejected_with_a_reason_and_kept(client, db, people, member):
    request_id = _ask(client, people, member, full_name="Nama Benar").json()["id"]
    assert _decide(client, people, request_id, "reject", reason="x").status_code == 422
    rejected = _decide(client, people, request_id, "reject", reason="KTP tidak sesuai")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "KTP tidak sesuai"
    db.refresh(member)
    assert member.full_name != "Nama Benar"
    assert len(_entries(db, "identity_change_rejected")) == 1
    assert _ask(client, people, member, full_name="Nama Benar").status_code == 201  # may ask again


def test_roles_and_scope(client, db, people, member):
    assert _ask(client, people, member, who="cabang", full_name="Nama Benar").status_code == 403
    assert _ask(client, people, member, who="other_duta", full_name="Nama Benar").status_code == 404
    request_id = _ask(client, people, member, full_name="Nama Benar").json()["id"]
    assert _decide(client, people, request_id, "approve", who="duta").status_code == 403
    assert _decide(client, people, request_id, "approve", who="other_cabang").status_code == 404
    assert _decide(client, people, request_id, "reject", who="other_cabang", reason="Bukan wilayah").status_code == 404
    assert client.get("/api/v1/identity-requests", headers=api_headers(client, people["other_cabang"])).json() == []
    assert client.get("/api/v1/identity-requests", headers=api_headers(client, people["duta"])).status_code == 403
    assert _decide(client, people, 999999, "approve").status_code == 404
    assert db.get(IdentityRequest, request_id).status == "pending"


def test_pages_ask_list_reject_and_approve(client, db, people, member):
    web_login(client, people["duta"])
    assert f"/members/{member.id}/identity-request" in client.get(f"/members/{member.id}").text
    form = client.get(f"/members/{member.id}/identity-request")
    assert form.status_code == 200 and f'value="{member.nik}"' in form.text
    data = {
        "csrf_token": csrf_from(form.text),
        "nik": member.nik,
        "full_name": "Nama Benar",
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat(),
        "reason": "",
    }
    refused = client.post(f"/members/{member.id}/identity-request", data=data)
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text and 'value="Nama Benar"' in refused.text
    sent = client.post(
        f"/members/{member.id}/identity-request", data={**data, "reason": "Salah ketik nama"}, follow_redirects=False
    )
    assert sent.status_code == 303
    page = client.get(f"/members/{member.id}").text
    assert "Nama Benar" in page and f"/members/{member.id}/identity-request" not in page
    request_id = db.exec(select(IdentityRequest)).one().id

    web_login(client, people["cabang"])
    assert "/identity-requests" in client.get("/").text
    listing = client.get("/identity-requests")
    assert "Nama Benar" in listing.text and "Salah ketik nama" in listing.text
    csrf = csrf_from(listing.text)
    refused = client.post(f"/identity-requests/{request_id}/reject", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    approved = client.post(
        f"/identity-requests/{request_id}/approve", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert approved.status_code == 303
    db.refresh(member)
    assert member.full_name == "Nama Benar"
    assert "Nama Benar" not in client.get("/identity-requests").text


def test_the_member_page_masks_the_asked_nik_for_who_sees_it_masked(client, db, people, member):
    wilayah = make_user(db, "wilayah")
    new_nik = valid_nik(BIRTH, "L", serial=6543)
    assert _ask(client, people, member, nik=new_nik).status_code == 201
    web_login(client, wilayah)
    page = client.get(f"/members/{member.id}").text
    assert new_nik not in page and new_nik[:4] + "********" + new_nik[12:] in page
