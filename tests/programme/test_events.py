"""Outreach events: creation within scope, filters, sign-ups and the yield per kind of event."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.errors import Invalid
from app.events.models import Event
from app.programme.events import event_yield
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    actor_of,
    api_headers,
    make_branch,
    make_event,
    make_member,
    make_user,
)


def body(**fields):
    base = {
        "kind": "sosialisasi",
        "title": "Sosialisasi BPU",
        "date": today().isoformat(),
        "place": "Balai desa",
        "village_code": VILLAGE_A,
        "attendance": 40,
        "partners": ["Bank Sumut", "Dinas Koperasi"],
    }
    base.update(fields)
    return base


def test_duta_creates_an_event_in_its_village_and_it_is_audited(client, db):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    response = client.post("/api/v1/events", json=body(), headers=api_headers(client, duta))
    assert response.status_code == 201, response.text
    event = db.get(Event, response.json()["id"])
    assert event.village_code == VILLAGE_A and event.attendance == 40 and event.created_by_id == duta.id
    assert json.loads(event.partners) == ["Bank Sumut", "Dinas Koperasi"]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "event_created")).one()
    assert entry.object_type == "event" and entry.object_id == str(event.id) and entry.actor_id == duta.id


def test_duta_cannot_create_outside_its_village_or_for_a_branch(client, db, branch):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    headers = api_headers(client, duta)
    assert client.post("/api/v1/events", json=body(village_code=VILLAGE_B), headers=headers).status_code == 404
    branch_wide = client.post("/api/v1/events", json=body(village_code=None, branch_code=branch.code), headers=headers)
    assert branch_wide.status_code == 403


def test_cabang_creates_for_its_branch_or_its_villages_only(client, db, cabang, branch):
    headers = api_headers(client, cabang)
    assert client.post("/api/v1/events", json=body(village_code=VILLAGE_B), headers=headers).status_code == 201
    own = client.post(
        "/api/v1/events", json=body(village_code=None, branch_code=branch.code, kind="kemitraan"), headers=headers
    )
    assert own.status_code == 201
    other = make_branch(db, regencies=("11.71",))
    assert (
        client.post("/api/v1/events", json=body(village_code=VILLAGE_OTHER_BRANCH), headers=headers).status_code == 404
    )
    assert (
        client.post("/api/v1/events", json=body(village_code=None, branch_code=other.code), headers=headers).status_code
        == 404
    )
    mismatch = client.post("/api/v1/events", json=body(village_code=VILLAGE_A, branch_code=other.code), headers=headers)
    assert mismatch.status_code == 422


def test_wilayah_creates_anywhere_and_admin_may_not(client, db, branch):
    wilayah = make_user(db, "wilayah")
    headers = api_headers(client, wilayah)
    assert (
        client.post("/api/v1/events", json=body(village_code=VILLAGE_OTHER_BRANCH), headers=headers).status_code == 201
    )
    assert (
        client.post(
            "/api/v1/events", json=body(village_code=None, branch_code=branch.code), headers=headers
        ).status_code
        == 201
    )
    admin = make_user(db, "admin")
    assert client.post("/api/v1/events", json=body(), headers=api_headers(client, admin)).status_code == 403


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"attendance": -1}, "attendance"),
        ({"kind": "konser"}, "kind"),
        ({"title": ""}, "title"),
        ({"date": "31-12-2026"}, "date"),
    ],
)
def test_invalid_events_are_refused_by_field(client, db, cabang, fields, field):
    response = client.post("/api/v1/events", json=body(**fields), headers=api_headers(client, cabang))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "Sosialisasi\u202eUPB"}, "title"),
        ({"place": "Balai\x1bdesa"}, "place"),
        ({"partners": ["Bank\x00Sumut"]}, "partners"),
        ({"partners": ["Bank Sumut", "Dinas\u2066Koperasi"]}, "partners"),
        ({"title": "Sosialisasi\nBPU"}, "title"),
    ],
)
def test_control_and_bidi_characters_are_refused_by_field(client, db, cabang, fields, field):
    response = client.post("/api/v1/events", json=body(**fields), headers=api_headers(client, cabang))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field and "karakter kontrol" in error["msg"]
    assert db.exec(select(Event)).first() is None


def test_an_event_needs_a_village_or_a_branch(client, db, cabang):
    response = client.post("/api/v1/events", json=body(village_code=None), headers=api_headers(client, cabang))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "village_code"


def test_list_filters_by_kind_village_branch_and_dates(client, db, cabang, branch):
    wilayah = make_user(db, "wilayah")
    old = make_event(db, cabang, VILLAGE_A, kind="sosialisasi", date=dt.date(2026, 1, 10))
    mid = make_event(db, cabang, VILLAGE_B, kind="senam_bersama", date=dt.date(2026, 3, 5))
    wide = make_event(db, cabang, None, kind="kemitraan", branch_code=branch.code, date=dt.date(2026, 4, 1))
    aceh = make_event(db, wilayah, VILLAGE_OTHER_BRANCH, kind="jemput_bola", date=dt.date(2026, 2, 1))
    headers = api_headers(client, wilayah)

    def ids(**params):
        answer = client.get("/api/v1/events", params=params, headers=headers).json()
        assert answer["total"] == len(answer["items"])
        return {item["id"] for item in answer["items"]}

    assert {old.id, mid.id, wide.id, aceh.id} <= ids()
    assert ids(kind="senam_bersama") >= {mid.id} and old.id not in ids(kind="senam_bersama")
    assert ids(village_code=VILLAGE_A) == {old.id}
    branch_ids = ids(branch_code=branch.code)
    assert {old.id, mid.id, wide.id} <= branch_ids and aceh.id not in branch_ids
    window = ids(**{"from": "2026-02-01", "to": "2026-03-31"})
    assert {aceh.id, mid.id} <= window and old.id not in window and wide.id not in window
    item = client.get(f"/api/v1/events/{mid.id}", headers=headers).json()
    assert item["kind"] == "senam_bersama" and item["signups"] == 0


def test_event_shows_its_signups(client, db, cabang):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    event = make_event(db, duta, VILLAGE_A, attendance=30)
    make_member(db, duta, VILLAGE_A, status="approved", event_id=event.id)
    make_member(db, duta, VILLAGE_A, status="submitted", event_id=event.id)
    make_member(db, duta, VILLAGE_A, status="draft", event_id=event.id)  # not a registration yet
    make_member(db, duta, VILLAGE_A, status="approved")  # not from the event
    detail = client.get(f"/api/v1/events/{event.id}", headers=api_headers(client, cabang)).json()
    assert detail["signups"] == 2 and detail["approved"] == 1


def test_event_yield_counts_per_kind(db, cabang, branch):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    sos1 = make_event(db, duta, VILLAGE_A, kind="sosialisasi", attendance=30)
    make_event(db, duta, VILLAGE_A, kind="sosialisasi", attendance=12)
    senam = make_event(db, cabang, VILLAGE_B, kind="senam_bersama", attendance=100)
    wide = make_event(db, cabang, None, kind="kemitraan", branch_code=branch.code, attendance=8)
    aceh = make_event(db, cabang, VILLAGE_OTHER_BRANCH, kind="jemput_bola", attendance=50)
    for status in ("approved", "approved", "submitted", "rejected", "draft"):
        make_member(db, duta, VILLAGE_A, status=status, event_id=sos1.id)
    make_member(db, duta, VILLAGE_B, status="approved", event_id=senam.id)
    make_member(db, duta, VILLAGE_A, status="submitted", event_id=wide.id)
    make_member(db, duta, VILLAGE_OTHER_BRANCH, status="approved", event_id=aceh.id)

    by_kind = {row["kind"]: row for row in event_yield(db, actor_of(db, cabang))}
    assert by_kind["sosialisasi"] == {
        "kind": "sosialisasi",
        "events": 2,
        "attendance": 42,
        "registered": 4,
        "approved": 2,
    }
    assert by_kind["senam_bersama"] == {
        "kind": "senam_bersama",
        "events": 1,
        "attendance": 100,
        "registered": 1,
        "approved": 1,
    }
    assert by_kind["kemitraan"] == {"kind": "kemitraan", "events": 1, "attendance": 8, "registered": 1, "approved": 0}
    # Banda Aceh is another branch: outside the cabang's area.
    assert by_kind["jemput_bola"] == {
        "kind": "jemput_bola",
        "events": 0,
        "attendance": 0,
        "registered": 0,
        "approved": 0,
    }

    duta_view = {row["kind"]: row for row in event_yield(db, actor_of(db, duta))}
    assert duta_view["sosialisasi"]["events"] == 2 and duta_view["senam_bersama"]["events"] == 0
    assert duta_view["kemitraan"]["events"] == 0

    wilayah = make_user(db, "wilayah")
    region = {row["kind"]: row for row in event_yield(db, actor_of(db, wilayah))}
    assert region["jemput_bola"]["events"] == 1 and region["jemput_bola"]["approved"] == 1
    window = {
        row["kind"]: row for row in event_yield(db, actor_of(db, wilayah), date_from=today() + dt.timedelta(days=1))
    }
    assert all(row["events"] == 0 for row in window.values())


def test_an_event_date_lies_between_2017_and_a_year_ahead(db, monkeypatch):
    import app.programme.events as events

    monkeypatch.setattr(events, "today", lambda: dt.date(2026, 11, 23))
    actor = actor_of(db, make_user(db, "duta", villages=(VILLAGE_A,)))

    def create(day):
        return events.create_event(
            db, actor, kind="sosialisasi", title="Uji", date=day, place="Balai", village_code=VILLAGE_A
        )

    for day in ("2016-12-31", "2027-11-24", "0001-01-01", "9999-12-31"):
        with pytest.raises(Invalid) as refused:
            create(day)
        assert set(refused.value.errors) == {"date"}
        assert "01/01/2017" in refused.value.errors["date"] and "23/11/2027" in refused.value.errors["date"]
    assert create("2017-01-01").date == dt.date(2017, 1, 1)
    assert create(dt.date(2027, 11, 23)).date == dt.date(2027, 11, 23)  # planned a year ahead


def test_an_event_date_a_year_after_29_february(db, monkeypatch):
    import app.programme.events as events

    monkeypatch.setattr(events, "today", lambda: dt.date(2028, 2, 29))
    actor = actor_of(db, make_user(db, "duta", villages=(VILLAGE_A,)))
    kwargs = {"kind": "sosialisasi", "title": "Uji", "place": "Balai", "village_code": VILLAGE_A}
    assert events.create_event(db, actor, date="2029-02-28", **kwargs).date == dt.date(2029, 2, 28)
    with pytest.raises(Invalid):
        events.create_event(db, actor, date="2029-03-01", **kwargs)
