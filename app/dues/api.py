"""Dues API: payments, voids, refunds and deposits (docs/api.md § 5.4-5.5)."""

from fastapi import APIRouter, Header, Response
from sqlmodel import Session

from app.auth.deps import ApiActor, PartnerApiActor
from app.auth.models import User
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.dues import deposits as dues_deposits
from app.dues import groups as dues_groups
from app.dues import partner_payments, service
from app.dues.models import Deposit, GroupPayment, GroupStatus, Payment
from app.dues.schemas import (
    ConfirmIn,
    DepositCreated,
    DepositIn,
    DepositList,
    DepositOut,
    GroupPaymentIn,
    GroupPaymentList,
    GroupPaymentOut,
    PartnerPaymentIn,
    PartnerPaymentOut,
    PaymentIn,
    PaymentOut,
    ReasonIn,
    ReceiptNumber,
)
from app.members.models import Member

router = APIRouter(tags=["dues"])


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        receipt_number=payment.receipt_number,
        amount=payment.amount,
        months=payment.months,
        cover_from=f"{payment.cover_from:%Y-%m}",
        cover_to=f"{payment.cover_to:%Y-%m}",
        monthly_amount=payment.monthly_amount,
        channel=payment.channel,
        paid_on=payment.paid_on,
        status=payment.status,
        member_id=payment.member_id,
        payer=payment.payer,
        payer_name=payment.payer_name,
    )


def group_out(session: Session, group: GroupPayment, receipts: list[tuple[Payment, Member]] | None = None):
    if receipts is None:
        receipts = dues_groups.group_receipts(session, group)
    return GroupPaymentOut(
        group_receipt_number=group.number,
        status=group.status,
        village_code=group.village_code,
        payer=group.payer,
        payer_name=group.payer_name,
        months=group.months,
        total=group.total,
        reference=group.reference,
        paid_on=group.paid_on,
        receipts=[payment_out(payment) for payment, _member in receipts],
    )


def deposit_out(session: Session, deposit: Deposit, duta: User | None = None) -> DepositOut:
    duta = duta or session.get(User, deposit.duta_id)
    assert deposit.id is not None and duta is not None  # a stored row and its foreign key
    return DepositOut(
        id=deposit.id,
        total=deposit.total,
        status=deposit.status,
        duta=duta.username,
        bank_reference=deposit.bank_reference,
        return_reason=deposit.return_reason,
        receipt_numbers=[p.receipt_number for p in dues_deposits.deposit_payments(session, deposit)],
    )


# A repeated `Idempotency-Key` answers with the first result, marked so a client can tell.
REPLAYED_HEADER = "Idempotent-Replayed"


