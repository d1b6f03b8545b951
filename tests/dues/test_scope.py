"""Dues rows outside one's area stay hidden (404), for pages and the API."""

from app.dues import deposits as dues_deposits
from tests.factories import VILLAGE_OTHER_BRANCH, actor_of, api_headers, make_member, make_payment, web_login


def test_duta_of_another_village_gets_404_for_member_payment_and_receipt(client, db, duta, duta_b, member):
    payment = make_payment(db, duta, member)
    headers = api_headers(client, duta_b)
    assert (
        client.post(
            f"/api/v1/members/{member.id}/payments", json={"months": 1, "channel": "tunai"}, headers=headers
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/payments/{payment.receipt_number}", headers=headers).status_code == 404
    web_login(client, duta_b)
    assert client.get(f"/members/{member.id}/pay").status_code == 404
    assert client.get(f"/receipts/{payment.receipt_number}").status_code == 404


def test_other_branch_cabang_cannot_confirm_void_or_refund(client, db, duta, other_cabang, member):
    payment = make_payment(db, duta, member)
    deposit = dues_deposits.create_deposit(db, actor_of(db, duta), [payment.receipt_number]).deposit
    headers = api_headers(client, other_cabang)
    assert (
        client.post(f"/api/v1/deposits/{deposit.id}/confirm", json={"bank_reference": "S"}, headers=headers).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/deposits/{deposit.id}/return", json={"reason": "x"}, headers=headers).status_code == 404
    )
    assert (
        client.post(
            f"/api/v1/payments/{payment.receipt_number}/void", json={"reason": "x"}, headers=headers
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/payments/{payment.receipt_number}/refund", headers=headers).status_code == 404
    assert client.get("/api/v1/deposits", headers=headers).json()["total"] == 0
    assert dues_deposits.cash_held(db, actor_of(db, other_cabang)) == []


def test_duta_sees_only_its_own_deposits_and_cash(client, db, duta, branch, member):
    from tests.factories import VILLAGE_A, make_user

    colleague = make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
    payment = make_payment(db, duta, member)
    deposit = dues_deposits.create_deposit(db, actor_of(db, duta), [payment.receipt_number]).deposit
    headers = api_headers(client, colleague)
    assert client.get(f"/api/v1/deposits/{deposit.id}", headers=headers).status_code == 404
    assert dues_deposits.cash_held(db, actor_of(db, colleague)) == []


def test_other_branch_cabang_cannot_record_for_a_member_outside(client, db, other_cabang, other_duta, member):
    headers = api_headers(client, other_cabang)
    assert (
        client.post(
            f"/api/v1/members/{member.id}/payments",
            json={"months": 1, "channel": "bank", "reference": "R"},
            headers=headers,
        ).status_code
        == 404
    )
    theirs = make_member(db, other_duta, village_code=VILLAGE_OTHER_BRANCH, status="approved")
    assert (
        client.post(
            f"/api/v1/members/{theirs.id}/payments",
            json={"months": 1, "channel": "bank", "reference": "R"},
            headers=headers,
        ).status_code
        == 201
    )


def test_group_payments_outside_ones_area_are_404(client, db, duta, duta_b, other_cabang, member):
    from app.dues import groups

    number = groups.record_group_payment(
        db, actor_of(db, duta), "sponsor", "CSR Uji", [member.id], 1, "TRF-1"
    ).group.number
    for outsider in (duta_b, other_cabang):
        headers = api_headers(client, outsider)
        assert client.get(f"/api/v1/group-payments/{number}", headers=headers).status_code == 404
        assert client.post(f"/api/v1/group-payments/{number}/confirm", headers=headers).status_code == 404
        assert client.get("/api/v1/group-payments", headers=headers).json()["total"] == 0
        body = {"payer": "sponsor", "payer_name": "X", "member_ids": [member.id], "months": 1, "reference": "T"}
        assert client.post("/api/v1/group-payments", json=body, headers=headers).status_code == 404
    web_login(client, other_cabang)
    assert client.get(f"/group-payments/{number}").status_code == 404
    assert client.get(f"/group-payments/{number}.pdf").status_code == 404
    assert client.get(f"/group-payments/new?village_code={member.village_code}").status_code == 422
    headers = api_headers(client, other_cabang)
    assert (
        client.get(f"/api/v1/reports/payments.csv?scope=village:{member.village_code}", headers=headers).status_code
        == 404
    )
