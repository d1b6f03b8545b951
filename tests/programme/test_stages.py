"""Desa Sadar stages: evidence, refusals naming what is missing, order, history and audit."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.programme.models import StageChange
from app.regions.models import Village
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    actor_of,
    api_headers,
    make_branch,
    make_event,
    make_member,
    make_payment,
    make_user,
    set_village_stage,
    web_login,
)


@pytest.fixture
def cabang(db):
    branch = make_branch(db, regencies=("12.07",))
    return make_user(db, "cabang", branch_code=branch.code)


def protect_officials(db, cabang, code=VILLAGE_A, paid=True):
    """A roster of a head and a secretary, both approved members, paid for this month unless told."""
    from app.programme import officials

    duta = make_user(db, "duta", villages=(code,))
    head = make_member(db, duta, code, status="approved", full_name="Pak Kades")
    secretary = make_member(db, duta, code, status="approved", full_name="Bu Sekdes")
    if paid:
        make_payment(db, duta, head)
        make_payment(db, duta, secretary)
    items = [
        {"position": "kepala_desa", "name": "Pak Kades", "member_id": head.id},
        {"position": "sekretaris_desa", "name": "Bu Sekdes", "member_id": secretary.id},
    ]
    officials.replace_roster(db, actor_of(db, cabang), code, items)
    return head, secretary


def move(client, headers, stage, code=VILLAGE_A, **evidence):
    return client.post(f"/api/v1/villages/{code}/stage", json={"stage": stage, **evidence}, headers=headers)


def test_choosing_a_village_makes_it_calon(client, db, cabang):
    headers = api_headers(client, cabang)
    response = move(client, headers, "calon")
    assert response.status_code == 200, response.text
    assert response.json()["stage"] == "calon"
    village = db.get(Village, VILLAGE_A)
    db.refresh(village)
    assert village.stage == "calon" and village.stage_since == today()


def test_full_path_with_evidence_writes_history_and_audit(client, db, cabang):
    headers = api_headers(client, cabang)
    assert move(client, headers, "calon").status_code == 200
    event = make_event(db, cabang, VILLAGE_A, kind="sosialisasi", date=today() - dt.timedelta(days=3))
    assert move(client, headers, "sosialisasi", event_id=event.id).status_code == 200
    make_user(db, "duta", villages=(VILLAGE_A,))
    assert move(client, headers, "duta").status_code == 200
    head, _secretary = protect_officials(db, cabang)
    assert move(client, headers, "perangkat_terlindungi").status_code == 200
    decree_date = today()
    response = move(client, headers, "diresmikan", decree_number="141/12/SK/2026", date=decree_date.isoformat())
    assert response.status_code == 200, response.text
    assert response.json() == {"stage": "diresmikan", "stage_since": decree_date.isoformat()}

    changes = db.exec(select(StageChange).where(StageChange.village_code == VILLAGE_A).order_by(StageChange.id)).all()
    assert [c.stage for c in changes] == ["calon", "sosialisasi", "duta", "perangkat_terlindungi", "diresmikan"]
    assert all(c.recorded_by_id == cabang.id for c in changes)
    assert json.loads(changes[1].evidence)["event_id"] == event.id
    officials = json.loads(changes[3].evidence)["officials"]
    assert [(o["position"], o["member_number"]) for o in officials] == [
        ("kepala_desa", head.member_number),
        ("sekretaris_desa", _secretary.member_number),
    ]
    assert json.loads(changes[4].evidence)["decree_number"] == "141/12/SK/2026"
    entries = db.exec(
        select(AuditEntry).where(AuditEntry.action == "stage_changed", AuditEntry.object_id == VILLAGE_A)
    ).all()
    assert len(entries) == 5
    assert all(e.object_type == "village" and e.actor_id == cabang.id for e in entries)

    detail = client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers).json()
    assert detail["stage"] == "diresmikan"
    assert [row["stage"] for row in detail["stage_history"]][-1] == "diresmikan"
    assert detail["stage_history"][0]["recorded_by"] == cabang.username


def test_sosialisasi_needs_an_event(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    response = move(client, api_headers(client, cabang), "sosialisasi")
    assert response.status_code == 409
    assert "kegiatan sosialisasi" in response.json()["detail"]
    assert "event_id" not in response.json()["detail"]  # no field names in what people read


def test_sosialisasi_refuses_a_future_event(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    event = make_event(db, cabang, VILLAGE_A, date=today() + dt.timedelta(days=2))
    response = move(client, api_headers(client, cabang), "sosialisasi", event_id=event.id)
    assert response.status_code == 409
    assert "sesudah tanggal tahap ini" in response.json()["detail"]


def test_sosialisasi_event_on_or_before_the_stage_date(client, db, cabang):
    """A stage dated back needs its socialisation event on or before that date."""
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    since = db.get(Village, VILLAGE_A).stage_since
    event = make_event(db, cabang, VILLAGE_A, date=since + dt.timedelta(days=5))
    headers = {**api_headers(client, cabang), "Accept-Language": "id"}
    early = move(client, headers, "sosialisasi", event_id=event.id, date=(since + dt.timedelta(days=2)).isoformat())
    assert early.status_code == 409 and "sesudah tanggal tahap ini" in early.json()["detail"]
    on_the_day = move(client, headers, "sosialisasi", event_id=event.id, date=event.date.isoformat())
    assert on_the_day.status_code == 200, on_the_day.text


def test_sosialisasi_accepts_an_event_of_today(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    event = make_event(db, cabang, VILLAGE_A, date=today())
    assert move(client, api_headers(client, cabang), "sosialisasi", event_id=event.id).status_code == 200


@pytest.mark.parametrize("where, kind", [(VILLAGE_B, "sosialisasi"), (VILLAGE_A, "senam_bersama")])
def test_sosialisasi_refuses_an_event_of_another_village_or_kind(client, db, cabang, where, kind):
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    event = make_event(db, cabang, where, kind=kind)
    response = move(client, api_headers(client, cabang), "sosialisasi", event_id=event.id)
    assert response.status_code == 409
    assert "bukan kegiatan sosialisasi di desa ini" in response.json()["detail"]


def test_duta_stage_needs_an_active_duta_account(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "sosialisasi", cabang)
    headers = api_headers(client, cabang)
    # A duta of another village and an inactive duta of this one do not count.
    make_user(db, "duta", villages=(VILLAGE_B,))
    inactive = make_user(db, "duta", villages=(VILLAGE_A,))
    inactive.is_active = False
    db.add(inactive)
    db.commit()
    response = move(client, headers, "duta")
    assert response.status_code == 409
    assert "akun duta yang aktif" in response.json()["detail"]
    active = make_user(db, "duta", villages=(VILLAGE_A,))
    response = move(client, headers, "duta")
    assert response.status_code == 200
    change = db.exec(select(StageChange).where(StageChange.stage == "duta")).one()
    assert json.loads(change.evidence) == {"duta_accounts": [active.username]}


def test_officials_protected_is_computed_from_the_roster(client, db, cabang):
    """Typed numbers are not evidence: the roster must hold the head and the secretary, each an approved
    member covered in the stage's month; the refusal names who is missing."""
    set_village_stage(db, VILLAGE_A, "duta", cabang)
    headers = {**api_headers(client, cabang), "Accept-Language": "id"}
    empty = move(client, headers, "perangkat_terlindungi", enrolled=9, total=9)
    assert empty.status_code == 409 and "daftar perangkat masih kosong" in empty.json()["detail"]
    protect_officials(db, cabang, paid=False)
    unpaid = move(client, headers, "perangkat_terlindungi")
    assert unpaid.status_code == 409
    assert "Kepala desa Pak Kades tidak terlindungi" in unpaid.json()["detail"]
    assert "Sekretaris desa Bu Sekdes tidak terlindungi" in unpaid.json()["detail"]
    assert db.get(Village, VILLAGE_A).stage == "duta"


