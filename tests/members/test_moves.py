"""A member moving away (`pindah`): asked by the duta, confirmed by the branch of the NEW village; the
member and its monthly roll-up counts move together, audited; refusals leave everything as it was."""

import datetime as dt

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.dues import rollup
from app.dues.models import RegencyDues, RegencyMonth, VillageMonth
from app.members.models import Member, MoveRequest
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    csrf_from,
    dues_from_scratch,
    make_branch,
    make_member,
    make_payment,
    make_user,
    rollup_from_scratch,
    web_login,
)
from tests.members.helpers import error_fields


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "new_cabang": make_user(db, "cabang", branch_code=other.code),
        "new_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
    }


@pytest.fixture
def member(db, people):
    member = make_member(db, people["duta"], VILLAGE_A, status="approved")
    make_payment(db, people["duta"], member, months=3, paid_on=dt.date(2025, 2, 10))
    make_payment(db, people["duta"], member, months=2)  # after a gap
    return member


def _post(client, people, who, path, **body):
    return client.post(f"/api/v1{path}", json=body, headers=api_headers(client, people[who]))


def _ask(client, people, member, village_code=VILLAGE_OTHER_BRANCH, **body):
    return _post(client, people, "duta", f"/members/{member.id}/moves", village_code=village_code, **body)


def test_confirmed_by_the_new_branch_the_member_and_its_counts_move(client, db, people, member):
    asked = _ask(client, people, member, reason="Ikut suami")
    assert asked.status_code == 201, asked.text
    move_id = asked.json()["id"]
    assert asked.json()["from_village_code"] == VILLAGE_A and asked.json()["status"] == "pending"
    # The member's own branch does not decide; the new one sees it waiting.
    assert _post(client, people, "cabang", f"/moves/{move_id}/confirm").status_code == 404
    pending = client.get("/api/v1/moves", headers=api_headers(client, people["new_cabang"])).json()
    assert [m["id"] for m in pending] == [move_id]
    before = rollup.snapshot(db, VillageMonth)
    assert any(village == VILLAGE_A for village, _month in before)

    confirmed = _post(client, people, "new_cabang", f"/moves/{move_id}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "approved"
    db.expire_all()
    assert db.get(Member, member.id).village_code == VILLAGE_OTHER_BRANCH
    villages, regencies = rollup_from_scratch(db)
    dues_villages, dues_regencies = dues_from_scratch(db)
    assert rollup.dues_snapshot(db) == dues_villages
    assert rollup.dues_snapshot(db, RegencyDues) == dues_regencies
    assert rollup.snapshot(db, VillageMonth) == villages
    assert rollup.snapshot(db, RegencyMonth) == regencies
    assert not any(village == VILLAGE_A for village, _month in villages)
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_id == str(member.id))).all()
    assert {"member_move_requested", "member_moved"} <= set(actions)
    # Handed over: the new village's duta has the member, the old one no longer.
    assert client.get(f"/api/v1/members/{member.id}", headers=api_headers(client, people["new_duta"])).is_success
    assert client.get(f"/api/v1/members/{member.id}", headers=api_headers(client, people["duta"])).status_code == 404
    assert _post(client, people, "new_cabang", f"/moves/{move_id}/confirm").status_code == 409


def test_refused_with_a_reason_nothing_moves(client, db, people, member):
    move_id = _ask(client, people, member).json()["id"]
    before = rollup.snapshot(db, VillageMonth)
    assert _post(client, people, "new_cabang", f"/moves/{move_id}/reject", reason="x").status_code == 422
    refused = _post(client, people, "new_cabang", f"/moves/{move_id}/reject", reason="Tidak ditemukan di desa")
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"
    db.expire_all()
    assert db.get(Member, member.id).village_code == VILLAGE_A
    assert rollup.snapshot(db, VillageMonth) == before
    assert _ask(client, people, member).status_code == 201  # may be asked again


