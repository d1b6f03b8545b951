"""Registration through the JSON API: every rule, idempotency, duplicates, corrections and submission."""

import datetime as dt
import json

import pytest
from sqlmodel import func, select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.members.models import Member
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    make_member,
    make_user,
    valid_nik,
)
from tests.members.helpers import error_fields, payload


@pytest.fixture
def duta(db):
    return make_user(db, "duta", villages=(VILLAGE_A,))


@pytest.fixture
def headers(client, duta):
    return api_headers(client, duta)


def post(client, headers, **overrides):
    return client.post("/api/v1/members", json=payload(**overrides), headers=headers)


def member_count(db) -> int:
    return db.exec(select(func.count()).select_from(Member)).one()


def test_valid_registration_is_submitted_with_e164_phone_and_contribution(client, db, headers, duta):
    response = post(client, headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert body["phone"] == "+6281234567890"
    assert body["monthly_contribution"] == 16_800
    assert body["warnings"] == []
    member = db.get(Member, body["id"])
    assert member.consent_at is not None and member.registered_by_id == duta.id
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "member_created")).one()
    assert audit.object_id == str(member.id)
    assert member.nik not in audit.detail  # masked


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "12070257059000"}, "nik"),  # 14 digits
        ({"nik": "12070257059000031"}, "nik"),  # 17 digits
        ({"nik": "99070257059000003"[:16]}, "nik"),  # no province 99
        ({"nik": "1207023205900003"}, "nik"),  # day 32
        ({"nik": "1207025713900003"}, "nik"),  # month 13
        ({"nik": "1207025705900000"}, "nik"),  # serial 0000
        ({"nik": "1207021705900003"}, "sex"),  # a man's NIK, sex P entered
        ({"birth_date": "1990-05-17", "nik": valid_nik(dt.date(1990, 5, 18), "P")}, "birth_date"),
        ({"phone": "021-5551234"}, "phone"),  # landline
        ({"phone": "12345"}, "phone"),
        ({"monthly_income": 999_999}, "monthly_income"),
        ({"occupation": "pilot"}, "occupation"),
        ({"heir_name": ""}, "heir_name"),
        ({"heir_relation": "  "}, "heir_relation"),
        ({"consent": False}, "consent"),
        ({"rt": "1a"}, "rt"),
        ({"full_name": ""}, "full_name"),
        ({"address": ""}, "address"),
        ({"sex": "X"}, "sex"),
        ({"event_id": 999_999}, "event_id"),
    ],
)
def test_each_rule_refuses_with_a_message_at_its_field(client, db, headers, overrides, field):
    response = post(client, headers, **overrides)
    assert response.status_code == 422, response.text
    assert field in error_fields(response)
    assert member_count(db) == 0


def test_a_value_outside_a_fixed_set_is_refused_in_the_users_language_naming_the_field(client, db, headers):
    response = post(client, headers, occupation="pilot")
    assert response.status_code == 422
    assert error_fields(response)["occupation"] == (
        "occupation: pilih salah satu dari petani, nelayan, pedagang, ojek, buruh_harian, pengrajin, usaha_mikro, "
        "lainnya."
    )
    english = client.post("/api/v1/members?lang=en", json=payload(sex="X"), headers=headers)
    assert error_fields(english)["sex"] == "sex: choose one of L, P."
    assert member_count(db) == 0


def test_missing_consent_is_refused(client, db, headers):
    body = payload()
    del body["consent"]
    response = client.post("/api/v1/members", json=body, headers=headers)
    assert response.status_code == 422
    assert error_fields(response)["consent"] == "Pendaftaran memerlukan persetujuan pekerja atas penggunaan datanya."


def test_messages_are_indonesian_by_default_and_english_on_request(client, headers):
    response = post(client, headers, nik="123")
    assert error_fields(response)["nik"] == "NIK terdiri dari 16 digit; yang diisi 3 digit."
    english = client.post("/api/v1/members?lang=en", json=payload(nik="123"), headers=headers)
    assert error_fields(english)["nik"] == "A NIK has 16 digits; this one has 3."


