"""What each role sees of the villages: a duta its own, a cabang its branch's, wilayah everything.
Anything outside answers 404, as if it did not exist."""

import pytest

from app.auth import places
from app.core.errors import Invalid
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    actor_of,
    api_headers,
    make_branch,
    make_user,
    web_login,
)


def _codes(client, headers, **params):
    body = client.get("/api/v1/villages", params=params, headers=headers).json()
    return body["total"], {item["code"] for item in body["items"]}


def test_duta_sees_only_its_villages(client, db):
    headers = api_headers(client, make_user(db, "duta", villages=(VILLAGE_A,)))
    assert _codes(client, headers) == (1, {VILLAGE_A})
    assert _codes(client, headers, parent="12.07.02") == (1, {VILLAGE_A})
    assert client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers).status_code == 200
    for outside in (VILLAGE_B, VILLAGE_OTHER_BRANCH):
        assert client.get(f"/api/v1/villages/{outside}", headers=headers).status_code == 404


def test_cabang_sees_its_branch_regencies_only(client, db):
    branch = make_branch(db, regencies=("12.07", "12.18"))
    headers = api_headers(client, make_user(db, "cabang", branch_code=branch.code))
    total, _ = _codes(client, headers)
    deli, _ = _codes(client, headers, parent="12.07")
    bedagai, _ = _codes(client, headers, parent="12.18")
    assert total == deli + bedagai
    assert deli > 0 and bedagai > 0
    assert _codes(client, headers, parent="11") == (0, set())
    assert client.get(f"/api/v1/villages/{VILLAGE_B}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/villages/{VILLAGE_OTHER_BRANCH}", headers=headers).status_code == 404


def test_cabang_without_regencies_sees_nothing(client, db):
    branch = make_branch(db, regencies=())
    headers = api_headers(client, make_user(db, "cabang", branch_code=branch.code))
    assert _codes(client, headers) == (0, set())
    assert client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers).status_code == 404


def test_wilayah_and_admin_see_the_region(client, db):
    for role in ("wilayah", "admin"):
        headers = api_headers(client, make_user(db, role))
        assert _codes(client, headers)[0] == 12610
        assert client.get(f"/api/v1/villages/{VILLAGE_OTHER_BRANCH}", headers=headers).status_code == 200


def test_a_branch_officers_place_search_never_returns_another_branchs_village(client, db):
    """Bandar Baru is a village of Deli Serdang and of Banda Aceh: the officer of Deli Serdang's branch
    finds, chooses and resolves only its own, and the Banda Aceh one's code reads as unknown."""
    deli = make_user(db, "cabang", branch_code=make_branch(db, regencies=("12.07",)).code)
    make_branch(db, regencies=("11.71",))
    actor = actor_of(db, deli)
    found = places.search_places(db, actor, "village", "bandar baru")
    assert found and all(place.code.startswith("12.07.") for place in found)
    assert all(place.code.startswith("12.07") for place in places.search_places(db, actor, "district", ""))
    own = places.resolve_place(db, actor, "village", "Bandar Baru", "v")
    assert own is not None and own.startswith("12.07.")
    with pytest.raises(Invalid):
        places.resolve_place(db, actor, "village", VILLAGE_OTHER_BRANCH, "v")
    with pytest.raises(Invalid):
        places.resolve_place(db, actor, "village", "Kampung Baru — Baiturrahman", "v")
    web_login(client, deli)
    answer = client.get("/places", params={"level": "village", "q": "baru"})
    assert "Baiturrahman" not in answer.text and "Kuta Alam" not in answer.text
    assert "Kampung Baru" not in client.get("/places", params={"level": "village", "q": "kampung baru"}).text


def test_a_duta_finds_only_its_own_villages(db):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    actor = actor_of(db, duta)
    assert [p.code for p in places.search_places(db, actor, "village", "")] == [VILLAGE_A]
    assert places.search_places(db, actor, "branch", "") == []
    with pytest.raises(Invalid):
        places.resolve_place(db, actor, "village", "Limau Manis", "v")