@router.post("/members/{member_id}/payments", status_code=201, response_model=PaymentOut)
def record_payment(
    member_id: RowId,
    body: PaymentIn,
    actor: ApiActor,
    session: SessionDep,
    response: Response,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    recorded = service.record_payment(
        session,
        actor,
        member_id,
        body.months,
        body.channel,
        body.reference,
        body.paid_on,
        idempotency_key=idempotency_key,
        amount=body.amount,
        payer=body.payer,
        payer_name=body.payer_name,
    )
    if recorded.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return payment_out(recorded.payment)


@router.post("/partner/payments", status_code=201, response_model=PartnerPaymentOut)
def record_partner_payment(body: PartnerPaymentIn, actor: PartnerApiActor, session: SessionDep, response: Response):
    """A partner's client records a payment by the member's payment code; its reference is the
    idempotency key (the same request again answers its first receipt, marked replayed)."""
    recorded = partner_payments.record_partner_payment(
        session, actor, body.code, body.months, body.amount, body.reference, body.paid_on
    )
    if recorded.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    payment = recorded.payment
    return PartnerPaymentOut(**payment_out(payment).model_dump(), reference=payment.reference)


@router.get("/members/{member_id}/payments", response_model=list[PaymentOut])
def member_payments(member_id: RowId, actor: ApiActor, session: SessionDep):
    return [payment_out(p) for p in service.payments_of(session, actor, member_id)]


@router.get("/payments/{receipt_number}", response_model=PaymentOut)
def get_payment(receipt_number: str, actor: ApiActor, session: SessionDep):
    return payment_out(service.get_payment(session, actor, receipt_number)[0])


@router.post("/payments/{receipt_number}/void", response_model=PaymentOut)
def void_payment(receipt_number: str, body: ReasonIn, actor: ApiActor, session: SessionDep):
    return payment_out(service.void_payment(session, actor, receipt_number, body.reason))


@router.post("/payments/{receipt_number}/refund", response_model=PaymentOut)
def refund_payment(receipt_number: str, actor: ApiActor, session: SessionDep):
    return payment_out(service.mark_refunded(session, actor, receipt_number))


@router.post("/deposits", status_code=201, response_model=DepositCreated)
def create_deposit(
    body: DepositIn,
    actor: ApiActor,
    session: SessionDep,
    response: Response,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    handed = dues_deposits.create_deposit(session, actor, body.receipt_numbers, idempotency_key=idempotency_key)
    if handed.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    assert handed.deposit.id is not None  # inserted
    return DepositCreated(id=handed.deposit.id, total=handed.deposit.total)


@router.get("/deposits", response_model=DepositList)
def list_deposits(
    actor: ApiActor,
    session: SessionDep,
    status: str | None = None,
):
    rows = dues_deposits.list_deposits(session, actor, status)
    return DepositList(items=[deposit_out(session, d, u) for d, u in rows], total=len(rows))


@router.get("/deposits/{deposit_id}", response_model=DepositOut)
def get_deposit(deposit_id: RowId, actor: ApiActor, session: SessionDep):
    return deposit_out(session, service.get_deposit(session, actor, deposit_id))


@router.post("/deposits/{deposit_id}/confirm", response_model=DepositOut)
def confirm_deposit(deposit_id: RowId, body: ConfirmIn, actor: ApiActor, session: SessionDep):
    return deposit_out(session, dues_deposits.confirm_deposit(session, actor, deposit_id, body.bank_reference))


@router.post("/deposits/{deposit_id}/return", response_model=DepositOut)
def return_deposit(deposit_id: RowId, body: ReasonIn, actor: ApiActor, session: SessionDep):
    return deposit_out(session, dues_deposits.return_deposit(session, actor, deposit_id, body.reason))


@router.post("/group-payments", status_code=201, response_model=GroupPaymentOut)
def record_group_payment(
    body: GroupPaymentIn,
    actor: ApiActor,
    session: SessionDep,
    response: Response,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    recorded = dues_groups.record_group_payment(
        session,
        actor,
        body.payer,
        body.payer_name,
        body.member_ids,
        body.months,
        body.reference,
        body.paid_on,
        idempotency_key=idempotency_key,
        amount=body.amount,
    )
    if recorded.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return group_out(session, recorded.group, recorded.receipts)


@router.get("/group-payments", response_model=GroupPaymentList)
def list_group_payments(actor: ApiActor, session: SessionDep, status: GroupStatus | None = None):
    rows = dues_groups.list_groups(session, actor, status.value if status else None)
    receipts = dues_groups.receipts_of_groups(session, [group.id for group, _user in rows if group.id is not None])
    items = [group_out(session, group, receipts.get(group.id or 0, [])) for group, _user in rows]
    return GroupPaymentList(items=items, total=len(rows))


@router.get("/group-payments/{number}", response_model=GroupPaymentOut)
def get_group_payment(number: ReceiptNumber, actor: ApiActor, session: SessionDep):
    return group_out(session, dues_groups.get_group(session, actor, number))


@router.post("/group-payments/{number}/confirm", response_model=GroupPaymentOut)
def confirm_group_payment(number: ReceiptNumber, actor: ApiActor, session: SessionDep):
    return group_out(session, dues_groups.confirm_group(session, actor, number))