def test_officials_covered_on_a_past_stage_date(client, db, cabang):
    """A stage entered late is checked on its own date: cover bought later does not reach back."""
    set_village_stage(db, VILLAGE_A, "duta", cabang)
    protect_officials(db, cabang)
    headers = {**api_headers(client, cabang), "Accept-Language": "id"}
    earlier = (today().replace(day=1) - dt.timedelta(days=1)).isoformat()  # last month: not covered then
    assert move(client, headers, "perangkat_terlindungi", date=earlier).status_code in (409, 422)
    assert move(client, headers, "perangkat_terlindungi").status_code == 200


def test_diresmikan_needs_decree_number_and_date(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "perangkat_terlindungi", cabang)
    headers = api_headers(client, cabang)
    response = move(client, headers, "diresmikan")
    assert response.status_code == 409
    assert response.json()["detail"] == "Bukti belum ada: tanggal SK atau MoU."
    only_date = move(client, headers, "diresmikan", date=today().isoformat())
    assert only_date.status_code == 409
    assert only_date.json()["detail"] == "Bukti belum ada: nomor SK atau MoU."
    future = move(
        client, headers, "diresmikan", decree_number="SK-1", date=(today() + dt.timedelta(days=1)).isoformat()
    )
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"][-1] == "date"
    hidden = move(client, headers, "diresmikan", decree_number="SK\u202e-1", date=today().isoformat())
    assert hidden.status_code == 422
    assert hidden.json()["detail"][0]["loc"][-1] == "decree_number"