def test_nik_from_outside_the_region_is_accepted(client, headers):
    response = post(client, headers, nik=valid_nik(dt.date(1990, 5, 17), "P", region="317101"))
    assert response.status_code == 201, response.text


def test_age_fifteen_today_is_accepted_and_younger_refused(client, headers):
    day = today()
    born = day.replace(year=day.year - 15) if (day.month, day.day) != (2, 29) else dt.date(day.year - 15, 2, 28)
    younger = born + dt.timedelta(days=1)
    refused = post(client, headers, birth_date=younger.isoformat(), sex="L")
    assert refused.status_code == 422
    assert "birth_date" in error_fields(refused)
    accepted = post(client, headers, birth_date=born.isoformat(), sex="L")
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize("phone", ["081234567890", "6281234567890", "+62 812-3456-7890", "+6281234567890"])
def test_usual_phone_forms_are_stored_as_e164(client, db, headers, phone):
    response = post(client, headers, phone=phone)
    assert response.status_code == 201, response.text
    assert db.get(Member, response.json()["id"]).phone == "+6281234567890"


def test_minimum_income_is_accepted(client, headers):
    assert post(client, headers, monthly_income=1_000_000).status_code == 201


def test_jht_adds_to_the_contribution(client, headers):
    assert post(client, headers, jht=True).json()["monthly_contribution"] == 36_800


def test_second_registration_of_a_nik_names_the_first_village_only(client, db, headers):
    other_duta = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,))
    nik = valid_nik(dt.date(1985, 3, 2), "L")
    first = make_member(
        db,
        other_duta,
        VILLAGE_OTHER_BRANCH,
        nik=nik,
        full_name="Rahasia Pribadi",
        birth_date=dt.date(1985, 3, 2),
        phone="+6281111111111",
    )
    response = post(client, headers, nik=nik, sex="L", birth_date="1985-03-02")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "Kampung Baru" in detail
    for personal in (first.full_name, first.phone, "1985", nik):
        assert personal not in detail
    assert member_count(db) == 1


def test_a_taken_nik_refused_by_the_unique_index_leaves_nothing_written(client, db, headers, duta):
    """No query looks for the NIK before the INSERT: the unique index refuses it, and the whole
    transaction goes (no audit entry, no claimed key: the key still answers a corrected request)."""
    from app.core.idempotency import IdempotencyKey

    nik = valid_nik(dt.date(1990, 5, 17), "P")
    make_member(db, duta, VILLAGE_A, nik=nik, sex="P")
    keyed = {**headers, "Idempotency-Key": "taken-nik-key"}
    response = client.post("/api/v1/members", json=payload(nik=nik), headers=keyed)
    assert response.status_code == 409
    assert "Medan Senembah" in response.json()["detail"]
    assert member_count(db) == 1
    assert db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "member_created")).one() == 0
    assert db.exec(select(func.count()).select_from(IdempotencyKey)).one() == 0
    corrected = client.post("/api/v1/members", json=payload(), headers=keyed)
    assert corrected.status_code == 201 and member_count(db) == 2


def test_a_possible_duplicate_is_sent_only_once_confirmed(client, db, headers, duta):
    make_member(db, duta, VILLAGE_A, full_name="SITI AMINAH", birth_date=dt.date(1990, 5, 17), sex="P")
    refused = post(client, headers, full_name="Siti  Aminah")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "SITI AMINAH" in detail and "1207" in detail and "*" in detail  # the other's NIK, masked
    assert member_count(db) == 1
    response = post(client, headers, full_name="Siti  Aminah", confirm_not_duplicate=True)
    assert response.status_code == 201
    warnings = response.json()["warnings"]
    assert len(warnings) == 1 and "Mungkin ganda" in warnings[0]
    assert client.get(f"/api/v1/members/{response.json()['id']}", headers=headers).json()["warnings"] == warnings


def test_same_name_in_another_village_is_no_duplicate(client, db, headers):
    other = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,))
    make_member(db, other, VILLAGE_OTHER_BRANCH, full_name="Siti Aminah", birth_date=dt.date(1990, 5, 17), sex="P")
    assert post(client, headers).json()["warnings"] == []


