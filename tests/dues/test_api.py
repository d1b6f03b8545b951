"""Dues API (docs/api.md § 5.4-5.5): payments, voids, refunds, deposits."""

from sqlmodel import select

from app.dues import deposits as dues_deposits
from app.dues.models import Payment
from tests.factories import actor_of, api_headers, make_member, make_payment


def test_record_payment_contract(client, duta, member):
    headers = {**api_headers(client, duta), "Idempotency-Key": "api-1"}
    response = client.post(
        f"/api/v1/members/{member.id}/payments", json={"months": 3, "channel": "tunai"}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["amount"] == 50400 and body["months"] == 3
    assert body["receipt_number"].startswith("KW-")
    assert len(body["cover_from"]) == 7 and body["cover_from"][4] == "-"
    again = client.post(
        f"/api/v1/members/{member.id}/payments", json={"months": 3, "channel": "tunai"}, headers=headers
    )
    assert again.status_code == 201 and again.json() == body
    assert "Idempotent-Replayed" not in response.headers
    assert again.headers["Idempotent-Replayed"] == "true"


def test_an_unknown_channel_is_refused_in_indonesian_and_nothing_recorded(client, db, duta, member):
    response = client.post(
        f"/api/v1/members/{member.id}/payments",
        json={"months": 1, "channel": "kripto"},
        headers=api_headers(client, duta),
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "channel" and error["msg"] == "channel: pilih salah satu dari tunai, bank, lainnya."
    assert db.exec(select(Payment)).all() == []


def test_the_same_key_for_another_payment_is_refused(client, db, duta, member):
    """Before: a second member's payment with the key answered 201 with the first member's receipt,
    and the second payment was silently not recorded."""
    other = make_member(db, duta, status="approved")
    headers = {**api_headers(client, duta), "Idempotency-Key": "api-2"}
    first = client.post(
        f"/api/v1/members/{member.id}/payments", json={"months": 1, "channel": "tunai"}, headers=headers
    )
    assert first.status_code == 201
    for url, body in (
        (f"/api/v1/members/{other.id}/payments", {"months": 1, "channel": "tunai"}),  # another member
        (f"/api/v1/members/{member.id}/payments", {"months": 2, "channel": "tunai"}),  # another amount
        (f"/api/v1/members/{member.id}/payments", {"months": 1, "channel": "bank", "reference": "B-1"}),
    ):
        refused = client.post(url, json=body, headers=headers)
        assert refused.status_code == 422, body
        assert [item["loc"][-1] for item in refused.json()["detail"]] == ["idempotency_key"]
    assert len(db.exec(select(Payment)).all()) == 1


def test_a_payment_key_longer_than_80_characters_is_refused(client, db, duta, member):
    headers = {**api_headers(client, duta), "Idempotency-Key": "p" * 81}
    refused = client.post(
        f"/api/v1/members/{member.id}/payments", json={"months": 1, "channel": "tunai"}, headers=headers
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "idempotency_key"
    assert db.exec(select(Payment)).all() == []


def test_a_deposit_key_answers_its_own_receipts_only(client, db, duta, member):
    a, b = make_payment(db, duta, member), make_payment(db, duta, member)
    headers = {**api_headers(client, duta), "Idempotency-Key": "dep-api-1"}
    first = client.post("/api/v1/deposits", json={"receipt_numbers": [a.receipt_number]}, headers=headers)
    again = client.post("/api/v1/deposits", json={"receipt_numbers": [f" {a.receipt_number}"]}, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/deposits", json={"receipt_numbers": [b.receipt_number]}, headers=headers)
    assert other.status_code == 422 and other.json()["detail"][0]["loc"][-1] == "idempotency_key"
    db.refresh(b)
    assert b.deposit_id is None


def test_payment_of_another_amount_than_told_is_409_and_nothing_recorded(client, db, duta, member):
    from sqlmodel import select

    from app.dues.models import Payment

    headers = {**api_headers(client, duta), "Idempotency-Key": "api-amount"}
    url = f"/api/v1/members/{member.id}/payments"
    # Told Rp16.800 (one month) but three months asked: refused with the right total.
    wrong = client.post(url, json={"months": 3, "channel": "tunai", "amount": 16800}, headers=headers)
    assert wrong.status_code == 409, wrong.text
    assert "Rp50.400" in wrong.json()["detail"] and "Rp16.800" in wrong.json()["detail"]
    assert db.exec(select(Payment).where(Payment.member_id == member.id)).first() is None
    # The same key, now with the total told: recorded (the refusal did not take the key).
    right = client.post(url, json={"months": 3, "channel": "tunai", "amount": 50400}, headers=headers)
    assert right.status_code == 201 and right.json()["amount"] == 50400


def test_record_payment_errors_name_the_field(client, duta, member):
    headers = api_headers(client, duta)
    response = client.post(
        f"/api/v1/members/{member.id}/payments", json={"months": 13, "channel": "bank"}, headers=headers
    )
    assert response.status_code == 422
    assert {item["loc"][-1] for item in response.json()["detail"]} == {"months", "reference"}
    bad_date = client.post(
        f"/api/v1/members/{member.id}/payments",
        json={"months": 1, "channel": "tunai", "paid_on": "kemarin"},
        headers=headers,
    )
    assert bad_date.status_code == 422 and bad_date.json()["detail"][0]["loc"][-1] == "paid_on"


def test_not_logged_in_is_401(client, member):
    assert client.post(f"/api/v1/members/{member.id}/payments", json={"months": 1}).status_code == 401


def test_void_and_refund_contract(client, db, duta, cabang, member):
    payment = make_payment(db, duta, member)
    headers = api_headers(client, cabang)
    assert (
        client.post(f"/api/v1/payments/{payment.receipt_number}/void", json={"reason": ""}, headers=headers).status_code
        == 422
    )
    response = client.post(f"/api/v1/payments/{payment.receipt_number}/void", json={"reason": "dobel"}, headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "void"
    assert client.post(f"/api/v1/payments/{payment.receipt_number}/refund", headers=headers).status_code == 409
    duta_headers = api_headers(client, duta)
    assert (
        client.post(
            f"/api/v1/payments/{payment.receipt_number}/void", json={"reason": "x"}, headers=duta_headers
        ).status_code
        == 403
    )


def test_deposit_contract(client, db, duta, cabang, member):
    a, b = make_payment(db, duta, member), make_payment(db, duta, member, months=2)
    duta_headers = api_headers(client, duta)
    created = client.post(
        "/api/v1/deposits", json={"receipt_numbers": [a.receipt_number, b.receipt_number]}, headers=duta_headers
    )
    assert created.status_code == 201 and created.json()["total"] == 50400
    deposit_id = created.json()["id"]
    assert (
        client.post("/api/v1/deposits", json={"receipt_numbers": [a.receipt_number]}, headers=duta_headers).status_code
        == 409
    )
    cabang_headers = api_headers(client, cabang)
    assert (
        client.post(
            f"/api/v1/deposits/{deposit_id}/confirm", json={"bank_reference": "S1"}, headers=duta_headers
        ).status_code
        == 403
    )
    void = client.post(f"/api/v1/payments/{a.receipt_number}/void", json={"reason": "x"}, headers=cabang_headers)
    assert void.status_code == 409 and "setoran" in void.json()["detail"]
    confirmed = client.post(
        f"/api/v1/deposits/{deposit_id}/confirm", json={"bank_reference": "S1"}, headers=cabang_headers
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    returned = client.post(
        f"/api/v1/deposits/{deposit_id}/return", json={"reason": "slip salah"}, headers=cabang_headers
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert (
        client.post(
            f"/api/v1/payments/{a.receipt_number}/void", json={"reason": "x"}, headers=cabang_headers
        ).status_code
        == 200
    )
    listing = client.get("/api/v1/deposits", headers=duta_headers).json()
    assert listing["total"] == 1 and listing["items"][0]["status"] == "returned"


def test_control_and_bidi_characters_are_refused_beside_the_field(client, db, duta, cabang, member):

    message = "Hapus karakter kontrol atau pengatur arah teks; ketik ulang teksnya jika tadi ditempel."
    payment = make_payment(db, duta, member)
    deposit = dues_deposits.create_deposit(
        db, actor_of(db, duta), [make_payment(db, duta, member).receipt_number]
    ).deposit
    cabang_headers = api_headers(client, cabang)
    for path, body, headers in (
        (
            f"/api/v1/members/{member.id}/payments",
            {"months": 1, "channel": "bank", "reference": "TRF\x1b1"},
            cabang_headers,
        ),
        (f"/api/v1/payments/{payment.receipt_number}/void", {"reason": "dobel\u202e"}, cabang_headers),
        (f"/api/v1/deposits/{deposit.id}/confirm", {"bank_reference": "S\x001"}, cabang_headers),
        (f"/api/v1/deposits/{deposit.id}/return", {"reason": "slip\nsalah"}, cabang_headers),
    ):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 422, (path, response.text)
        [field] = body.keys() - {"months", "channel"}
        assert response.json()["detail"] == [{"loc": ["body", field], "msg": message, "type": "value_error"}]
    db.refresh(payment)
    db.refresh(deposit)
    assert payment.status == "valid" and deposit.status == "submitted" and deposit.bank_reference is None