def test_diresmikan_needs_every_earlier_stage_in_the_history(client, db, cabang):
    # The stage column says perangkat_terlindungi, but no history proves the earlier stages.
    set_village_stage(db, VILLAGE_A, "perangkat_terlindungi", recorded_by=None)
    response = move(client, api_headers(client, cabang), "diresmikan", decree_number="SK-1", date=today().isoformat())
    assert response.status_code == 409
    assert "Calon" in response.json()["detail"] and "Tahap sebelumnya belum dicapai" in response.json()["detail"]


def test_stages_cannot_be_skipped(client, db, cabang):
    headers = api_headers(client, cabang)
    response = move(client, headers, "sosialisasi", event_id=make_event(db, cabang, VILLAGE_A).id)
    assert response.status_code == 409
    assert "Calon" in response.json()["detail"]
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    make_user(db, "duta", villages=(VILLAGE_A,))
    skipped = move(client, headers, "duta")
    assert skipped.status_code == 409
    assert "Sosialisasi" in skipped.json()["detail"]
    assert db.get(Village, VILLAGE_A).stage == "calon"


def test_stages_do_not_go_back_or_repeat(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "duta", cabang)
    headers = api_headers(client, cabang)
    back = move(client, headers, "calon")
    assert back.status_code == 409
    assert "tidak dapat mundur" in back.json()["detail"]
    again = move(client, headers, "duta")
    assert again.status_code == 409


def test_unknown_stage_is_a_validation_error(client, db, cabang):
    response = move(client, api_headers(client, cabang), "selesai")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "stage"
    # In the user's language, naming the field and its values (the schema lists them too).
    assert response.json()["detail"][0]["msg"] == (
        "stage: pilih salah satu dari calon, sosialisasi, duta, perangkat_terlindungi, diresmikan."
    )


def test_refusals_write_nothing(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    before = len(db.exec(select(StageChange)).all())
    assert move(client, api_headers(client, cabang), "sosialisasi").status_code == 409
    assert len(db.exec(select(StageChange)).all()) == before
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "stage_changed")).first() is None


def test_english_message_on_request(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    response = client.post(
        f"/api/v1/villages/{VILLAGE_A}/stage?lang=en",
        json={"stage": "sosialisasi"},
        headers=api_headers(client, cabang),
    )
    assert response.status_code == 409
    assert "socialisation event" in response.json()["detail"]


def test_estimate_is_kept_by_the_branch_and_audited(client, db, cabang):
    headers = api_headers(client, cabang)
    response = client.patch(f"/api/v1/villages/{VILLAGE_A}", json={"estimated_informal_workers": 850}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["estimated_informal_workers"] == 850
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "estimate_set")).one()
    assert entry.object_id == VILLAGE_A and json.loads(entry.detail)["to"] == 850
    for bad in (0, -5, "banyak"):
        refused = client.patch(
            f"/api/v1/villages/{VILLAGE_A}", json={"estimated_informal_workers": bad}, headers=headers
        )
        assert refused.status_code == 422


def test_coverage_is_active_members_over_the_estimate(client, db, cabang):
    from app.core.clock import add_months, month_start
    from tests.factories import make_member

    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    for _ in range(3):
        make_member(db, duta, VILLAGE_A, status="approved", covered_until=add_months(month_start(today()), 2))
    make_member(db, duta, VILLAGE_A, status="approved", covered_until=None)
    headers = api_headers(client, cabang)
    client.patch(f"/api/v1/villages/{VILLAGE_A}", json={"estimated_informal_workers": 200}, headers=headers)
    detail = client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers).json()
    assert detail["counts"]["aktif"] == 3
    assert detail["coverage_percent"] == 1.5


