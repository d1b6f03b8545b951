"""The village's officials (perangkat desa): the roster kept by its duta or branch officer, each row
checked, who is protected this month, Aceh's own words, the scope, the page and its messages."""

import html
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.programme.models import VillageOfficial
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    make_branch,
    make_member,
    make_payment,
    make_user,
    web_login,
)

ID = {"Accept-Language": "id"}


@pytest.fixture
def world(db):
    branch = make_branch(db, regencies=("12.07",))
    duta = make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
    head = make_member(db, duta, VILLAGE_A, status="approved", full_name="Pak Kades")
    make_payment(db, duta, head)
    secretary = make_member(db, duta, VILLAGE_A, status="approved", full_name="Bu Sekdes")
    return {
        "duta": duta,
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "head": head,
        "secretary": secretary,
    }


def put(client, headers, items, code=VILLAGE_A):
    return client.put(f"/api/v1/villages/{code}/officials", json={"items": items}, headers=headers)


def test_roster_kept_and_read_with_who_is_protected(client, db, world):
    headers = {**api_headers(client, world["duta"]), **ID}
    answer = put(
        client,
        headers,
        [
            {"position": "kepala_desa", "name": " Pak  Kades ", "member_id": world["head"].id},
            {"position": "sekretaris_desa", "name": "Bu Sekdes", "member_id": world["secretary"].id},
            {"position": "kepala_dusun", "name": "Pak Kadus"},
        ],
    )
    assert answer.status_code == 200, answer.text
    body = client.get(f"/api/v1/villages/{VILLAGE_A}/officials", headers=headers).json()
    assert body == answer.json()
    assert [(i["position"], i["name"], i["member_status"], i["cover_status"]) for i in body["items"]] == [
        ("kepala_desa", "Pak Kades", "approved", "jatuh_tempo"),
        ("sekretaris_desa", "Bu Sekdes", "approved", "nonaktif"),
        ("kepala_dusun", "Pak Kadus", None, None),
    ]
    assert body["complete"] is False
    assert any("Sekretaris desa Bu Sekdes tidak terlindungi" in m for m in body["missing"])
    assert any("Kepala dusun Pak Kadus belum terdaftar" in m for m in body["missing"])
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "officials_set")).one()
    assert [o["name"] for o in json.loads(entry.detail)["officials"]] == ["Pak Kades", "Bu Sekdes", "Pak Kadus"]
    # The whole roster each time: a second PUT replaces the first.
    assert put(client, headers, [{"position": "kepala_desa", "name": "Pak Kades"}]).status_code == 200
    assert len(db.exec(select(VillageOfficial)).all()) == 1


def test_complete_once_head_and_secretary_are_covered(client, db, world):
    make_payment(db, world["duta"], world["secretary"])
    headers = api_headers(client, world["cabang"])
    items = [
        {"position": "kepala_desa", "name": "Pak Kades", "member_id": world["head"].id},
        {"position": "sekretaris_desa", "name": "Bu Sekdes", "member_id": world["secretary"].id},
    ]
    assert put(client, headers, items).json()["complete"] is True
    assert put(client, headers, items[:1]).json()["complete"] is False  # the secretary is needed


def test_every_row_is_checked_and_nothing_is_written_on_a_mistake(client, db, world):
    other = make_member(db, world["duta"], VILLAGE_B, status="approved")
    headers = {**api_headers(client, world["duta"]), **ID}
    answer = put(
        client,
        headers,
        [
            {"position": "kepala_desa", "name": "A"},
            {"position": "kepala_desa", "name": "B"},  # a second head
            {"position": "raja", "name": "C"},
            {"position": "kader", "name": "  "},
            {"position": "kader", "name": "D\u202eE"},
            {"position": "kader", "name": "F", "member_id": other.id},  # of another village
            {"position": "kader", "name": "G", "member_id": world["head"].id},
            {"position": "kader", "name": "H", "member_id": world["head"].id},  # twice
        ],
    )
    assert answer.status_code == 422
    fields = {problem["loc"][-1] for problem in answer.json()["detail"]}
    assert fields == {"position_1", "position_2", "name_3", "name_4", "member_id_5", "member_id_7"}
    assert db.exec(select(VillageOfficial)).all() == []
    too_many = put(client, headers, [{"position": "kader", "name": f"K{n}"} for n in range(44)])
    assert too_many.status_code == 422


def test_aceh_words_in_province_11(client, db):
    branch = make_branch(db, regencies=("11.71",))
    cabang = make_user(db, "cabang", branch_code=branch.code)
    headers = {**api_headers(client, cabang), **ID}
    body = put(
        client,
        headers,
        [{"position": "kepala_desa", "name": "Teuku"}, {"position": "bpd", "name": "Cut"}],
        code=VILLAGE_OTHER_BRANCH,
    ).json()
    assert [item["position_label"] for item in body["items"]] == ["Geuchik", "Tuha Peut"]
    assert any("belum ada Sekretaris Gampong" in m for m in body["missing"])


def test_scope_and_roles(client, db, world):
    outsider = make_user(db, "duta", villages=(VILLAGE_B,))
    headers = api_headers(client, outsider)
    assert client.get(f"/api/v1/villages/{VILLAGE_A}/officials", headers=headers).status_code == 404
    assert put(client, headers, [{"position": "kader", "name": "X"}]).status_code == 404
    wilayah = make_user(db, "wilayah")
    wilayah_headers = api_headers(client, wilayah)
    assert client.get(f"/api/v1/villages/{VILLAGE_A}/officials", headers=wilayah_headers).status_code == 200
    assert put(client, wilayah_headers, [{"position": "kader", "name": "X"}]).status_code == 403


def test_page_keeps_the_roster_and_shows_a_mistake_beside_its_field(client, db, world):
    token = web_login(client, world["duta"])
    page = client.get(f"/villages/{VILLAGE_A}/officials", headers=ID)
    assert page.status_code == 200 and "Kelola daftar perangkat" in page.text
    refused = client.post(
        f"/villages/{VILLAGE_A}/officials",
        data={
            "csrf_token": token,
            "position": ["kepala_desa", ""],
            "name": ["Pak Kades", ""],
            "member_number": ["99999999999", ""],
        },
        headers=ID,
    )
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert '<p class="field-error" id="member_number_0-error">Tidak ada peserta desa ini dengan nomor itu.</p>' in text
    assert 'value="Pak Kades"' in text
    saved = client.post(
        f"/villages/{VILLAGE_A}/officials",
        data={
            "csrf_token": token,
            "position": ["kepala_desa", "sekretaris_desa", ""],
            "name": ["Pak Kades", "Bu Sekdes", ""],
            "member_number": [world["head"].member_number, "", ""],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = html.unescape(client.get(f"/villages/{VILLAGE_A}/officials", headers=ID).text)
    assert "Daftar perangkat disimpan." in shown or "Pak Kades" in shown
    assert "Bu Sekdes belum terdaftar sebagai peserta" in shown


def test_village_page_flags_officials_no_longer_protected(client, db, world):
    from tests.factories import set_village_stage

    set_village_stage(db, VILLAGE_A, "perangkat_terlindungi", world["cabang"])
    web_login(client, world["cabang"])
    text = html.unescape(client.get(f"/villages/{VILLAGE_A}", headers=ID).text)
    assert "Perangkat tidak lagi terlindungi semua" in text and "daftar perangkat masih kosong" in text
