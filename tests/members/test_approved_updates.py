"""An approved member's details kept up to date by the duta: contact, heir, occupation, income and JHT;
the identity and what else the approval fixed are refused beside the field."""

import json

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.dues.models import Payment
from app.members.models import Member
from app.rates import service as rates
from tests.factories import (
    VILLAGE_A,
    api_headers,
    csrf_from,
    make_member,
    make_payment,
    valid_nik,
    web_login,
)
from tests.members.helpers import error_fields


@pytest.fixture
def member(db, duta):
    return make_member(db, duta, VILLAGE_A, status="approved", monthly_income=1_000_000)


def _patch(client, duta, member, body):
    return client.patch(f"/api/v1/members/{member.id}", json=body, headers=api_headers(client, duta))


def test_contact_heir_occupation_income_and_jht_change_and_are_audited(client, db, duta, member):
    body = {
        "phone": "0813 1111 2222",
        "address": "Jl. Melati 2",
        "rt": "4",
        "rw": "7",
        "heir_name": "Rina",
        "heir_relation": "anak",
        "occupation": "nelayan",
        "monthly_income": "2.500.000",
        "jht": True,
    }
    response = _patch(client, duta, member, body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["phone"] == "+6281311112222" and answer["monthly_income"] == 2_500_000 and answer["jht"]
    assert answer["status"] == "approved" and answer["contribution"]["jht"] > 0
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "member_updated")).one()
    changes = json.loads(entry.detail)["changes"]
    assert set(changes) == set(body)
    assert changes["monthly_income"] == [1_000_000, 2_500_000]


def test_the_same_checks_as_registration(client, db, duta, member):
    response = _patch(client, duta, member, {"phone": "12345", "monthly_income": 5, "rt": "1234", "heir_name": ""})
    assert response.status_code == 422
    assert set(error_fields(response)) == {"phone", "monthly_income", "rt", "heir_name"}
    db.refresh(member)
    assert member.phone == "+6281234567890" and member.monthly_income == 1_000_000


@pytest.mark.parametrize(
    ("field", "value"), [("nik", None), ("full_name", "Nama Lain"), ("sex", "P"), ("birth_date", "1991-01-01")]
)
def test_identity_is_refused_beside_the_field_with_the_way_to_change_it(client, db, duta, member, field, value):
    value = value or valid_nik(member.birth_date, member.sex, serial=77)
    response = _patch(client, duta, member, {field: value, "phone": "081311112222"})
    assert response.status_code == 422
    assert set(error_fields(response)) == {field}
    assert "petugas cabang" in error_fields(response)[field]
    db.refresh(member)
    assert member.phone == "+6281234567890"  # nothing of a refused request is kept
    assert not db.exec(select(AuditEntry).where(AuditEntry.action == "member_updated")).all()


@pytest.mark.parametrize(("field", "value"), [("village_code", "12.07.02.2002"), ("consent", False)])
def test_other_fixed_fields_are_refused_beside_the_field(client, db, duta, member, field, value):
    response = _patch(client, duta, member, {field: value})
    assert response.status_code == 422
    assert error_fields(response)[field] == "Ini tidak dapat diubah setelah peserta disetujui."


def test_the_whole_member_sent_back_unchanged_with_a_new_phone_passes(client, db, duta, member):
    body = {name: getattr(member, name) for name in ("nik", "full_name", "sex", "village_code", "event_id")}
    body.update(birth_date=member.birth_date.isoformat(), consent=True, phone="081311112222")
    response = _patch(client, duta, member, body)
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "+6281311112222"


def test_a_submitted_registration_is_not_corrected(client, db, duta):
    submitted = make_member(db, duta, VILLAGE_A, status="submitted")
    assert _patch(client, duta, submitted, {"phone": "081311112222"}).status_code == 409


def test_new_income_prices_the_next_payment_and_leaves_past_ones(client, db, duta, member):
    past = make_payment(db, duta, member)
    assert past.monthly_amount == 16_800
    assert _patch(client, duta, member, {"monthly_income": 3_000_000}).status_code == 200
    db.expire_all()
    past = db.get(Payment, past.id)
    assert (past.monthly_amount, past.amount) == (16_800, 16_800)
    new_price = rates.monthly_contribution(db, 3_000_000, False, "petani", today()).total
    assert new_price != 16_800
    following = make_payment(db, duta, db.get(Member, member.id))
    assert following.monthly_amount == new_price


def test_edit_page_of_an_approved_member_shows_only_what_may_change(client, db, duta, member):
    web_login(client, duta)
    assert f'href="/members/{member.id}/edit"' in client.get(f"/members/{member.id}").text
    page = client.get(f"/members/{member.id}/edit")
    assert page.status_code == 200
    for name in ("phone", "address", "rt", "rw", "occupation", "monthly_income", "jht", "heir_name", "heir_relation"):
        assert f'name="{name}"' in page.text
    for name in ("nik", "full_name", "sex", "birth_date", "village_code", "event_id", "consent"):
        assert f'name="{name}"' not in page.text
    assert "petugas cabang" in page.text and 'data-offline="member"' not in page.text


def test_edit_page_saves_and_shows_a_mistake_beside_the_field(client, db, duta, member):
    web_login(client, duta)
    page = client.get(f"/members/{member.id}/edit")
    form = {
        "csrf_token": csrf_from(page.text),
        "phone": "0813",
        "address": "Jl. Baru 3",
        "occupation": "pedagang",
        "monthly_income": "1500000",
        "heir_name": "Rina",
        "heir_relation": "anak",
        "action": "submit",
    }
    refused = client.post(f"/members/{member.id}/edit", data=form)
    assert refused.status_code == 422
    assert 'id="phone-error"' in refused.text and 'value="Jl. Baru 3"' in refused.text
    saved = client.post(f"/members/{member.id}/edit", data={**form, "phone": "0813 1111 2222"}, follow_redirects=False)
    assert saved.status_code == 303
    db.refresh(member)
    assert (member.phone, member.occupation, member.monthly_income) == ("+6281311112222", "pedagang", 1_500_000)
    assert member.status == "approved" and member.nik and member.full_name  # the hidden fields untouched


def test_an_income_below_a_since_raised_minimum_does_not_block_a_new_phone(client, db, duta):
    below = make_member(db, duta, VILLAGE_A, status="approved", monthly_income=1)
    response = _patch(client, duta, below, {"monthly_income": 1, "phone": "081311112222"})
    assert response.status_code == 200, response.text
    assert _patch(client, duta, below, {"monthly_income": 2}).status_code == 422
