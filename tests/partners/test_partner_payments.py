"""POST /api/v1/partner/payments: a partner's payment by the member's payment code."""

import pytest
from sqlmodel import select
from stdnum import damm

from app.core.audit import AuditEntry
from app.core.errors import Invalid
from app.dues import service as dues_service
from app.dues.models import Payment
from app.members.payment_code import payment_code
from app.partners import service as partners
from tests.factories import actor_of, api_headers, make_member
from tests.partners.conftest import token_of

URL = "/api/v1/partner/payments"


def pay(client, headers, code, months=2, amount=33_600, reference="KOP-0001", **extra):
    body = {"code": code, "months": months, "amount": amount, "reference": reference, **extra}
    return client.post(URL, json=body, headers=headers)


def test_a_payment_by_code_answers_201_with_the_receipt_and_records_its_partner(
    client, db, partner, member, partner_headers
):
    response = pay(client, partner_headers, payment_code(member))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["receipt_number"].startswith("KW-") and body["amount"] == 33_600 and body["months"] == 2
    assert body["channel"] == "mitra" and body["reference"] == "KOP-0001" and body["member_id"] == member.id
    payment = db.exec(select(Payment)).one()
    assert payment.partner_id == partner.id and payment.holder_id is None  # never cash in a duta's hands


def test_a_wrong_amount_is_409_with_the_right_amount(client, db, member, partner_headers):
    response = pay(client, partner_headers, payment_code(member), months=3, amount=33_600)
    assert response.status_code == 409
    assert response.json()["right_amount"] == 50_400
    assert "50.400" in response.json()["detail"]
    assert db.exec(select(Payment)).all() == []


def test_an_unknown_code_is_404_and_a_mistyped_one_422(client, member, partner_headers):
    code = payment_code(member)
    unknown = "26999999999"
    assert pay(client, partner_headers, unknown + damm.calc_check_digit(unknown)).status_code == 404
    typo = code[:-1] + str((int(code[-1]) + 1) % 10)
    response = pay(client, partner_headers, typo)
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["code"]


def test_a_member_outside_the_partners_regencies_is_404(client, db, far_member, partner_headers):
    assert pay(client, partner_headers, payment_code(far_member)).status_code == 404
    assert db.exec(select(Payment)).all() == []


def test_the_same_reference_again_answers_the_first_receipt(client, db, member, partner_headers):
    first = pay(client, partner_headers, payment_code(member))
    again = pay(client, partner_headers, payment_code(member))
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert len(db.exec(select(Payment)).all()) == 1


def test_the_same_reference_for_another_payment_is_refused(client, db, duta, member, partner_headers):
    other = make_member(db, duta, status="approved")
    assert pay(client, partner_headers, payment_code(member)).status_code == 201
    for code, months, amount in ((payment_code(other), 2, 33_600), (payment_code(member), 1, 16_800)):
        refused = pay(client, partner_headers, code, months=months, amount=amount)
        assert refused.status_code == 422
        assert [error["loc"][-1] for error in refused.json()["detail"]] == ["reference"]
    assert len(db.exec(select(Payment)).all()) == 1


def test_a_reference_is_the_partners_own(client, db, wilayah, partner, member, partner_headers):
    """Another client of the same partner sending the reference gets the first receipt, not a second payment."""
    second = partners.create_client(db, actor_of(db, wilayah), partner.id)
    token = token_of(client, second.client.client_id, second.secret).json()["access_token"]
    first = pay(client, partner_headers, payment_code(member))
    again = pay(client, {"Authorization": f"Bearer {token}"}, payment_code(member))
    assert again.json()["receipt_number"] == first.json()["receipt_number"]


def test_the_audit_names_the_partner(client, db, member, partner_headers, new_client):
    pay(client, partner_headers, payment_code(member))
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "payment_recorded")).one()
    assert new_client.client.client_id in entry.actor_name and "Koperasi Maju Bersama" in entry.actor_name
    assert entry.actor_id == new_client.client.user_id


def test_a_person_cannot_record_the_partner_channel(client, db, duta, member):
    """The channel `mitra` is the partner's client's: the API's payment of a member does not offer it,
    and the service refuses it beside the field to anyone else (a form posted by hand)."""
    response = client.post(
        f"/api/v1/members/{member.id}/payments",
        json={"months": 1, "channel": "mitra", "reference": "X"},
        headers=api_headers(client, duta),
    )
    assert response.status_code == 422
    with pytest.raises(Invalid) as refused:
        dues_service.record_payment(db, actor_of(db, duta), member.id, 1, "mitra", reference="X")
    assert list(refused.value.errors) == ["channel"]
