"""The programme's pages, driven as a browser without JavaScript would: GET pages, POST plain forms."""

import datetime as dt

from sqlmodel import select

from app.core.clock import today
from app.events.models import Event
from app.programme.models import StageChange, Target
from app.regions.models import Village
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    make_branch,
    make_event,
    make_member,
    make_user,
    set_village_stage,
    web_login,
)


def _cabang(db):
    branch = make_branch(db, regencies=("12.07",))
    return make_user(db, "cabang", branch_code=branch.code)


def test_village_list_for_cabang_shows_its_branch_only_with_filters(client, db):
    cabang = _cabang(db)
    set_village_stage(db, VILLAGE_A, "sosialisasi", cabang)
    web_login(client, cabang)
    page = client.get("/villages")
    assert page.status_code == 200
    assert "Medan Senembah" in page.text
    assert f'href="/villages/{VILLAGE_OTHER_BRANCH}"' not in page.text  # Banda Aceh, another branch
    filtered = client.get("/villages", params={"stage": "sosialisasi"})
    assert "Medan Senembah" in filtered.text and "Limau Manis" not in filtered.text
    searched = client.get("/villages", params={"q": "limau", "stage": "all"})
    assert "Limau Manis" in searched.text and "Medan Senembah" not in searched.text
    by_district = client.get("/villages", params={"regency": "12.07", "district": "12.07.02", "stage": "all"})
    assert "Medan Senembah" in by_district.text
    assert 'name="district"' in by_district.text
    outside = client.get("/villages", params={"regency": "11.71", "q": "Kampung Baru"})
    assert f'href="/villages/{VILLAGE_OTHER_BRANCH}"' not in outside.text


def test_village_list_opens_on_the_villages_in_the_programme(client, db):
    """A stage reached or members registered: in the programme; the other villages of the branch only
    when asked for all (or for those not in the programme)."""
    cabang = _cabang(db)
    set_village_stage(db, VILLAGE_A, "calon", cabang)
    duta = make_user(db, "duta", villages=(VILLAGE_B,))
    make_member(db, duta, VILLAGE_B, status="submitted")
    web_login(client, cabang)
    opened = client.get("/villages")
    assert "Medan Senembah" in opened.text and "Limau Manis" in opened.text
    assert opened.text.count('<td><a href="/villages/') == 2
    assert '<option value="programme" selected' in opened.text
    every = client.get("/villages", params={"stage": "all"})
    assert 'rel="next"' in every.text  # Deli Serdang has hundreds of villages
    outside = client.get("/villages", params={"stage": "none", "q": "Limau"})
    assert "Limau Manis" not in outside.text
    nothing = client.get("/villages", params={"q": "Kampung Lalang"})
    assert 'href="/villages?stage=all&amp;q=Kampung%20Lalang"' in nothing.text


def test_village_list_for_wilayah_is_paged_over_the_region(client, db):
    wilayah = make_user(db, "wilayah")
    web_login(client, wilayah)
    first = client.get("/villages", params={"stage": "all"})
    assert first.status_code == 200
    assert 'rel="next"' in first.text
    second = client.get("/villages", params={"page": 2, "stage": "all"})
    assert second.status_code == 200 and 'rel="prev"' in second.text
    aceh = client.get("/villages", params={"q": "Kampung Baru", "regency": "11.71", "stage": "all"})
    assert f'href="/villages/{VILLAGE_OTHER_BRANCH}"' in aceh.text


