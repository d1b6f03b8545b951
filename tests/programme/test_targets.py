"""Targets per year and level, province baselines, the region's seed figures."""

import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.errors import Forbidden, Invalid
from app.programme.models import ProvinceBaseline, Target
from app.programme.targets import seed_region_targets, set_baseline, set_target, targets_for
from tests.factories import VILLAGE_A, actor_of, api_headers, make_branch, make_user


def test_set_target_inserts_then_updates_the_same_row(db):
    wilayah = actor_of(db, make_user(db, "wilayah"))
    first = set_target(db, wilayah, 2026, "region", "", "new_members", 150_000)
    second = set_target(db, wilayah, 2026, "region", "", "new_members", 160_000)
    assert first.id == second.id
    rows = db.exec(select(Target).where(Target.year == 2026, Target.level == "region")).all()
    assert len(rows) == 1 and rows[0].value == 160_000
    assert targets_for(db, 2026, "region") == {"new_members": 160_000}
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "target_set")).all()
    assert [json.loads(e.detail)["to"] for e in entries] == [150_000, 160_000]
    assert json.loads(entries[1].detail)["from"] == 150_000


def test_targets_at_every_level(db):
    wilayah = actor_of(db, make_user(db, "wilayah"))
    branch = make_branch(db, regencies=("12.07",))
    set_target(db, wilayah, 2026, "province", "12", "active_members", 90_000)
    set_target(db, wilayah, 2026, "branch", branch.code.lower(), "villages_diresmikan", 6)
    set_target(db, wilayah, 2026, "village", VILLAGE_A, "new_members", 120)
    assert targets_for(db, 2026, "province", "12") == {"active_members": 90_000}
    assert targets_for(db, 2026, "branch", branch.code) == {"villages_diresmikan": 6}
    assert targets_for(db, 2026, "village", VILLAGE_A) == {"new_members": 120}
    assert targets_for(db, 2027, "village", VILLAGE_A) == {}


@pytest.mark.parametrize(
    "args, field",
    [
        ((2026, "kecamatan", "12.07.02", "new_members", 5), "level"),
        ((2026, "province", "13", "new_members", 5), "scope_code"),
        ((2026, "branch", "NOPE", "new_members", 5), "scope_code"),
        ((2026, "village", "12.07.02.9999", "new_members", 5), "scope_code"),
        ((2026, "region", "", "members", 5), "metric"),
        ((2026, "region", "", "new_members", -1), "value"),
        ((1999, "region", "", "new_members", 5), "year"),
    ],
)
def test_invalid_targets(db, args, field):
    wilayah = actor_of(db, make_user(db, "wilayah"))
    with pytest.raises(Invalid) as refused:
        set_target(db, wilayah, *args)
    assert field in refused.value.errors


@pytest.mark.parametrize("role", ["duta", "cabang", "admin"])
def test_only_wilayah_sets_targets_and_baselines(db, role):
    branch = make_branch(db, regencies=("12.07",))
    user = make_user(db, role, villages=(VILLAGE_A,) if role == "duta" else (), branch_code=branch.code)
    with pytest.raises(Forbidden):
        set_target(db, actor_of(db, user), 2026, "region", "", "new_members", 1)
    with pytest.raises(Forbidden):
        set_baseline(db, actor_of(db, user), "11", 2026, 1_600_000, 480_000)


def test_baselines_are_entered_and_checked(db):
    wilayah = actor_of(db, make_user(db, "wilayah"))
    set_baseline(db, wilayah, "11", 2026, 1_600_000, 480_000)
    set_baseline(db, wilayah, "11", 2026, 1_650_000, 500_000)
    row = db.get(ProvinceBaseline, ("11", 2026))
    assert (row.workers, row.covered) == (1_650_000, 500_000)
    with pytest.raises(Invalid) as refused:
        set_baseline(db, wilayah, "12", 2026, 100, 200)
    assert "covered" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        set_baseline(db, wilayah, "31", 2026, 100, 50)
    assert "province_code" in refused.value.errors
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "baseline_set")).all()) == 2


def test_seed_region_targets_is_idempotent(db):
    seed_region_targets(db, 2026)
    seed_region_targets(db, 2026)
    assert targets_for(db, 2026, "region") == {"new_members": 150_000, "villages_diresmikan": 30}
    aceh = db.get(ProvinceBaseline, ("11", 2026))
    sumut = db.get(ProvinceBaseline, ("12", 2026))
    assert (aceh.workers, aceh.covered) == (1_600_000, 480_000)
    assert (sumut.workers, sumut.covered) == (4_300_000, 1_900_000)
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "target_set")).all()) == 2


def test_targets_api(client, db):
    wilayah = make_user(db, "wilayah")
    headers = api_headers(client, wilayah)
    put = client.put(
        "/api/v1/targets",
        json={"year": 2026, "level": "region", "metric": "villages_diresmikan", "value": 30},
        headers=headers,
    )
    assert put.status_code == 200, put.text
    assert put.json() == {
        "year": 2026,
        "level": "region",
        "scope_code": "",
        "metric": "villages_diresmikan",
        "value": 30,
    }
    baseline = client.put(
        "/api/v1/targets/baselines",
        json={"province_code": "12", "year": 2026, "workers": 4_300_000, "covered": 1_900_000},
        headers=headers,
    )
    assert baseline.status_code == 200
    answer = client.get("/api/v1/targets", params={"year": 2026}, headers=headers).json()
    assert answer["items"] == [put.json()]
    assert answer["baselines"] == [{"province_code": "12", "year": 2026, "workers": 4_300_000, "covered": 1_900_000}]
    bad = client.put(
        "/api/v1/targets",
        json={"year": 2026, "level": "branch", "scope_code": "X", "metric": "new_members", "value": 3},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "scope_code"


def test_targets_api_refuses_other_roles(client, db):
    branch = make_branch(db, regencies=("12.07",))
    cabang = make_user(db, "cabang", branch_code=branch.code)
    headers = api_headers(client, cabang)
    assert client.get("/api/v1/targets", headers=headers).status_code == 403
    put = client.put(
        "/api/v1/targets", json={"year": 2026, "level": "region", "metric": "new_members", "value": 1}, headers=headers
    )
    assert put.status_code == 403
    assert client.get("/api/v1/targets").status_code == 401
