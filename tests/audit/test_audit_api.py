"""`GET /api/v1/audit`: filters by object and actor, paged, newest first, NIK masked; wilayah and admin only."""

import datetime as dt

import pytest

from app.core import audit
from app.reports.audit import mask
from app.workflows import approvals
from tests.factories import api_headers, make_member


def _add(db, actor, action, object_type, object_id, at=None, **detail):
    with pytest.MonkeyPatch.context() as patch:
        if at is not None:
            patch.setattr(audit, "utcnow", lambda: at)
        audit.record(db, actor, action, object_type, object_id, **detail)
    db.commit()


def test_decisions_are_in_the_log_filtered_by_object(client, db, people):
    cabang = people.actor(people.cabang)
    approved = make_member(db, people.duta)
    rejected = make_member(db, people.duta)
    number = approvals.approve(db, cabang, approved.id).member_number
    approvals.reject(db, cabang, rejected.id, "incomplete", "RT/RW kosong")
    headers = api_headers(client, people.wilayah)

    body = client.get("/api/v1/audit", params={"object": f"member:{approved.id}"}, headers=headers).json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["action"] == "member_approved" and item["actor"] == people.cabang.username
    assert item["object"] == f"member:{approved.id}"
    assert item["detail"]["member_number"] == number
    assert dt.datetime.fromisoformat(item["at"]).tzinfo is not None  # ISO 8601 with its offset

    [item] = client.get("/api/v1/audit", params={"object": f"member:{rejected.id}"}, headers=headers).json()["items"]
    assert item["action"] == "member_rejected"
    assert item["detail"]["reason"] == "Data tidak lengkap: RT/RW kosong"


def test_filter_by_actor_newest_first_and_paged(client, db, people):
    wilayah = people.actor(people.wilayah)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(53):
        _add(db, wilayah, "export", "village", f"12.07.02.{2001 + i}", at=start + dt.timedelta(minutes=i))
    _add(db, people.actor(people.admin), "export", "village", "12.07.02.2001")
    headers = api_headers(client, people.admin)
    first = client.get("/api/v1/audit", params={"actor": people.wilayah.username}, headers=headers).json()
    assert first["total"] == 53 and len(first["items"]) == 50
    assert first["items"][0]["object"] == "village:12.07.02.2053"  # newest first
    assert {item["actor"] for item in first["items"]} == {people.wilayah.username}
    second = client.get("/api/v1/audit", params={"actor": people.wilayah.username, "page": 2}, headers=headers).json()
    assert [item["object"] for item in second["items"]] == [f"village:12.07.02.{2000 + i}" for i in (3, 2, 1)]
    both = client.get(
        "/api/v1/audit", params={"actor": people.wilayah.username, "object": "village:12.07.02.2001"}, headers=headers
    ).json()
    assert both["total"] == 1


def test_nik_is_masked_in_every_detail(client, db, people):
    nik = "1207021705900003"
    _add(
        db,
        people.actor(people.duta),
        "member_updated",
        "member",
        77,
        changes={"nik": {"old": nik, "new": "1207021705900004"}},
        note=f"NIK {nik} diperbaiki",
        raw=1207021705900005,
    )
    [item] = client.get(
        "/api/v1/audit", params={"object": "member:77"}, headers=api_headers(client, people.wilayah)
    ).json()["items"]
    text = str(item["detail"])
    assert nik not in text and "1207021705900004" not in text and "1207021705900005" not in text
    assert item["detail"]["changes"]["nik"]["old"] == "1207********0003"
    assert item["detail"]["note"] == "NIK 1207********0003 diperbaiki"


def test_mask_leaves_other_numbers_alone():
    assert mask({"member_number": "26000000001", "amount": 16800, "ok": True}) == {
        "member_number": "26000000001",
        "amount": 16800,
        "ok": True,
    }


@pytest.mark.parametrize("role", ["duta", "cabang"])
def test_duta_and_cabang_may_not_read_the_log(client, db, people, role):
    response = client.get("/api/v1/audit", headers=api_headers(client, getattr(people, role)))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["wilayah", "admin"])
def test_wilayah_and_admin_read_the_log(client, db, people, role):
    response = client.get("/api/v1/audit", headers=api_headers(client, getattr(people, role)))
    assert response.status_code == 200
    assert set(response.json()) >= {"items", "total"}


def test_not_logged_in_is_401(client):
    assert client.get("/api/v1/audit").status_code == 401


@pytest.mark.parametrize("bad", ["member", "member:", ":12", "Member 12", "member:1 2"])
def test_malformed_object_is_422(client, db, people, bad):
    response = client.get("/api/v1/audit", params={"object": bad}, headers=api_headers(client, people.wilayah))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "object"


def test_batch_approval_is_logged_once_per_member_and_once_for_the_batch(client, db, people):
    members = [make_member(db, people.duta) for _ in range(2)]
    approvals.approve_many(db, people.actor(people.cabang), [m.id for m in members])
    headers = api_headers(client, people.wilayah)
    body = client.get("/api/v1/audit", params={"actor": people.cabang.username}, headers=headers).json()
    assert sorted(item["action"] for item in body["items"]) == [
        "member_approved",
        "member_approved",
        "members_approved",
    ]
    batch = next(item for item in body["items"] if item["action"] == "members_approved")
    assert set(batch["detail"]["members"]) == {str(m.id) for m in members}
