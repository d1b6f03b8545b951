"""Scope pairs: rows outside one's area stay hidden (404); registering outside one's villages is refused."""

import pytest

from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    make_branch,
    make_member,
    make_user,
    web_login,
)
from tests.members.helpers import form_data, payload


@pytest.fixture
def world(db):
    branch = make_branch(db, regencies=("12.07",))
    duta_a = make_user(db, "duta", villages=(VILLAGE_A,))
    duta_b = make_user(db, "duta", villages=(VILLAGE_B,))
    duta_x = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,))
    return {
        "branch": branch,
        "duta_a": duta_a,
        "member_a": make_member(db, duta_a, VILLAGE_A, status="draft"),
        "member_b": make_member(db, duta_b, VILLAGE_B, status="draft"),
        "member_x": make_member(db, duta_x, VILLAGE_OTHER_BRANCH),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "wilayah": make_user(db, "wilayah"),
    }


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


def test_duta_of_a_cannot_see_get_patch_or_submit_b(client, world):
    headers = api_headers(client, world["duta_a"])
    member_b = world["member_b"]
    assert ids(client.get("/api/v1/members", headers=headers)) == {world["member_a"].id}
    assert client.get(f"/api/v1/members/{member_b.id}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/members/{member_b.id}", json={"full_name": "X"}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/members/{member_b.id}/submit", headers=headers).status_code == 404
    assert client.get("/api/v1/members", params={"village_code": VILLAGE_B}, headers=headers).status_code == 404
    assert client.get(f"/api/v1/members/{world['member_a'].id}", headers=headers).status_code == 200


def test_duta_of_a_cannot_register_into_b(client, db, world):
    headers = api_headers(client, world["duta_a"])
    response = client.post("/api/v1/members", json=payload(village_code=VILLAGE_B), headers=headers)
    assert response.status_code == 404
    csrf = web_login(client, world["duta_a"])
    page = client.post("/members/new", data=form_data(csrf, village_code=VILLAGE_B))
    assert page.status_code == 404


def test_duta_pages_hide_other_villages(client, world):
    web_login(client, world["duta_a"])
    member_b = world["member_b"]
    assert client.get(f"/members/{member_b.id}").status_code == 404
    assert client.get(f"/members/{member_b.id}/edit").status_code == 404
    listing = client.get("/members").text
    assert member_b.full_name not in listing and world["member_a"].full_name in listing


def test_cabang_sees_only_its_branch(client, world):
    headers = api_headers(client, world["cabang"])
    assert ids(client.get("/api/v1/members", headers=headers)) == {world["member_a"].id, world["member_b"].id}
    assert client.get(f"/api/v1/members/{world['member_x'].id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/members/{world['member_b'].id}", headers=headers).status_code == 200
    # Visible, but a branch officer does not register or correct: 403; outside the branch: 404.
    assert (
        client.patch(f"/api/v1/members/{world['member_a'].id}", json={"full_name": "X"}, headers=headers).status_code
        == 403
    )
    assert client.post("/api/v1/members", json=payload(village_code=VILLAGE_A), headers=headers).status_code == 403
    assert (
        client.post("/api/v1/members", json=payload(village_code=VILLAGE_OTHER_BRANCH), headers=headers).status_code
        == 404
    )


def test_wilayah_sees_all(client, world):
    headers = api_headers(client, world["wilayah"])
    expected = {world["member_a"].id, world["member_b"].id, world["member_x"].id}
    assert expected <= ids(client.get("/api/v1/members", headers=headers))
    assert client.get(f"/api/v1/members/{world['member_x'].id}", headers=headers).status_code == 200


def test_duplicate_nik_message_crosses_scope_without_personal_data(client, world):
    """The NIK check is system-wide, yet it names only the village of the first registration."""
    headers = api_headers(client, world["duta_a"])
    member_x = world["member_x"]
    body = payload(nik=member_x.nik, sex=member_x.sex, birth_date=member_x.birth_date.isoformat())
    response = client.post("/api/v1/members", json=body, headers=headers)
    assert response.status_code == 409
    assert "Kampung Baru" in response.json()["detail"] and member_x.full_name not in response.json()["detail"]