def test_idempotency_key_records_once_and_answers_the_same(client, db, headers):
    keyed = {**headers, "Idempotency-Key": "5f1c1c4e-aaaa-4bbb-8ccc-000000000001"}
    body = payload()
    first = client.post("/api/v1/members", json=body, headers=keyed)
    again = client.post("/api/v1/members", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert member_count(db) == 1


def test_idempotency_keys_belong_to_their_user(client, db, headers):
    other = make_user(db, "duta", villages=(VILLAGE_A,))
    key = {"Idempotency-Key": "shared-key"}
    body = payload()
    assert client.post("/api/v1/members", json=body, headers={**headers, **key}).status_code == 201
    second = client.post("/api/v1/members", json=body, headers={**api_headers(client, other), **key})
    assert second.status_code == 409  # not the first user's answer: the NIK check applies
    assert member_count(db) == 1


def test_get_member_shows_whole_nik_and_cover(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="approved", covered_until=dt.date(2030, 4, 1))
    body = client.get(f"/api/v1/members/{member.id}", headers=headers).json()
    assert body["nik"] == member.nik
    assert body["member_number"] == member.member_number
    assert body["covered_until"] == "2030-04"
    assert body["cover_status"] == "aktif"


def test_list_masks_nik_filters_and_pages(client, db, headers, duta):
    for index in range(22):
        make_member(db, duta, VILLAGE_A, full_name=f"Warga {index:02d}")
    target = make_member(db, duta, VILLAGE_A, full_name="Rudi Hartono", status="draft")
    approved = make_member(
        db, duta, VILLAGE_A, full_name="Ani Lestari", status="approved", covered_until=dt.date(2031, 1, 1)
    )
    page1 = client.get("/api/v1/members", headers=headers).json()
    assert page1["total"] == 24 and len(page1["items"]) == 20
    assert page1["items"][0]["id"] == approved.id  # newest first
    assert all("********" in item["nik"] for item in page1["items"])
    page2 = client.get("/api/v1/members?page=2", headers=headers).json()
    assert len(page2["items"]) == 4
    by_name = client.get("/api/v1/members", params={"q": "rudi"}, headers=headers).json()
    assert [item["id"] for item in by_name["items"]] == [target.id]
    by_nik = client.get("/api/v1/members", params={"q": target.nik[:14]}, headers=headers).json()
    assert target.id in [item["id"] for item in by_nik["items"]]
    drafts = client.get("/api/v1/members", params={"status": "draft"}, headers=headers).json()
    assert [item["id"] for item in drafts["items"]] == [target.id]
    active = client.get("/api/v1/members", params={"cover_status": "aktif"}, headers=headers).json()
    assert [item["id"] for item in active["items"]] == [approved.id]
    bad = client.get("/api/v1/members", params={"status": "nope"}, headers=headers)
    assert bad.status_code == 422


def test_patch_corrects_a_rejected_registration_and_audits_the_change(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="rejected", rejection_reason="Nama salah")
    response = client.patch(
        f"/api/v1/members/{member.id}", json={"full_name": "Nama Benar", "phone": "62 812 9999 0000"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["full_name"] == "Nama Benar"
    assert response.json()["phone"] == "+6281299990000"
    assert response.json()["status"] == "rejected"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "member_updated")).one()
    changes = json.loads(entry.detail)["changes"]
    assert set(changes) == {"full_name", "phone"}
    assert changes["full_name"][1] == "Nama Benar"


def test_patch_nik_change_is_masked_in_the_audit(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="draft", sex="L")
    new_nik = valid_nik(dt.date(1990, 5, 17), "L")
    assert client.patch(f"/api/v1/members/{member.id}", json={"nik": new_nik}, headers=headers).status_code == 200
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "member_updated")).one()
    assert new_nik not in entry.detail and member.nik not in entry.detail


def test_patch_validates_like_registration(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="draft")
    response = client.patch(f"/api/v1/members/{member.id}", json={"monthly_income": 5}, headers=headers)
    assert response.status_code == 422
    assert "monthly_income" in error_fields(response)


