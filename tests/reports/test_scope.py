"""Scope strings stay inside the asker's area: outside answers 404, malformed 422, wrong role 403."""

import pytest

from tests.factories import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER_BRANCH, api_headers, make_user, web_login


def get(client, user, path):
    return client.get(path, headers=api_headers(client, user))


def test_duta_sees_only_its_village(client, world):
    assert get(client, world.duta_a, "/api/v1/dashboard").json()["scope"] == f"village:{VILLAGE_A}"
    assert get(client, world.duta_a, f"/api/v1/dashboard?scope=village:{VILLAGE_A}").status_code == 200
    for scope in (
        f"branch:{world.branch.code}",
        "region",
        "province:12",
        f"village:{VILLAGE_B}",
        f"village:{VILLAGE_A},{VILLAGE_B}",
        f"village:{VILLAGE_OTHER_BRANCH}",
    ):
        response = get(client, world.duta_a, f"/api/v1/dashboard?scope={scope}")
        assert response.status_code == 404, scope


def test_cabang_sees_its_branch_and_its_villages_only(client, world):
    assert get(client, world.cabang, f"/api/v1/dashboard?scope=branch:{world.branch.code}").status_code == 200
    assert get(client, world.cabang, f"/api/v1/dashboard?scope=village:{VILLAGE_B}").status_code == 200
    for scope in (
        f"branch:{world.other_branch.code}",
        f"village:{VILLAGE_OTHER_BRANCH}",
        "region",
        "province:12",
        "branch:NOSUCH",
    ):
        assert get(client, world.cabang, f"/api/v1/dashboard?scope={scope}").status_code == 404, scope
    # The other branch's officer cannot see this branch either.
    assert get(client, world.other_cabang, f"/api/v1/dashboard?scope=branch:{world.branch.code}").status_code == 404
    other = get(client, world.other_cabang, "/api/v1/dashboard").json()
    assert other["counts"]["approved"] == 2 and other["cash_held"]["total"] == 0


def test_wilayah_sees_everything_but_unknown_areas(client, world):
    for scope in ("region", "province:11", f"branch:{world.other_branch.code}", f"village:{VILLAGE_OTHER_BRANCH}"):
        assert get(client, world.wilayah, f"/api/v1/dashboard?scope={scope}").status_code == 200, scope
    for scope in ("province:13", "branch:NOSUCH", "village:12.07.02.9999"):
        assert get(client, world.wilayah, f"/api/v1/dashboard?scope={scope}").status_code == 404, scope


@pytest.mark.parametrize("scope", ["everything", "province:1", "village:12070220", "branch:", "province:12;drop"])
def test_malformed_scope_is_422(client, world, scope):
    response = get(client, world.wilayah, f"/api/v1/dashboard?scope={scope}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "scope"


def test_exports_follow_scope_then_role(client, db, world):
    assert (
        get(client, world.other_cabang, f"/api/v1/reports/members.csv?scope=branch:{world.branch.code}").status_code
        == 404
    )
    assert (
        get(client, world.cabang, f"/api/v1/reports/villages.xlsx?scope=village:{VILLAGE_OTHER_BRANCH}").status_code
        == 404
    )
    # A duta asking its own village: visible, but exports are for branch and regional officers.
    assert get(client, world.duta_a, f"/api/v1/reports/members.csv?scope=village:{VILLAGE_A}").status_code == 403
    assert get(client, world.duta_a, "/api/v1/reports/members.xlsx?scope=region").status_code == 404
    assert client.get("/api/v1/reports/members.csv").status_code == 401
    assert client.get("/api/v1/dashboard").status_code == 401


def test_dashboard_page_scope(client, world):
    web_login(client, world.duta_a)
    assert client.get("/dashboard").status_code == 200
    assert client.get(f"/dashboard?scope=branch:{world.branch.code}").status_code == 404
    assert client.get("/dashboard?scope=oops").status_code == 422
    assert client.get(f"/reports/members.csv?scope=village:{VILLAGE_A}").status_code == 403


def test_unassigned_cabang_sees_nothing(client, db, world):
    lonely = make_user(db, "cabang")
    body = get(client, lonely, "/api/v1/dashboard").json()
    assert body["counts"]["approved"] == 0
    assert get(client, lonely, f"/api/v1/dashboard?scope=village:{VILLAGE_A}").status_code == 404


def test_dues_by_channel_and_partner_stay_in_the_askers_area(client, world, partnered):
    """The other branch's officer: its own partner payment (p2) and members (p2, q1), none of this branch's."""
    body = get(client, world.other_cabang, "/api/v1/dashboard").json()
    channels = {row["channel"]: row["amount"] for row in body["dues_by_channel"]}
    assert channels == {"tunai": 0, "bank": 10 * 16800, "lainnya": 0, "mitra": 16800}
    assert [(row["name"], row["members"], row["payments"]) for row in body["dues_by_partner"]] == [
        ("Koperasi Maju Bersama", 1, 1),
        ("Bank Sejahtera", 1, 0),
    ]
    assert {row["registered_by"]: row["members"] for row in body["members_by_registration"]}["mitra"] == 2
    # And this branch's partner figures are not there to ask for.
    assert get(client, world.other_cabang, f"/api/v1/dashboard?scope=village:{VILLAGE_A}").status_code == 404
