"""Scope of the programme: villages, stages, estimates and events outside one's area stay hidden (404);
visible but the wrong role answers 403."""

import pytest

from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    make_branch,
    make_event,
    make_user,
    set_village_stage,
)


@pytest.fixture
def setup(db):
    north = make_branch(db, regencies=("12.07",))
    aceh = make_branch(db, regencies=("11.71",))
    return {
        "cabang": make_user(db, "cabang", branch_code=north.code),
        "other_cabang": make_user(db, "cabang", branch_code=aceh.code),
        "duta": make_user(db, "duta", villages=(VILLAGE_A,)),
        "wilayah": make_user(db, "wilayah"),
        "north": north,
        "aceh": aceh,
    }


def test_stage_of_another_branchs_village_is_404(client, db, setup):
    headers = api_headers(client, setup["other_cabang"])
    assert (
        client.post(f"/api/v1/villages/{VILLAGE_A}/stage", json={"stage": "calon"}, headers=headers).status_code == 404
    )
    assert client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers).status_code == 404
    patch = client.patch(f"/api/v1/villages/{VILLAGE_A}", json={"estimated_informal_workers": 10}, headers=headers)
    assert patch.status_code == 404
    # Its own village works.
    own = client.post(f"/api/v1/villages/{VILLAGE_OTHER_BRANCH}/stage", json={"stage": "calon"}, headers=headers)
    assert own.status_code == 200


def test_duta_reads_its_village_but_may_not_move_it(client, db, setup):
    headers = api_headers(client, setup["duta"])
    assert client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers).status_code == 200
    assert (
        client.post(f"/api/v1/villages/{VILLAGE_A}/stage", json={"stage": "calon"}, headers=headers).status_code == 403
    )
    patch = client.patch(f"/api/v1/villages/{VILLAGE_A}", json={"estimated_informal_workers": 10}, headers=headers)
    assert patch.status_code == 403
    # Another village of the same district is outside the duta's area.
    assert (
        client.post(f"/api/v1/villages/{VILLAGE_B}/stage", json={"stage": "calon"}, headers=headers).status_code == 404
    )


def test_wilayah_reads_every_village_but_may_not_move_it(client, db, setup):
    headers = api_headers(client, setup["wilayah"])
    set_village_stage(db, VILLAGE_OTHER_BRANCH, "calon", setup["other_cabang"])
    detail = client.get(f"/api/v1/villages/{VILLAGE_OTHER_BRANCH}", headers=headers)
    assert detail.status_code == 200 and detail.json()["stage"] == "calon"
    assert (
        client.post(f"/api/v1/villages/{VILLAGE_A}/stage", json={"stage": "calon"}, headers=headers).status_code == 403
    )
    patch = client.patch(f"/api/v1/villages/{VILLAGE_A}", json={"estimated_informal_workers": 10}, headers=headers)
    assert patch.status_code == 403


def test_not_logged_in_is_401(client, db, setup):
    assert client.post(f"/api/v1/villages/{VILLAGE_A}/stage", json={"stage": "calon"}).status_code == 401
    assert client.get("/api/v1/events").status_code == 401


def test_events_outside_the_area_stay_hidden(client, db, setup):
    village_a = make_event(db, setup["cabang"], VILLAGE_A)
    village_b = make_event(db, setup["cabang"], VILLAGE_B)
    north_wide = make_event(db, setup["cabang"], None, branch_code=setup["north"].code, kind="kemitraan")
    aceh_event = make_event(db, setup["other_cabang"], VILLAGE_OTHER_BRANCH)
    aceh_wide = make_event(db, setup["other_cabang"], None, branch_code=setup["aceh"].code, kind="kemitraan")

    def visible(user):
        headers = api_headers(client, user)
        answer = client.get("/api/v1/events", headers=headers).json()
        return {item["id"] for item in answer["items"]}, headers

    ids, headers = visible(setup["cabang"])
    assert {village_a.id, village_b.id, north_wide.id} <= ids and not {aceh_event.id, aceh_wide.id} & ids
    assert client.get(f"/api/v1/events/{aceh_event.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/events/{aceh_wide.id}", headers=headers).status_code == 404

    ids, headers = visible(setup["duta"])
    assert village_a.id in ids and not {village_b.id, north_wide.id, aceh_event.id, aceh_wide.id} & ids
    assert client.get(f"/api/v1/events/{village_b.id}", headers=headers).status_code == 404

    ids, _headers = visible(setup["wilayah"])
    assert {village_a.id, village_b.id, north_wide.id, aceh_event.id, aceh_wide.id} <= ids


def test_pages_outside_the_area_are_404(client, db, setup):
    from tests.factories import web_login

    aceh_event = make_event(db, setup["other_cabang"], VILLAGE_OTHER_BRANCH)
    web_login(client, setup["cabang"])
    assert client.get(f"/villages/{VILLAGE_OTHER_BRANCH}").status_code == 404
    assert client.get(f"/events/{aceh_event.id}").status_code == 404
    assert client.get(f"/villages/{VILLAGE_A}").status_code == 200