def test_patch_of_a_submitted_registration_is_a_conflict(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="submitted")
    response = client.patch(f"/api/v1/members/{member.id}", json={"full_name": "X Y"}, headers=headers)
    assert response.status_code == 409


def test_submit_moves_draft_to_submitted_once(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="draft")
    response = client.post(f"/api/v1/members/{member.id}/submit", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "member_submitted")).one()
    assert client.post(f"/api/v1/members/{member.id}/submit", headers=headers).status_code == 409


def test_submit_refuses_an_incomplete_draft(client, db, headers, duta):
    member = make_member(db, duta, VILLAGE_A, status="draft", heir_name="", phone="")
    response = client.post(f"/api/v1/members/{member.id}/submit", headers=headers)
    assert response.status_code == 422
    assert {"heir_name", "phone"} <= set(error_fields(response))


def test_only_a_duta_registers(client, db):
    from tests.factories import make_branch

    branch = make_branch(db, regencies=("12.07",))
    cabang = make_user(db, "cabang", branch_code=branch.code)
    response = client.post("/api/v1/members", json=payload(), headers=api_headers(client, cabang))
    assert response.status_code == 403
    wilayah = make_user(db, "wilayah")
    assert client.post("/api/v1/members", json=payload(), headers=api_headers(client, wilayah)).status_code == 403


def test_api_needs_a_token(client):
    assert client.post("/api/v1/members", json=payload()).status_code == 401
    assert client.get("/api/v1/members").status_code == 401


def test_a_replay_answers_the_same_and_says_so(client, db, headers):
    keyed = {**headers, "Idempotency-Key": "replay-key"}
    body = payload()
    first = client.post("/api/v1/members", json=body, headers=keyed)
    again = client.post("/api/v1/members", json={**body, "full_name": f"  {body['full_name']} "}, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert member_count(db) == 1


def test_the_same_key_with_another_registration_is_refused(client, db, headers):
    """Not answered with the first member (a second neighbour silently not registered): 422 on the key."""
    keyed = {**headers, "Idempotency-Key": "claim-key"}
    first = client.post("/api/v1/members", json=payload(), headers=keyed)
    other = payload()  # another NIK
    again = client.post("/api/v1/members", json=other, headers=keyed)
    assert first.status_code == 201
    assert again.status_code == 422
    assert set(error_fields(again)) == {"idempotency_key"}
    assert "kunci baru" in again.text
    assert member_count(db) == 1


def test_a_key_longer_than_80_characters_is_refused_not_cut(client, db, headers):
    """Cut to 80 characters, two long keys that differ at the end were one key."""
    stem = "k" * 80
    response = client.post("/api/v1/members", json=payload(), headers={**headers, "Idempotency-Key": stem + "1"})
    assert response.status_code == 422 and set(error_fields(response)) == {"idempotency_key"}
    assert member_count(db) == 0
    assert (
        client.post("/api/v1/members", json=payload(), headers={**headers, "Idempotency-Key": stem}).status_code == 201
    )


CONTROL_MESSAGE = "Hapus karakter kontrol atau pengatur arah teks; ketik ulang teksnya jika tadi ditempel."


BAD_CHARACTERS = [
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x1c",
    "\n",
    "\t",
    "\x7f",
    "\x85",
    "\x9b",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
]
TEXT_FIELDS = ["full_name", "address", "heir_name", "heir_relation"]


@pytest.mark.parametrize(
    ("field", "bad"), [(TEXT_FIELDS[i % len(TEXT_FIELDS)], bad) for i, bad in enumerate(BAD_CHARACTERS)]
)
def test_control_and_bidi_characters_are_refused_beside_the_field(client, db, headers, field, bad):
    response = post(client, headers, **{field: f"Siti{bad}Aminah"})
    assert response.status_code == 422, response.text
    assert error_fields(response) == {field: CONTROL_MESSAGE}
    assert member_count(db) == 0


def test_plain_unicode_text_is_still_accepted(client, headers):
    response = post(client, headers, full_name="Ni Luh Putu Ayu Dewi-Sari O'Neil", address="Jl. Ahmad Yani 10 — Blok Ç")
    assert response.status_code == 201, response.text