def test_cabang_moves_a_village_through_the_form(client, db):
    cabang = _cabang(db)
    token = web_login(client, cabang)
    page = client.get(f"/villages/{VILLAGE_A}")
    assert page.status_code == 200
    assert "Pilih untuk program" in page.text
    response = client.post(
        f"/villages/{VILLAGE_A}/stage", data={"stage": "calon", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    event = make_event(db, cabang, VILLAGE_A, title="Sosialisasi perangkat desa", date=today() - dt.timedelta(days=1))
    page = client.get(f"/villages/{VILLAGE_A}")
    assert "Sosialisasi perangkat desa" in page.text and 'name="event_id"' in page.text
    response = client.post(
        f"/villages/{VILLAGE_A}/stage",
        data={"stage": "sosialisasi", "event_id": str(event.id), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Tahap dicatat" in page.text
    assert "Riwayat tahap" in page.text and cabang.username in page.text
    assert len(db.exec(select(StageChange).where(StageChange.village_code == VILLAGE_A)).all()) == 2


def test_refused_stage_form_shows_what_is_missing(client, db):
    cabang = _cabang(db)
    set_village_stage(db, VILLAGE_A, "duta", cabang)
    token = web_login(client, cabang)
    response = client.post(
        f"/villages/{VILLAGE_A}/stage",
        data={"stage": "perangkat_terlindungi", "date": "", "csrf_token": token},
        headers={"Accept-Language": "id"},
    )
    assert response.status_code == 409
    assert "daftar perangkat masih kosong" in response.text  # who is missing, from the roster
    invalid = client.post(
        f"/villages/{VILLAGE_A}/stage",
        data={"stage": "perangkat_terlindungi", "date": "kemarin", "csrf_token": token},
    )
    assert invalid.status_code == 422
    assert 'id="date-error"' in invalid.text and 'value="kemarin"' in invalid.text


def test_estimate_form(client, db):
    cabang = _cabang(db)
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    make_member(db, duta, VILLAGE_A, status="approved", covered_until=dt.date(today().year + 1, 1, 1))
    token = web_login(client, cabang)
    bad = client.post(f"/villages/{VILLAGE_A}/estimate", data={"estimated_informal_workers": "0", "csrf_token": token})
    assert bad.status_code == 422 and 'id="estimated_informal_workers-error"' in bad.text
    ok = client.post(
        f"/villages/{VILLAGE_A}/estimate",
        data={"estimated_informal_workers": "400", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    db.expire_all()
    assert db.get(Village, VILLAGE_A).estimated_informal_workers == 400
    page = client.get(f"/villages/{VILLAGE_A}")
    assert "0,2 %" in page.text  # Indonesian decimal comma


def test_duta_and_wilayah_read_the_village_page_without_forms(client, db):
    _cabang(db)
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    web_login(client, duta)
    page = client.get(f"/villages/{VILLAGE_A}")
    assert page.status_code == 200
    assert f'action="/villages/{VILLAGE_A}/stage"' not in page.text
    assert client.get(f"/villages/{VILLAGE_B}").status_code == 404
    client.post("/logout", data={"csrf_token": page.text.split('name="csrf_token" value="')[1].split('"')[0]})
    wilayah = make_user(db, "wilayah")
    token = web_login(client, wilayah)
    page = client.get(f"/villages/{VILLAGE_OTHER_BRANCH}")
    assert page.status_code == 200 and "Kampung Baru" in page.text
    assert f'action="/villages/{VILLAGE_OTHER_BRANCH}/estimate"' not in page.text
    refused = client.post(f"/villages/{VILLAGE_A}/stage", data={"stage": "calon", "csrf_token": token})
    assert refused.status_code == 403


def test_event_form_creates_and_shows_signups(client, db):
    cabang = _cabang(db)
    token = web_login(client, cabang)
    assert client.get("/events/new").status_code == 200
    response = client.post(
        "/events",
        data={
            "csrf_token": token,
            "kind": "kemitraan",
            "title": "Kemitraan BRI",
            "date": today().isoformat(),
            "place": "Kantor BRI Tanjung Morawa",
            "village_code": VILLAGE_A,
            "attendance": "35",
            "partners": "BRI\nDinas Koperasi",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    event = db.exec(select(Event).where(Event.title == "Kemitraan BRI")).one()
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    make_member(db, duta, VILLAGE_A, status="approved", event_id=event.id, full_name="Budi Santoso")
    make_member(db, duta, VILLAGE_A, status="submitted", event_id=event.id, full_name="Sari Dewi")
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Budi Santoso" in page.text and "Sari Dewi" in page.text
    assert "BRI, Dinas Koperasi" in page.text
    listing = client.get("/events")
    assert "Kemitraan BRI" in listing.text


def test_event_form_errors_are_shown_beside_fields(client, db):
    cabang = _cabang(db)
    token = web_login(client, cabang)
    response = client.post(
        "/events",
        data={"csrf_token": token, "kind": "sosialisasi", "title": "", "date": "", "place": "", "attendance": "-1"},
    )
    assert response.status_code == 422
    for field in ("title", "date", "place", "attendance", "village_code"):
        assert f'id="{field}-error"' in response.text
    outside = client.post(
        "/events",
        data={
            "csrf_token": token,
            "kind": "sosialisasi",
            "title": "X",
            "date": today().isoformat(),
            "place": "Y",
            "village_code": VILLAGE_OTHER_BRANCH,
        },
    )
    assert outside.status_code == 422 and "Tidak ada desa bernama" in outside.text
    assert 'id="village_code-error"' in outside.text and 'value="Y"' in outside.text
    other_branch = client.post(
        "/events",
        data={
            "csrf_token": token,
            "kind": "sosialisasi",
            "title": "X",
            "date": today().isoformat(),
            "place": "Y",
            "branch_code": "NOWHERE",
        },
    )
    assert other_branch.status_code == 422 and 'id="branch_code-error"' in other_branch.text
    branch_wide = client.post(
        "/events",
        data={
            "csrf_token": token,
            "kind": "jemput_bola",
            "title": "Jemput bola cabang",
            "date": today().isoformat(),
            "place": "Pasar",
            "branch_wide": "1",
        },
        follow_redirects=False,
    )
    assert branch_wide.status_code == 303
    assert db.exec(select(Event).where(Event.title == "Jemput bola cabang")).one().branch_code == cabang.branch_code


def test_targets_page_for_wilayah_only(client, db):
    cabang = _cabang(db)
    web_login(client, cabang)
    assert client.get("/targets").status_code == 403
    client.cookies.clear()
    wilayah = make_user(db, "wilayah")
    token = web_login(client, wilayah)
    page = client.get("/targets", params={"year": 2026})
    assert page.status_code == 200 and "Aceh" in page.text
    saved = client.post(
        "/targets",
        data={
            "csrf_token": token,
            "year": "2026",
            "level": "region",
            "scope_code": "",
            "metric": "new_members",
            "value": "150000",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "150.000" in client.get("/targets", params={"year": 2026}).text
    bad = client.post(
        "/targets",
        data={
            "csrf_token": token,
            "year": "2026",
            "level": "branch",
            "scope_code": "NOPE",
            "metric": "new_members",
            "value": "5",
        },
    )
    assert bad.status_code == 422 and 'id="scope_code-error"' in bad.text
    baseline = client.post(
        "/targets/baselines",
        data={"csrf_token": token, "year": "2026", "province_code": "11", "workers": "1600000", "covered": "480000"},
        follow_redirects=False,
    )
    assert baseline.status_code == 303
    assert "30,0 %" in client.get("/targets", params={"year": 2026}).text  # Indonesian decimal comma
    wrong = client.post(
        "/targets/baselines",
        data={"csrf_token": token, "year": "2026", "province_code": "12", "workers": "100", "covered": "200"},
    )
    assert wrong.status_code == 422 and 'id="covered-error"' in wrong.text
    assert db.exec(select(Target).where(Target.year == 2026)).one().value == 150_000
