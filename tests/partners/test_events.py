"""A partnership (`kemitraan`) event names its partner: through the API and the event form."""

from app.events.models import Event
from tests.factories import VILLAGE_A, api_headers, csrf_from, web_login


def event(**fields):
    return {"kind": "kemitraan", "title": "MoU Koperasi", "date": "2026-11-02", "place": "Balai desa", **fields}


def test_a_partnership_event_links_its_partner(client, db, duta, partner):
    headers = api_headers(client, duta)
    response = client.post("/api/v1/events", json=event(village_code=VILLAGE_A, partner_id=partner.id), headers=headers)
    assert response.status_code == 201, response.text
    assert db.get(Event, response.json()["id"]).partner_id == partner.id


def test_only_a_partnership_event_names_a_known_partner(client, db, duta, partner):
    headers = api_headers(client, duta)
    for body in (
        event(kind="sosialisasi", village_code=VILLAGE_A, partner_id=partner.id),
        event(village_code=VILLAGE_A, partner_id=999_999),
    ):
        response = client.post("/api/v1/events", json=body, headers=headers)
        assert response.status_code == 422
        assert [error["loc"][-1] for error in response.json()["detail"]] == ["partner_id"]


def test_the_event_form_offers_the_partners_and_keeps_the_choice(client, db, duta, partner):
    web_login(client, duta)
    page = client.get("/events/new")
    assert f'<option value="{partner.id}"' in page.text
    data = {
        "csrf_token": csrf_from(page.text),
        **event(kind="sosialisasi", village_code=VILLAGE_A, partner_id=str(partner.id)),
    }
    refused = client.post("/events", data=data)
    assert refused.status_code == 422 and 'id="partner_id-error"' in refused.text
    assert f'<option value="{partner.id}" selected' in refused.text
    data["kind"] = "kemitraan"
    saved = client.post("/events", data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert "Koperasi Maju Bersama" in client.get(saved.headers["location"]).text
