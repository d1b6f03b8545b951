"""Places chosen by name: the search as you type, the name sent back resolved to its code within the
actor's scope, and the forms that use the picker (a refused name keeps what was typed, 422)."""

import pytest

from app.auth import places
from app.core.bounds import MAX_SEARCH_LENGTH
from app.core.errors import Invalid
from tests.factories import VILLAGE_A, VILLAGE_OTHER_BRANCH, actor_of, make_branch, make_user, web_login

# Three villages of Deli Serdang are called Bintang Meriah, in three districts.
BINTANG_MERIAH_PANCUR_BATU = "12.07.05.2001"


@pytest.fixture
def cabang(db):
    return make_user(db, "cabang", branch_code=make_branch(db, regencies=("12.07",)).code)


def test_search_finds_by_part_of_the_name_names_starting_with_it_first(db, cabang):
    found = places.search_places(db, actor_of(db, cabang), "village", "senem")
    assert [p.label for p in found] == ["Medan Senembah — Tanjung Morawa"]
    found = places.search_places(db, actor_of(db, cabang), "village", "meriah")
    assert len(found) <= places.MAX_RESULTS
    assert all("meriah" in p.name.lower() for p in found)
    assert [p.name.lower().startswith("meriah") for p in found] == sorted(
        (p.name.lower().startswith("meriah") for p in found), reverse=True
    )


def test_results_are_limited(db, cabang):
    assert len(places.search_places(db, actor_of(db, cabang), "village", "a")) == places.MAX_RESULTS


def test_a_name_resolves_to_its_code_a_label_when_several_share_it(db, cabang):
    actor = actor_of(db, cabang)
    assert places.resolve_place(db, actor, "village", "  medan   senembah ", "v") == VILLAGE_A
    assert places.resolve_place(db, actor, "village", VILLAGE_A, "v") == VILLAGE_A  # a select, a link
    assert places.resolve_place(db, actor, "village", "", "v") is None
    with pytest.raises(Invalid) as ambiguous:
        places.resolve_place(db, actor, "village", "Bintang Meriah", "v")
    assert "Bintang Meriah — Pancur Batu" in ambiguous.value.errors["v"]
    label = "Bintang Meriah — Pancur Batu"
    assert places.resolve_place(db, actor, "village", label, "v") == BINTANG_MERIAH_PANCUR_BATU
    with pytest.raises(Invalid) as unknown:
        places.resolve_place(db, actor, "village", "Desa Tiada", "v")
    assert "Desa Tiada" in unknown.value.errors["v"]
    with pytest.raises(Invalid):
        places.resolve_place(db, actor, "village", "x" * (MAX_SEARCH_LENGTH + 1), "v")


def test_other_levels_district_regency_and_branch(db, cabang):
    actor = actor_of(db, cabang)
    assert places.resolve_place(db, actor, "district", "Tanjung Morawa", "d") == "12.07.02"
    assert places.resolve_place(db, actor, "regency", "deli serdang", "r") == "12.07"
    assert places.resolve_place(db, actor, "branch", cabang.branch_code, "b") == cabang.branch_code
    with pytest.raises(Invalid):
        places.resolve_place(db, actor, "regency", "Kota Banda Aceh", "r")


def test_a_duta_with_few_villages_gets_a_select(db):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    picker = places.picker(db, actor_of(db, duta), "village", VILLAGE_A)
    assert picker.as_select and [p.code for p in picker.options] == [VILLAGE_A]
    assert picker.text == "Medan Senembah — Tanjung Morawa"


def test_a_code_in_the_link_shows_its_name_a_refused_name_what_was_typed(db, cabang):
    actor = actor_of(db, cabang)
    assert places.picker(db, actor, "village", VILLAGE_A).text == "Medan Senembah — Tanjung Morawa"
    assert places.picker(db, actor, "village", "Desa Tiada").text == "Desa Tiada"
    outside = places.picker(db, actor, "village", VILLAGE_OTHER_BRANCH)
    assert outside.code == "" and not outside.as_select


# ------------------------------------------------------------------------------------------- pages