def test_a_concurrent_move_of_the_same_village_is_refused(client, db, cabang, monkeypatch):
    """If another request moved the village between reading and writing, this one changes nothing."""
    from sqlalchemy import update

    from app.programme import stages as programme_stages

    set_village_stage(db, VILLAGE_A, "sosialisasi", cabang)
    make_user(db, "duta", villages=(VILLAGE_A,))
    real = programme_stages.active_duta_accounts

    def moved_meanwhile(session, code):
        accounts = real(session, code)
        session.execute(update(Village).where(Village.code == code).values(stage="duta"))
        return accounts

    monkeypatch.setattr(programme_stages, "active_duta_accounts", moved_meanwhile)
    response = move(client, api_headers(client, cabang), "duta")
    assert response.status_code == 409
    assert "pada saat yang sama" in response.json()["detail"]
    assert db.exec(select(StageChange).where(StageChange.stage == "duta")).first() is None


def test_a_stage_may_be_dated_in_the_past_but_not_before_the_previous_one(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "calon", cabang)  # reached 30 days ago
    headers = api_headers(client, cabang)
    event = make_event(db, cabang, VILLAGE_A, kind="sosialisasi", date=today() - dt.timedelta(days=20))
    too_early = move(
        client, headers, "sosialisasi", event_id=event.id, date=(today() - dt.timedelta(days=31)).isoformat()
    )
    assert too_early.status_code == 422 and too_early.json()["detail"][0]["loc"][-1] == "date"
    future = move(client, headers, "sosialisasi", event_id=event.id, date=(today() + dt.timedelta(days=1)).isoformat())
    assert future.status_code == 422 and future.json()["detail"][0]["loc"][-1] == "date"
    past = today() - dt.timedelta(days=20)
    response = move(client, headers, "sosialisasi", event_id=event.id, date=past.isoformat())
    assert response.status_code == 200 and response.json()["stage_since"] == past.isoformat()
    change = db.exec(select(StageChange).where(StageChange.stage == "sosialisasi")).one()
    assert change.reached_on == past
    assert db.get(Village, VILLAGE_A).stage_since == past


def test_stage_form_has_a_date_and_shows_conflicts_beside_their_fields(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "duta", cabang)
    token = web_login(client, cabang)
    page = client.get(f"/villages/{VILLAGE_A}").text
    assert f'name="date" type="date" value="{today().isoformat()}"' in page or (
        'name="date"' in page and f'value="{today().isoformat()}"' in page
    )
    refused = client.post(
        f"/villages/{VILLAGE_A}/stage",
        data={"csrf_token": token, "stage": "perangkat_terlindungi"},
        headers={"Accept-Language": "id"},
    )
    assert refused.status_code == 409
    assert 'id="stage-error"' in refused.text and "daftar perangkat masih kosong" in refused.text


def test_stage_form_shows_a_conflict_naming_no_field_above_the_form(client, db, cabang):
    set_village_stage(db, VILLAGE_A, "duta", cabang)
    token = web_login(client, cabang)
    refused = client.post(
        f"/villages/{VILLAGE_A}/stage",
        data={"csrf_token": token, "stage": "calon", "date": "2020-01-02"},
        headers={"Accept-Language": "id"},
    )
    assert refused.status_code == 409
    assert 'id="stage-error"' in refused.text and "tidak dapat mundur" in refused.text
    assert 'value="2020-01-02"' in refused.text  # what was typed
    assert db.get(Village, VILLAGE_A).stage == "duta"


def test_diresmikan_needs_the_earlier_evidence_still_true_on_its_date(client, db, cabang):
    """A roster protected when its stage was reached may have lapsed by the decree: the decree waits."""
    set_village_stage(db, VILLAGE_A, "perangkat_terlindungi", cabang)
    headers = {**api_headers(client, cabang), "Accept-Language": "id"}
    no_duta = move(client, headers, "diresmikan", decree_number="SK-1", date=today().isoformat())
    assert no_duta.status_code == 409 and "akun duta" in no_duta.json()["detail"]
    protect_officials(db, cabang, paid=False)  # a duta account now, but the officials are not covered
    lapsed = move(client, headers, "diresmikan", decree_number="SK-1", date=today().isoformat())
    assert lapsed.status_code == 409 and "tanggal SK" in lapsed.json()["detail"]
    assert "Pak Kades tidak terlindungi" in lapsed.json()["detail"]
    assert db.get(Village, VILLAGE_A).stage == "perangkat_terlindungi"
