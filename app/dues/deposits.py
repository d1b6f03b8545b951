"""Cash custody and deposits (setoran): what a duta holds, handing it in, the branch confirming or
returning it, and payments to refund."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit, idempotency
from app.core.clock import today, utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import _
from app.core.text import require_plain_text
from app.dues import custody
from app.dues.custody import LIVE_DEPOSIT
from app.dues.groups import groups_waiting
from app.dues.models import Deposit, DepositStatus, HeldCash, Payment, PaymentStatus
from app.dues.service import deposit_scope, get_deposit
from app.members.models import Member
from app.regions.models import Branch


def _held_clause():
    return custody.held_clause()


def held_cash(session: Session, actor: Actor) -> list[tuple[Payment, Member]]:
    """The cash this `duta` holds, oldest first (refunds due included: that cash goes back to the member)."""
    return list(
        session.exec(
            select(Payment, Member)
            .join(Member, col(Member.id) == Payment.member_id)
            .where(*_held_clause(), Payment.holder_id == actor.id)
            .order_by(col(Payment.paid_on), col(Payment.id))
        ).all()
    )


@dataclass
class CashHeld:
    holder_id: int
    username: str
    full_name: str
    total: int
    count: int
    oldest: dt.date
    age_days: int


# A branch may have hundreds of duta holding cash: its pages list the longest held, with the totals.
CASH_HELD_LIMIT = 20


def held_where(actor: Actor) -> list[ColumnElement[bool]]:
    where = [village_clause(actor, HeldCash.village_code)]
    if actor.role == Role.duta.value:
        where.append(col(HeldCash.holder_id) == actor.id)
    return where


def cash_held(session: Session, actor: Actor, day: dt.date | None = None, limit: int | None = None) -> list[CashHeld]:
    """Cash held per `duta` within the actor's area (a `duta`: its own), largest age first, at most `limit`
    duta: the running table `cash_held` (app/dues/custody.py, the one definition the dashboards use too)."""
    day = day or today()
    totals = {
        holder_id: (total, count, oldest)
        for holder_id, total, count, oldest in custody.per_holder(session, *held_where(actor), limit=limit)
    }
    if not totals:
        return []
    rows = []
    for uid, username, full_name in session.exec(
        select(User.id, User.username, User.full_name).where(col(User.id).in_(list(totals)))
    ).all():
        assert uid is not None  # a primary key
        total, count, oldest = totals[uid]
        rows.append(CashHeld(uid, username, full_name or "", total, count, oldest, (day - oldest).days))
    rows.sort(key=lambda row: (row.oldest, row.username))
    return rows


@dataclass
class Handed:
    deposit: Deposit
    # True when an idempotency key found the deposit of an earlier, identical request.
    replayed: bool = False


DEPOSIT_ACTION = "deposit"


def create_deposit(
    session: Session, actor: Actor, receipt_numbers: list[str], idempotency_key: str | None = None
) -> Handed:
    require_role(actor, Role.duta.value)
    key = idempotency.clean_key(idempotency_key)
    wanted = sorted({(number or "").strip() for number in receipt_numbers or [] if (number or "").strip()})
    request = idempotency.fingerprint(DEPOSIT_ACTION, {"receipt_numbers": wanted})
    if key:
        earlier = idempotency.find(session, actor.id, key, DEPOSIT_ACTION, request)
        if earlier is not None:
            return Handed(_deposit_of_key(session, earlier), replayed=True)
    if not wanted:
        raise Invalid({"receipt_numbers": _("Choose at least one receipt.")})
    payments = session.exec(
        select(Payment)
        .where(col(Payment.receipt_number).in_(wanted))
        .order_by(col(Payment.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {payment.receipt_number: payment for payment in payments}
    not_held = [
        number
        for number in wanted
        if number not in found or found[number].holder_id != actor.id or found[number].channel != "tunai"
    ]
    if not_held:
        raise Invalid({"receipt_numbers": _("Not cash you hold: %(receipts)s.", receipts=", ".join(not_held))})
    in_deposit = [p.receipt_number for p in payments if p.deposit_id is not None]
    if in_deposit:
        raise Conflict(_("Already in a deposit: %(receipts)s.", receipts=", ".join(in_deposit)))
    not_valid = [p.receipt_number for p in payments if p.status != PaymentStatus.valid.value]
    if not_valid:
        raise Conflict(
            _("Voided or refund-due receipts cannot be deposited: %(receipts)s.", receipts=", ".join(not_valid))
        )
    deposit = Deposit(duta_id=actor.id, total=sum(p.amount for p in payments), status=DepositStatus.submitted.value)
    session.add(deposit)
    session.flush()
    for payment in payments:
        payment.deposit_id = deposit.id
        session.add(payment)
    custody.removed(session, [(actor.id, village) for village in _villages_of(session, payments).values()])
    if key and not idempotency.claim(session, actor.id, key, DEPOSIT_ACTION, request, deposit.id):
        session.rollback()
        return Handed(_deposit_of_key(session, idempotency.find(session, actor.id, key, DEPOSIT_ACTION, request)), True)
    audit.record(session, actor, "deposit_created", "deposit", deposit.id, total=deposit.total, receipts=wanted)
    session.commit()
    return Handed(deposit)


def _deposit_of_key(session: Session, result_id: str | None) -> Deposit:
    """The deposit of an idempotency key already used: it was committed with the key."""
    assert result_id is not None  # the key's row was found
    deposit = session.get(Deposit, int(result_id))
    assert deposit is not None  # committed with its key
    session.commit()  # nothing to write: release SQLite's write lock before answering (see dues.service._replayed)
    return deposit


def _villages_of(session: Session, payments: Sequence[Payment]) -> dict[int, str]:
    """{member_id: village_code} of these payments' members (one query)."""
    ids = sorted({payment.member_id for payment in payments})
    if not ids:
        return {}
    rows = session.exec(select(Member.id, Member.village_code).where(col(Member.id).in_(ids))).all()
    return {member_id: village_code for member_id, village_code in rows if member_id is not None}