def test_the_search_answers_options_of_names(client, db, cabang):
    web_login(client, cabang)
    answer = client.get("/places", params={"level": "village", "field": "village_code", "village_code": "senem"})
    assert answer.status_code == 200
    assert '<option value="Medan Senembah — Tanjung Morawa">' in answer.text
    assert VILLAGE_A not in answer.text
    too_long = client.get("/places", params={"level": "village", "q": "x" * (MAX_SEARCH_LENGTH + 1)})
    assert too_long.status_code == 422
    assert "<option" not in client.get("/places", params={"level": "region", "q": "a"}).text
    assert client.get("/places", params={"level": "village", "field": "Bad-Name"}).status_code == 404


def test_an_event_is_recorded_for_a_village_chosen_by_name(client, db, cabang):
    token = web_login(client, cabang)
    form = {"csrf_token": token, "kind": "sosialisasi", "title": "Sosialisasi", "date": "2026-01-15"}
    form |= {"place": "Balai desa", "attendance": "10", "village_code": "Bintang Meriah"}
    refused = client.post("/events", data=form)
    assert refused.status_code == 422
    assert 'id="village_code-error"' in refused.text and "Bintang Meriah — Batang Kuis" in refused.text
    assert 'value="Bintang Meriah"' in refused.text  # what was typed is kept
    form["village_code"] = "Bintang Meriah — Pancur Batu"
    saved = client.post("/events", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert "Bintang Meriah" in client.get(saved.headers["location"]).text


def test_a_village_code_in_the_link_prefills_the_event_form(client, db, cabang):
    web_login(client, cabang)
    page = client.get("/events/new", params={"village_code": VILLAGE_A})
    assert 'value="Medan Senembah — Tanjung Morawa"' in page.text
    assert "12.07.02.2001" not in page.text.split("<main", 1)[1]


def test_the_events_filter_takes_a_name(client, db, cabang):
    web_login(client, cabang)
    assert client.get("/events", params={"village_code": "Medan Senembah"}).status_code == 200
    unknown = client.get("/events", params={"village_code": "Desa Tiada"})
    assert unknown.status_code == 422 and 'id="village_code-error"' in unknown.text


def test_a_duta_account_is_made_for_villages_chosen_by_name(client, db):
    admin = make_user(db, "admin")
    token = web_login(client, admin)
    form = {"csrf_token": token, "username": "duta.nama", "full_name": "Pak Kades", "password": "a-good-password"}
    form |= {"role": "duta", "villages": ["Medan Senembah", "Kampung Baru — Baiturrahman", ""]}
    made = client.post("/users", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    page = client.get("/users")
    assert "Medan Senembah" in page.text and "Kampung Baru" in page.text
    form |= {"username": "duta.lain", "villages": ["Desa Tiada"]}
    refused = client.post("/users", data=form)
    assert refused.status_code == 422
    assert 'id="village_codes-error"' in refused.text and 'value="Desa Tiada"' in refused.text


def test_part_of_a_name_will_do_when_only_one_place_has_it(db, cabang):
    actor = actor_of(db, cabang)
    assert places.resolve_place(db, actor, "village", "senembah", "v") == VILLAGE_A
    with pytest.raises(Invalid) as several:
        places.resolve_place(db, actor, "village", "meriah", "v")
    assert "Bintang Meriah — Pancur Batu" in several.value.errors["v"]


def test_a_target_is_set_for_a_place_chosen_by_name_and_listed_by_name(client, db):
    token = web_login(client, make_user(db, "wilayah"))
    form = {"csrf_token": token, "year": "2026", "metric": "new_members", "value": "100"}
    saved = client.post("/targets", data=form | {"level": "province", "scope_code": "Sumatera Utara"})
    assert saved.status_code == 200 and "Sumatera Utara" in saved.text  # followed to the list
    village = client.post("/targets", data=form | {"level": "village", "scope_code": "Medan Senembah"})
    assert "Medan Senembah — Tanjung Morawa" in village.text
    refused = client.post("/targets", data=form | {"level": "branch", "scope_code": "Cabang Tiada"})
    assert refused.status_code == 422 and 'id="scope_code-error"' in refused.text
    assert 'value="Cabang Tiada"' in refused.text
    options = client.get("/places", params={"field": "scope_code", "level": "province", "scope_code": "aceh"})
    assert '<option value="Aceh">' in options.text
