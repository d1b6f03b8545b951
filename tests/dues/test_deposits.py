"""Cash custody: held cash, deposits (create, confirm, return), voiding deposited payments."""

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.errors import Conflict, Forbidden, Invalid
from app.dues import deposits as dues_deposits
from app.dues import service
from app.dues.models import Payment
from tests.factories import actor_of, make_member, make_payment


def _deposit(db, duta, *payments, **kwargs):
    return dues_deposits.create_deposit(db, actor_of(db, duta), [p.receipt_number for p in payments], **kwargs).deposit


def test_cash_is_held_by_the_recording_duta_until_deposited(db, duta, member, fixed_today):
    a = make_payment(db, duta, member, months=1, paid_on=fixed_today.replace(day=3))
    make_payment(db, duta, member, months=2)
    make_payment(db, duta, member, channel="bank")  # bank money is never held
    held = dues_deposits.cash_held(db, actor_of(db, duta))
    assert len(held) == 1
    assert (held[0].holder_id, held[0].total, held[0].count) == (duta.id, 3 * 16800, 2)
    assert held[0].oldest == a.paid_on and held[0].age_days == 20
    assert [p.receipt_number for p, _m in dues_deposits.held_cash(db, actor_of(db, duta))][0] == a.receipt_number


def test_deposit_lifecycle_create_confirm(db, duta, cabang, member):
    a, b = make_payment(db, duta, member, months=1), make_payment(db, duta, member, months=2)
    deposit = _deposit(db, duta, a, b)
    assert deposit.total == 3 * 16800 and deposit.status == "submitted"
    assert dues_deposits.cash_held(db, actor_of(db, duta)) == []
    with pytest.raises(Invalid):
        dues_deposits.confirm_deposit(db, actor_of(db, cabang), deposit.id, "")
    with pytest.raises(Forbidden):
        dues_deposits.confirm_deposit(db, actor_of(db, duta), deposit.id, "SLIP-1")
    confirmed = dues_deposits.confirm_deposit(db, actor_of(db, cabang), deposit.id, "SLIP-1")
    assert (confirmed.status, confirmed.bank_reference, confirmed.confirmed_by_id) == ("confirmed", "SLIP-1", cabang.id)
    with pytest.raises(Conflict):
        dues_deposits.confirm_deposit(db, actor_of(db, cabang), deposit.id, "SLIP-2")
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_type == "deposit")).all()
    assert sorted(actions) == ["deposit_confirmed", "deposit_created"]


def test_a_receipt_is_in_at_most_one_deposit(db, duta, member):
    a = make_payment(db, duta, member)
    _deposit(db, duta, a)
    with pytest.raises(Conflict):
        _deposit(db, duta, a)


def test_only_own_held_cash_can_be_deposited(db, duta, member, cabang, branch):
    from tests.factories import VILLAGE_A, make_user

    colleague = make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
    theirs = make_payment(db, colleague, member)
    bank = make_payment(db, duta, member, channel="bank")
    for receipts in ([theirs.receipt_number], [bank.receipt_number], ["KW-1999-000001"]):
        with pytest.raises(Invalid) as error:
            dues_deposits.create_deposit(db, actor_of(db, duta), receipts)
        assert "receipt_numbers" in error.value.errors
    with pytest.raises(Invalid):
        dues_deposits.create_deposit(db, actor_of(db, duta), [])
    with pytest.raises(Forbidden):
        dues_deposits.create_deposit(db, actor_of(db, cabang), [theirs.receipt_number])


def test_voided_cash_cannot_be_deposited(db, duta, cabang, member):
    a = make_payment(db, duta, member)
    service.void_payment(db, actor_of(db, cabang), a.receipt_number, "salah")
    with pytest.raises(Conflict):
        _deposit(db, duta, a)
    assert dues_deposits.cash_held(db, actor_of(db, duta)) == []


def test_return_makes_receipts_held_again_and_allows_void(db, duta, cabang, member, fixed_today):
    a, b = make_payment(db, duta, member, months=1), make_payment(db, duta, member, months=1)
    deposit = _deposit(db, duta, a, b)
    # inside a submitted deposit: no void
    with pytest.raises(Conflict) as error:
        service.void_payment(db, actor_of(db, cabang), a.receipt_number, "salah")
    assert str(deposit.id) in error.value.message
    dues_deposits.confirm_deposit(db, actor_of(db, cabang), deposit.id, "SLIP-9")
    with pytest.raises(Conflict):  # nor inside a confirmed one
        service.void_payment(db, actor_of(db, cabang), a.receipt_number, "salah")
    with pytest.raises(Invalid):
        dues_deposits.return_deposit(db, actor_of(db, cabang), deposit.id, "")
    returned = dues_deposits.return_deposit(db, actor_of(db, cabang), deposit.id, "slip tidak cocok")
    assert returned.status == "returned" and returned.return_reason == "slip tidak cocok"
    assert dues_deposits.cash_held(db, actor_of(db, duta))[0].count == 2
    with pytest.raises(Conflict):
        dues_deposits.return_deposit(db, actor_of(db, cabang), deposit.id, "lagi")
    service.void_payment(db, actor_of(db, cabang), a.receipt_number, "salah")
    db.refresh(member)
    assert member.covered_until == fixed_today.replace(day=1)
    again = _deposit(db, duta, b)
    assert again.total == 16800 and again.id != deposit.id
    assert db.get(Payment, b.id).deposit_id == again.id
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "deposit_returned")).one().actor_id == cabang.id


def test_deposit_double_submit_creates_one(db, duta, member):
    a = make_payment(db, duta, member)
    first = _deposit(db, duta, a, idempotency_key="dep-1")
    second = _deposit(db, duta, a, idempotency_key="dep-1")
    assert first.id == second.id


def test_refund_due_cash_stays_held_until_refunded(db, duta, cabang, member):
    a = make_payment(db, duta, member)
    service.mark_refund_due(db, None, member)
    db.commit()
    assert dues_deposits.cash_held(db, actor_of(db, duta))[0].total == 16800
    with pytest.raises(Conflict):
        _deposit(db, duta, a)
    assert [p.receipt_number for p, _m in dues_deposits.refunds_due(db, actor_of(db, cabang))] == [a.receipt_number]
    service.mark_refunded(db, actor_of(db, cabang), a.receipt_number)
    assert dues_deposits.cash_held(db, actor_of(db, duta)) == []
    assert dues_deposits.refunds_due(db, actor_of(db, cabang)) == []


def test_branch_sees_cash_held_per_duta(db, duta, duta_b, cabang, member):
    other = make_member(db, duta_b, village_code="12.07.02.2003", status="approved")
    make_payment(db, duta, member, months=2)
    make_payment(db, duta_b, other, months=1)
    held = {row.holder_id: row.total for row in dues_deposits.cash_held(db, actor_of(db, cabang))}
    assert held == {duta.id: 2 * 16800, duta_b.id: 16800}
