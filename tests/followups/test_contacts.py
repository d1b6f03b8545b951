"""Recording a contact: the rules on outcome, dates and note, the answer of the API and the page, the audit."""

import datetime as dt
import html
import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.errors import Invalid
from app.followups import service
from app.followups.models import Contact
from tests.factories import actor_of, api_headers, make_member, web_login


@pytest.fixture
def member(db, duta):
    return make_member(db, duta, status="approved", full_name="Budi Santoso")


def _refused(db, duta, member, **fields) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        service.record_contact(db, actor_of(db, duta), member.id, **fields)
    return refused.value.errors


def test_the_rules(db, duta, member):
    day = today()
    assert set(_refused(db, duta, member, outcome="lupa")) == {"outcome"}
    assert set(_refused(db, duta, member, outcome="janji_bayar")) == {"promised_on"}  # a promise has its day
    assert set(_refused(db, duta, member, outcome="janji_bayar", promised_on=str(day - dt.timedelta(days=1)))) == {
        "promised_on"
    }
    assert set(_refused(db, duta, member, outcome="janji_bayar", promised_on=str(day + dt.timedelta(days=93)))) == {
        "promised_on"
    }
    assert set(_refused(db, duta, member, outcome="belum_mampu", next_contact_on="besok")) == {"next_contact_on"}
    assert set(
        _refused(db, duta, member, outcome="belum_mampu", next_contact_on=str(day + dt.timedelta(days=400)))
    ) == {"next_contact_on"}
    assert set(_refused(db, duta, member, outcome="belum_mampu", note="x" * 501)) == {"note"}
    assert set(_refused(db, duta, member, outcome="belum_mampu", note="Budi\u202eSantoso")) == {"note"}
    assert db.exec(select(Contact)).all() == []


def test_a_promise_is_kept_with_its_day_and_audited(db, duta, member):
    day = today() + dt.timedelta(days=5)
    contact = service.record_contact(
        db, actor_of(db, duta), member.id, "janji_bayar", note=" Gajian tanggal 10 ", promised_on=day.isoformat()
    )
    assert (contact.outcome, contact.promised_on, contact.note, contact.recorded_by_id) == (
        "janji_bayar",
        day,
        "Gajian tanggal 10",
        duta.id,
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "contact_recorded")).one()
    assert entry.object_id == str(member.id)
    assert json.loads(entry.detail)["promised_on"] == day.isoformat()


def test_a_promise_day_is_dropped_from_another_outcome(db, duta, member):
    contact = service.record_contact(
        db, actor_of(db, duta), member.id, "tidak_terhubung", promised_on=today().isoformat()
    )
    assert contact.promised_on is None


def test_api_records_and_the_member_shows_the_last_contact(client, db, duta, member):
    headers = api_headers(client, duta)
    next_day = (today() + dt.timedelta(days=7)).isoformat()
    answer = client.post(
        f"/api/v1/members/{member.id}/contacts",
        json={"outcome": "belum_mampu", "note": "Panen belum", "next_contact_on": next_day},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["outcome"] == "belum_mampu" and body["next_contact_on"] == next_day and body["member_id"] == member.id
    shown = client.get(f"/api/v1/members/{member.id}", headers=headers).json()
    assert shown["last_contact"]["id"] == body["id"] and shown["full_name"] == "Budi Santoso"
    listed = client.get(f"/api/v1/members/{member.id}/contacts", headers=headers).json()["items"]
    assert [c["id"] for c in listed] == [body["id"]]


def test_api_refusal_names_the_field_in_indonesian(client, db, duta, member):
    answer = client.post(
        f"/api/v1/members/{member.id}/contacts",
        json={"outcome": "janji_bayar"},
        headers={**api_headers(client, duta), "Accept-Language": "id"},
    )
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"][-1] == "promised_on" and problem["msg"] == "Isi tanggal peserta berjanji membayar."


def test_page_form_shows_the_message_beside_the_field_and_keeps_what_was_typed(client, db, duta, member):
    token = web_login(client, duta)
    answer = client.post(
        f"/members/{member.id}/contact",
        data={"csrf_token": token, "outcome": "janji_bayar", "note": "Nanti sore", "promised_on": ""},
        headers={"Accept-Language": "id"},
    )
    assert answer.status_code == 422
    text = html.unescape(answer.text)
    assert '<p class="field-error" id="promised_on-error">Isi tanggal peserta berjanji membayar.</p>' in text
    assert 'value="janji_bayar" checked' in text and ">Nanti sore</textarea>" in text
    saved = client.post(
        f"/members/{member.id}/contact",
        data={"csrf_token": token, "outcome": "janji_bayar", "promised_on": today().isoformat()},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/followups"
    page = html.unescape(client.get(f"/members/{member.id}", headers={"Accept-Language": "id"}).text)
    assert "Kontak terakhir" in page and "Janji bayar" in page