def deposit_payments(session: Session, deposit: Deposit) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.deposit_id == deposit.id).order_by(col(Payment.id))).all())


@dataclass
class DepositDetail:
    deposit: Deposit
    duta: User
    branch: Branch | None  # the duta's branch, whose bank account the cash goes to
    receipts: list[tuple[Payment, Member]]


def deposit_detail(session: Session, actor: Actor, deposit_id: int) -> DepositDetail:
    """A deposit with its receipts and members (what the branch checks before confirming, and the
    duta's slip). A returned deposit lists none: its receipts went back to the duta's held cash."""
    deposit = get_deposit(session, actor, deposit_id)
    duta = session.get(User, deposit.duta_id)
    assert duta is not None  # a foreign key
    receipts = session.exec(
        select(Payment, Member)
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.deposit_id == deposit.id)
        .order_by(col(Payment.paid_on), col(Payment.id))
    ).all()
    branch = session.get(Branch, duta.branch_code) if duta.branch_code else None
    return DepositDetail(deposit, duta, branch, list(receipts))


def _deposit_for_cabang(session: Session, actor: Actor, deposit_id: int) -> Deposit:
    deposit = get_deposit(session, actor, deposit_id)
    require_role(actor, Role.cabang.value)
    session.refresh(deposit, with_for_update=True)
    return deposit


def confirm_deposit(session: Session, actor: Actor, deposit_id: int, bank_reference: str | None) -> Deposit:
    deposit = _deposit_for_cabang(session, actor, deposit_id)
    require_plain_text({"bank_reference": bank_reference})
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise Invalid({"bank_reference": _("Enter the bank slip reference.")})
    if len(bank_reference) > 80:
        raise Invalid({"bank_reference": _("Use at most %(n)s characters.", n=80)})
    if deposit.status != DepositStatus.submitted.value:
        raise Conflict(_("Only a submitted deposit can be confirmed."))
    deposit.status = DepositStatus.confirmed.value
    deposit.bank_reference = bank_reference
    deposit.confirmed_by_id = actor.id
    deposit.confirmed_at = utcnow()
    session.add(deposit)
    audit.record(
        session, actor, "deposit_confirmed", "deposit", deposit.id, total=deposit.total, bank_reference=bank_reference
    )
    session.commit()
    return deposit