@pytest.mark.parametrize(
    ("village_code", "field"), [("", "village_code"), ("99.99.99.9999", "village_code"), (VILLAGE_A, "village_code")]
)
def test_the_new_village_must_exist_and_differ(client, db, people, member, village_code, field):
    response = _ask(client, people, member, village_code=village_code)
    assert response.status_code == 422 and field in error_fields(response)
    assert db.exec(select(MoveRequest)).all() == []


def test_refusals(client, db, people, member):
    submitted = make_member(db, people["duta"], VILLAGE_A, status="submitted")
    assert _ask(client, people, submitted).status_code == 409
    assert (
        _post(client, people, "cabang", f"/members/{member.id}/moves", village_code=VILLAGE_OTHER_BRANCH).status_code
        == 403
    )
    assert (
        _post(client, people, "new_duta", f"/members/{member.id}/moves", village_code=VILLAGE_OTHER_BRANCH).status_code
        == 404
    )
    move_id = _ask(client, people, member).json()["id"]
    assert _ask(client, people, member).status_code == 409  # one at a time
    assert _post(client, people, "new_duta", f"/moves/{move_id}/confirm").status_code == 403
    assert _post(client, people, "new_cabang", "/moves/999999/confirm").status_code == 404
    assert client.get("/api/v1/moves", headers=api_headers(client, people["cabang"])).json() == []


def test_pages_record_list_refuse_and_confirm(client, db, people, member):
    web_login(client, people["duta"])
    assert f"/members/{member.id}/move" in client.get(f"/members/{member.id}").text
    form = client.get(f"/members/{member.id}/move")
    assert form.status_code == 200 and "Limau Manis — Tanjung Morawa" in form.text  # a village nearby is offered
    csrf = csrf_from(form.text)
    refused = client.post(f"/members/{member.id}/move", data={"csrf_token": csrf, "village_code": "", "reason": ""})
    assert refused.status_code == 422 and 'id="village_code-error"' in refused.text
    # Chosen by name, anywhere in the region (not only the duta's area): an unknown or shared name is
    # refused beside the field with what was typed; the name with its district is the one village.
    for typed, message in (("Desa Entah", "Tidak ada desa bernama"), ("Kampung Baru", "Ada beberapa tempat")):
        refused = client.post(
            f"/members/{member.id}/move", data={"csrf_token": csrf, "village_code": typed, "reason": "Ikut suami"}
        )
        assert refused.status_code == 422 and message in refused.text and f'value="{typed}"' in refused.text
    sent = client.post(
        f"/members/{member.id}/move",
        data={"csrf_token": csrf, "village_code": "Kampung Baru — Baiturrahman", "reason": "Ikut suami"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(f"/members/{member.id}").text
    assert "Pindah ke Kampung Baru — Baiturrahman" in page and f"/members/{member.id}/move" not in page
    move_id = db.exec(select(MoveRequest)).one().id

    web_login(client, people["new_cabang"])
    assert "/moves" in client.get("/").text
    listing = client.get("/moves")
    assert member.full_name in listing.text and "Ikut suami" in listing.text
    csrf = csrf_from(listing.text)
    refused = client.post(f"/moves/{move_id}/reject", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    done = client.post(f"/moves/{move_id}/confirm", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert db.get(Member, member.id).village_code == VILLAGE_OTHER_BRANCH
    assert member.full_name not in client.get("/moves").text


def test_the_new_village_follows_a_member_noted_as_moved(client, db, people, member):
    """A contact 'pindah' takes the member off the old duta's lists; once the move is confirmed the
    member is on the new village's follow-up lists again."""
    from app.followups import service as followups
    from tests.factories import actor_of

    assert _post(client, people, "duta", f"/members/{member.id}/contacts", outcome="pindah").status_code == 201
    assert followups.counts(db, actor_of(db, people["duta"]))["due_this_month"] == 0
    move_id = _ask(client, people, member).json()["id"]
    assert followups.counts(db, actor_of(db, people["new_duta"])) == dict.fromkeys(followups.LIST_LABELS, 0)
    assert _post(client, people, "new_cabang", f"/moves/{move_id}/confirm").status_code == 200
    db.expire_all()
    counts = followups.counts(db, actor_of(db, people["new_duta"]))
    assert sum(counts.values()) == 1