def return_deposit(session: Session, actor: Actor, deposit_id: int, reason: str | None) -> Deposit:
    """Send a deposit back (submitted, or confirmed and reopened): its receipts are held cash again."""
    deposit = _deposit_for_cabang(session, actor, deposit_id)
    require_plain_text({"reason": reason})
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": _("Give the reason for returning the deposit.")})
    if len(reason) > 500:
        raise Invalid({"reason": _("Use at most %(n)s characters.", n=500)})
    if deposit.status not in LIVE_DEPOSIT:
        raise Conflict(_("This deposit has already been returned."))
    payments = deposit_payments(session, deposit)
    for payment in payments:
        payment.deposit_id = None
        session.add(payment)
    villages = _villages_of(session, payments)
    custody.added(session, [(payment, villages[payment.member_id]) for payment in payments])  # held again
    previous = deposit.status
    deposit.status = DepositStatus.returned.value
    deposit.return_reason = reason
    session.add(deposit)
    audit.record(
        session,
        actor,
        "deposit_returned",
        "deposit",
        deposit.id,
        reason=reason,
        was=previous,
        receipts=[p.receipt_number for p in payments],
    )
    session.commit()
    return deposit


def list_deposits(
    session: Session, actor: Actor, status: str | None = None, limit: int = 100, oldest_first: bool = False
) -> list[tuple[Deposit, User]]:
    created_at, deposit_id = col(Deposit.created_at), col(Deposit.id)
    order = (created_at, deposit_id) if oldest_first else (created_at.desc(), deposit_id.desc())
    query = (
        select(Deposit, User)
        .join(User, col(User.id) == Deposit.duta_id)
        .where(deposit_scope(actor))
        .order_by(*order)
        .limit(limit)
    )
    if status:
        query = query.where(Deposit.status == status)
    return list(session.exec(query).all())


def refunds_due(session: Session, actor: Actor, limit: int = 200) -> list[tuple[Payment, Member]]:
    return list(
        session.exec(
            select(Payment, Member)
            .join(Member, col(Member.id) == Payment.member_id)
            .where(Payment.status == PaymentStatus.refund_due.value, village_clause(actor, Member.village_code))
            .order_by(col(Payment.paid_on), col(Payment.id))
            .limit(limit)
        ).all()
    )


def cash_context(session: Session, actor: Actor) -> dict:
    """Cash held, deposits and group payments waiting, refunds due (the keys of home/_cash.html): on homes
    and /deposits."""
    if actor.sees_region:
        return {}  # the region's homes link to the dashboard, which has its own cash figures
    context: dict = {"cash_held": cash_held(session, actor, limit=CASH_HELD_LIMIT)}
    if len(context["cash_held"]) == CASH_HELD_LIMIT:
        total, holders, _oldest = custody.summary(session, *held_where(actor))
        context.update(cash_held_total=total, cash_held_dutas=holders)
    context["dues_waiting"] = session.exec(
        select(func.count())
        .select_from(Deposit)
        .where(Deposit.status == DepositStatus.submitted.value, deposit_scope(actor))
    ).one()
    if actor.role != Role.duta.value:
        context["groups_waiting"] = groups_waiting(session, actor)
        context["dues_refunds"] = session.exec(
            select(func.count())
            .select_from(Payment)
            .join(Member, col(Member.id) == Payment.member_id)
            .where(Payment.status == PaymentStatus.refund_due.value, village_clause(actor, Member.village_code))
        ).one()
    return context
