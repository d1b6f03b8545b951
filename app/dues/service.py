"""Payments (iuran), cover, voids, refunds and cash deposits (setoran), shared by pages and the API.

Decisions:
- Payments are recorded for `submitted` and `approved` members (a registration later rejected turns its
  payments into `refund_due`); never for `draft` or `rejected` ones (409).
- The `duta` of the member's village records payments of every channel; the `cabang` of the member's
  branch may record `bank` and `lainnya` payments (a bank slip brought to the branch), never cash: cash
  is in a `duta`'s custody from the moment it is taken. `wilayah` and `admin` record nothing (403).
- Cover is replayed from the member's valid payments (app/dues/cover.py) with the member row locked,
  in the same transaction as the change, so two payments at once never lose a month.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.auth.models import Role, User, UserVillage
from app.auth.scope import Actor, get_in_scope, require_role, village_clause
from app.core import audit, idempotency
from app.core.clock import add_months, month_start, today, utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.sequences import next_value
from app.dues import custody, rollup
from app.dues.cover import cover_of, replay, sort_key
from app.dues.custody import LIVE_DEPOSIT
from app.dues.models import Deposit, DepositStatus, HeldCash, Payment, PaymentStatus
from app.dues.receipts import reminder_link
from app.members.models import OCCUPATIONS, Member, MemberStatus
from app.rates.models import Rate, RateDiscount
from app.rates.service import Contribution, monthly_contribution

CHANNELS = ("tunai", "bank", "lainnya")
MAX_MONTHS = 12
PAYABLE_STATUSES = (MemberStatus.submitted.value, MemberStatus.approved.value)
PAYING_ROLES = (Role.duta.value, Role.cabang.value)
# A member pays a month or a few at a time: the pages list a year's worth of receipts, the rest by receipt number.
LATEST_PAYMENTS = 12


# ---------------------------------------------------------------- loading within scope


def get_member(session: Session, actor: Actor, member_id: int, for_update: bool = False) -> Member:
    member = get_in_scope(session, actor, Member, member_id, for_update=for_update)  # locked as `lock_member`
    if member is None:
        raise NotFound(_("Member not found."))
    return member


def get_payment(session: Session, actor: Actor, receipt_number: str) -> tuple[Payment, Member]:
    row = session.exec(
        select(Payment, Member)
        .join(Member, Member.id == Payment.member_id)
        .where(Payment.receipt_number == receipt_number, village_clause(actor, Member.village_code))
    ).first()
    if row is None:
        raise NotFound(_("Receipt not found."))
    return row[0], row[1]


def _deposit_scope(actor: Actor):
    """A `duta` sees its own deposits; others those of the `duta`s serving villages in their area."""
    if actor.role == Role.duta.value:
        return Deposit.duta_id == actor.id
    # Uncorrelated IN, computed once: a correlated EXISTS re-ran the area's village list per deposit
    # (250 ms on SQLite for a branch with 5.000 waiting deposits, 3 ms this way).
    return Deposit.duta_id.in_(select(UserVillage.user_id).where(village_clause(actor, UserVillage.village_code)))


def get_deposit(session: Session, actor: Actor, deposit_id: int) -> Deposit:
    deposit = session.exec(select(Deposit).where(Deposit.id == deposit_id, _deposit_scope(actor))).first()
    if deposit is None:
        raise NotFound(_("Deposit not found."))
    return deposit


def contribution(session: Session, member: Member, month: dt.date) -> Contribution:
    return monthly_contribution(session, member.monthly_income, member.jht, member.occupation, month_start(month))


# ---------------------------------------------------------------- cover


def lock_member(session: Session, member_id: int) -> Member:
    """The member row, locked until commit (PostgreSQL), with fresh values."""
    member = session.exec(
        select(Member).where(Member.id == member_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if member is None:  # pragma: no cover (members are never deleted)
        raise NotFound(_("Member not found."))
    return member


def recompute_cover(session: Session, member: Member, before: rollup.MemberState) -> None:
    """Replay the member's valid payments; store each one's cover and the member's cover.

    Call with the member row locked (`lock_member`), inside the action's transaction, with `before` =
    `rollup.member_state(...)` taken right after locking, before the change: the monthly roll-up
    (app/dues/rollup.py) gets the difference in the same transaction.
    """
    session.flush()
    payments = sorted(
        session.exec(
            select(Payment).where(Payment.member_id == member.id, Payment.status == PaymentStatus.valid.value)
        ).all(),
        key=sort_key,
    )
    covered_until, spans = replay(payments)
    for payment, (cover_from, cover_to) in zip(payments, spans, strict=False):
        if (payment.cover_from, payment.cover_to) != (cover_from, cover_to):
            payment.cover_from, payment.cover_to = cover_from, cover_to
            session.add(payment)
    member.covered_until = covered_until
    member.first_covered = spans[0][0] if spans else None
    session.add(member)
    rollup.apply(session, before, rollup.state_after(member, spans))


def mark_refund_due(session: Session, actor: Actor | None, member: Member) -> int:
    """For a registration being rejected: its valid payments become `refund_due`, cover is replayed.

    No commit: the rejection's transaction carries it. Returns the number of payments marked.
    """
    locked = lock_member(session, member.id)
    before = rollup.member_state(session, locked)
    payments = session.exec(
        select(Payment).where(Payment.member_id == member.id, Payment.status == PaymentStatus.valid.value)
    ).all()
    for payment in payments:
        payment.status = PaymentStatus.refund_due.value
        session.add(payment)
        audit.record(session, actor, "payment_refund_due", "payment", payment.receipt_number, member_id=member.id)
    recompute_cover(session, locked, before)
    return len(payments)


# ---------------------------------------------------------------- recording a payment


def _parse_months(value) -> int | None:
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return months if 1 <= months <= MAX_MONTHS else None


def _parse_day(value) -> dt.date | None:
    if value is None or value == "":
        return today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _next_receipt_number(session: Session) -> str:
    year = today().year
    return f"KW-{year}-{next_value(session, f'receipt-{year}'):06d}"


def record_payment(
    session: Session,
    actor: Actor,
    member_id: int,
    months,
    channel: str | None,
    reference: str | None = None,
    paid_on=None,
    idempotency_key: str | None = None,
) -> Payment:
    key = (idempotency_key or "").strip()[:80] or None
    if key:
        earlier = _replayed(session, actor, key)
        if earlier is not None:
            return earlier
    # Locked from the start (PostgreSQL; SQLite holds the write lock from BEGIN IMMEDIATE).
    member = get_member(session, actor, member_id, for_update=True)
    require_role(actor, *PAYING_ROLES)
    if member.status not in PAYABLE_STATUSES:
        raise Conflict(_("Payments can be recorded only for submitted or approved registrations."))

    errors: dict[str, str] = {}
    month_count = _parse_months(months)
    if month_count is None:
        errors["months"] = _("Choose 1 to 12 months.")
    channel = (channel or "").strip()
    if channel not in CHANNELS:
        errors["channel"] = _("Choose how it was paid.")
    elif channel == "tunai" and actor.role != Role.duta.value:
        errors["channel"] = _("Cash is recorded by the village's duta, who holds it.")
    reference = (reference or "").strip() or None
    if channel == "bank" and not reference:
        errors["reference"] = _("Enter the bank or agent reference.")
    elif reference and len(reference) > 80:
        errors["reference"] = _("Use at most %(n)s characters.", n=80)
    day = _parse_day(paid_on)
    if day is None:
        errors["paid_on"] = _("Enter a date.")
    elif day > today():
        errors["paid_on"] = _("The payment date cannot be in the future.")
    if errors:
        raise Invalid(errors)
    assert month_count is not None and day is not None

    # The key before the receipt number: a repeated request (the outbox sending again after a lost
    # answer) stops here, before taking a number it would leave unused (a sequence gives no number back).
    if key and not idempotency.claim(session, actor.id, key, "payment", idempotency.PENDING):
        session.rollback()  # a request with the same key came first: answer with its receipt
        earlier = _replayed(session, actor, key)
        if earlier is None:
            raise Conflict(_("Please try again."))
        return earlier
    before = rollup.member_state(session, member)
    monthly = contribution(session, member, day).total
    cover_from, cover_to = cover_of(member.covered_until, day, month_count)
    payment = Payment(
        receipt_number=_next_receipt_number(session),
        member_id=member.id,
        months=month_count,
        monthly_amount=monthly,
        amount=monthly * month_count,
        channel=channel,
        reference=reference,
        paid_on=day,
        cover_from=cover_from,
        cover_to=cover_to,
        recorded_by_id=actor.id,
        holder_id=actor.id if channel == "tunai" else None,
    )
    session.add(payment)
    # Replayed with the member's other payments: a back-dated payment can move later ones' cover.
    recompute_cover(session, member, before)
    if key:
        idempotency.settle(session, actor.id, key, payment.receipt_number)
    audit.record(
        session,
        actor,
        "payment_recorded",
        "payment",
        payment.receipt_number,
        member_id=member.id,
        months=month_count,
        amount=payment.amount,
        channel=channel,
        paid_on=day.isoformat(),
        cover_from=f"{payment.cover_from:%Y-%m}",
        cover_to=f"{payment.cover_to:%Y-%m}",
    )
    custody.added(session, [(payment, member.village_code)])  # cash: now held by this duta
    session.commit()
    return payment


def _replayed(session: Session, actor: Actor, key: str) -> Payment | None:
    try:
        receipt = idempotency.find(session, actor.id, key, "payment")
    except ValueError:
        raise Conflict(_("This form was already used for something else. Reload the page.")) from None
    if receipt is None:
        return None
    return session.exec(select(Payment).where(Payment.receipt_number == receipt)).one()


# ---------------------------------------------------------------- void and refund


def void_payment(session: Session, actor: Actor, receipt_number: str, reason: str | None) -> Payment:
    payment, member = get_payment(session, actor, receipt_number)
    require_role(actor, Role.cabang.value)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": _("Give the reason for voiding.")})
    if len(reason) > 500:
        raise Invalid({"reason": _("Use at most %(n)s characters.", n=500)})
    member = lock_member(session, member.id)
    before = rollup.member_state(session, member)
    session.refresh(payment, with_for_update=True)
    if payment.status != PaymentStatus.valid.value:
        raise Conflict(_("Only a valid payment can be voided."))
    if payment.deposit_id is not None:
        deposit = session.get(Deposit, payment.deposit_id)
        if deposit is not None and deposit.status in LIVE_DEPOSIT:
            raise Conflict(
                _("This payment is in deposit %(id)s; return the deposit first, then void the payment.", id=deposit.id)
            )
    was_held = custody.is_held(payment)
    payment.status = PaymentStatus.void.value
    payment.void_reason = reason
    payment.voided_by_id = actor.id
    payment.voided_at = utcnow()
    session.add(payment)
    recompute_cover(session, member, before)
    if was_held:
        custody.removed(session, [(payment.holder_id, member.village_code)])
    audit.record(
        session,
        actor,
        "payment_voided",
        "payment",
        payment.receipt_number,
        member_id=member.id,
        amount=payment.amount,
        reason=reason,
    )
    session.commit()
    return payment


def mark_refunded(session: Session, actor: Actor, receipt_number: str) -> Payment:
    payment, member = get_payment(session, actor, receipt_number)
    require_role(actor, Role.cabang.value)
    session.refresh(payment, with_for_update=True)
    if payment.status != PaymentStatus.refund_due.value:
        raise Conflict(_("Only a payment with a refund due can be marked refunded."))
    was_held = custody.is_held(payment)  # the duta gives the cash back to the member
    payment.status = PaymentStatus.refunded.value
    payment.refunded_at = utcnow()
    payment.refunded_by_id = actor.id
    session.add(payment)
    if was_held:
        custody.removed(session, [(payment.holder_id, member.village_code)])
    audit.record(
        session,
        actor,
        "payment_refunded",
        "payment",
        payment.receipt_number,
        member_id=member.id,
        amount=payment.amount,
    )
    session.commit()
    return payment


# ---------------------------------------------------------------- cash custody and deposits


def _held_clause():
    return custody.held_clause()


def held_cash(session: Session, actor: Actor) -> list[tuple[Payment, Member]]:
    """The cash this `duta` holds, oldest first (refunds due included: that cash goes back to the member)."""
    return list(
        session.exec(
            select(Payment, Member)
            .join(Member, Member.id == Payment.member_id)
            .where(*_held_clause(), Payment.holder_id == actor.id)
            .order_by(Payment.paid_on, Payment.id)
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


def _held_where(actor: Actor) -> list:
    where = [village_clause(actor, HeldCash.village_code)]
    if actor.role == Role.duta.value:
        where.append(HeldCash.holder_id == actor.id)
    return where


def cash_held(session: Session, actor: Actor, day: dt.date | None = None, limit: int | None = None) -> list[CashHeld]:
    """Cash held per `duta` within the actor's area (a `duta`: its own), largest age first, at most `limit`
    duta: the running table `cash_held` (app/dues/custody.py, the one definition the dashboards use too)."""
    day = day or today()
    totals = {
        holder_id: (total, count, oldest)
        for holder_id, total, count, oldest in custody.per_holder(session, *_held_where(actor), limit=limit)
    }
    if not totals:
        return []
    rows = [
        CashHeld(
            uid, username, full_name or "", totals[uid][0], totals[uid][1], totals[uid][2], (day - totals[uid][2]).days
        )
        for uid, username, full_name in session.exec(
            select(User.id, User.username, User.full_name).where(User.id.in_(list(totals)))
        ).all()
    ]
    rows.sort(key=lambda row: (row.oldest, row.username))
    return rows


def create_deposit(
    session: Session, actor: Actor, receipt_numbers: list[str], idempotency_key: str | None = None
) -> Deposit:
    require_role(actor, Role.duta.value)
    key = (idempotency_key or "").strip()[:80] or None
    if key:
        try:
            earlier = idempotency.find(session, actor.id, key, "deposit")
        except ValueError:
            raise Conflict(_("This form was already used for something else. Reload the page.")) from None
        if earlier is not None:
            return session.get(Deposit, int(earlier))
    wanted = sorted({(number or "").strip() for number in receipt_numbers or [] if (number or "").strip()})
    if not wanted:
        raise Invalid({"receipt_numbers": _("Choose at least one receipt.")})
    payments = session.exec(
        select(Payment)
        .where(Payment.receipt_number.in_(wanted))
        .order_by(Payment.id)
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
    if key and not idempotency.claim(session, actor.id, key, "deposit", deposit.id):
        session.rollback()
        return session.get(Deposit, int(idempotency.find(session, actor.id, key, "deposit")))
    audit.record(session, actor, "deposit_created", "deposit", deposit.id, total=deposit.total, receipts=wanted)
    session.commit()
    return deposit


def _villages_of(session: Session, payments: list[Payment]) -> dict[int, str]:
    """{member_id: village_code} of these payments' members (one query)."""
    ids = sorted({payment.member_id for payment in payments})
    if not ids:
        return {}
    return dict(session.exec(select(Member.id, Member.village_code).where(Member.id.in_(ids))).all())


def deposit_payments(session: Session, deposit: Deposit) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.deposit_id == deposit.id).order_by(Payment.id)).all())


def _deposit_for_cabang(session: Session, actor: Actor, deposit_id: int) -> Deposit:
    deposit = get_deposit(session, actor, deposit_id)
    require_role(actor, Role.cabang.value)
    session.refresh(deposit, with_for_update=True)
    return deposit


def confirm_deposit(session: Session, actor: Actor, deposit_id: int, bank_reference: str | None) -> Deposit:
    deposit = _deposit_for_cabang(session, actor, deposit_id)
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
    order = (Deposit.created_at, Deposit.id) if oldest_first else (Deposit.created_at.desc(), Deposit.id.desc())
    query = (
        select(Deposit, User)
        .join(User, User.id == Deposit.duta_id)
        .where(_deposit_scope(actor))
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
            .join(Member, Member.id == Payment.member_id)
            .where(Payment.status == PaymentStatus.refund_due.value, village_clause(actor, Member.village_code))
            .order_by(Payment.paid_on, Payment.id)
            .limit(limit)
        ).all()
    )


# ---------------------------------------------------------------- reminders and home


@dataclass
class Reminder:
    member: Member
    kind: str  # "due" (cover ends this month) or "lapsed" (ended in the last three months)
    monthly_amount: int
    whatsapp_url: str


# Reminders on the duta's home: the most urgent ones; the rest through the member list's cover filters.
REMINDER_LIMIT = 30


def _to_remind(actor: Actor, this_month: dt.date):
    return (
        Member.status == MemberStatus.approved.value,
        village_clause(actor, Member.village_code),
        Member.covered_until >= add_months(this_month, -3),
        Member.covered_until <= this_month,
    )


def reminders(session: Session, actor: Actor, day: dt.date | None = None, limit: int | None = None) -> list[Reminder]:
    """Members whose cover ends this month, then those lapsed in the last three months (latest first)."""
    day = day or today()
    this_month = month_start(day)
    members = session.exec(
        select(Member)
        .where(*_to_remind(actor, this_month))
        .order_by(Member.covered_until.desc(), Member.full_name)
        .limit(limit or REMINDER_LIMIT)
    ).all()
    result = []
    for member in members:
        amount = contribution(session, member, this_month).total
        kind = "due" if member.covered_until == this_month else "lapsed"
        result.append(Reminder(member, kind, amount, reminder_link(member, amount, this_month)))
    return result


def reminder_count(session: Session, actor: Actor, day: dt.date | None = None) -> int:
    return session.exec(
        select(func.count()).select_from(Member).where(*_to_remind(actor, month_start(day or today())))
    ).one()


def cash_context(session: Session, actor: Actor) -> dict:
    """Cash held, deposits waiting and refunds due (the keys of home/_cash.html): on homes and /deposits."""
    if actor.sees_region:
        return {}  # the region's homes link to the dashboard, which has its own cash figures
    context: dict = {"cash_held": cash_held(session, actor, limit=CASH_HELD_LIMIT)}
    if len(context["cash_held"]) == CASH_HELD_LIMIT:
        total, holders, _oldest = custody.summary(session, *_held_where(actor))
        context.update(cash_held_total=total, cash_held_dutas=holders)
    context["dues_waiting"] = session.exec(
        select(func.count())
        .select_from(Deposit)
        .where(Deposit.status == DepositStatus.submitted.value, _deposit_scope(actor))
    ).one()
    if actor.role != Role.duta.value:
        context["dues_refunds"] = session.exec(
            select(func.count())
            .select_from(Payment)
            .join(Member, Member.id == Payment.member_id)
            .where(Payment.status == PaymentStatus.refund_due.value, village_clause(actor, Member.village_code))
        ).one()
    return context


def home_context(session: Session, actor: Actor) -> dict:
    """The dues part of each role's home page: the cash context, and a duta's reminders
    (home/_reminders.html)."""
    context = cash_context(session, actor)
    if actor.role == Role.duta.value:
        context["reminders"] = reminders(session, actor)
        context["reminders_total"] = (
            reminder_count(session, actor) if len(context["reminders"]) == REMINDER_LIMIT else len(context["reminders"])
        )
    return context


def payments_of(session: Session, actor: Actor, member_id: int) -> list[Payment]:
    return member_payments(session, get_member(session, actor, member_id))


def member_payments(session: Session, member: Member, limit: int | None = None) -> list[Payment]:
    """The payments of a member already loaded within scope, latest first (`limit`: only that many)."""
    query = select(Payment).where(Payment.member_id == member.id).order_by(Payment.paid_on.desc(), Payment.id.desc())
    return list(session.exec(query.limit(limit)).all())


def may_record_payment(actor: Actor, member: Member) -> bool:
    """Whether to offer `actor` a payment for `member`; `record_payment` enforces the same rule."""
    return actor.role in PAYING_ROLES and member.status in PAYABLE_STATUSES


# ---------------------------------------------------------------- rates and discounts (operator CLI)


def _parse_month(value: str | None) -> dt.date | None:
    try:
        year, month = str(value or "").strip().split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def add_discount(
    session: Session,
    actor: Actor | None,
    occupation: str,
    first: str,
    last: str,
    jkk_percent_off: int,
    jkm_percent_off: int,
    note: str = "",
):
    """A time-limited cut of JKK and JKM for an occupation group, applied by a payment's month."""
    errors: dict[str, str] = {}
    if occupation not in OCCUPATIONS:
        errors["occupation"] = _("Unknown occupation; use one of: %(choices)s.", choices=", ".join(OCCUPATIONS))
    first_month, last_month = _parse_month(first), _parse_month(last)
    if first_month is None:
        errors["from"] = _("Use a month as YYYY-MM.")
    if last_month is None:
        errors["to"] = _("Use a month as YYYY-MM.")
    elif first_month is not None and last_month < first_month:
        errors["to"] = _("The last month cannot be before the first.")
    for field, value in (("jkk_off", jkk_percent_off), ("jkm_off", jkm_percent_off)):
        if not 0 <= int(value) <= 100:
            errors[field] = _("Use a percentage from 0 to 100.")
    if int(jkk_percent_off) == 0 and int(jkm_percent_off) == 0 and "jkk_off" not in errors:
        errors["jkk_off"] = _("A discount must cut JKK or JKM.")
    if errors:
        raise Invalid(errors)
    discount = RateDiscount(
        occupation=occupation,
        first_month=first_month,
        last_month=last_month,
        jkk_percent_off=int(jkk_percent_off),
        jkm_percent_off=int(jkm_percent_off),
        note=(note or "")[:255],
        created_by_id=getattr(actor, "id", None),
    )
    session.add(discount)
    session.flush()
    audit.record(
        session,
        actor,
        "discount_added",
        "rate_discount",
        discount.id,
        actor_name=None if actor else "cli",
        occupation=occupation,
        first=f"{first_month:%Y-%m}",
        last=f"{last_month:%Y-%m}",
        jkk_off=int(jkk_percent_off),
        jkm_off=int(jkm_percent_off),
    )
    session.commit()
    return discount


def rates_and_discounts(session: Session):
    rates = session.exec(select(Rate).order_by(Rate.effective_from)).all()
    discounts = session.exec(select(RateDiscount).order_by(RateDiscount.first_month, RateDiscount.id)).all()
    return rates, discounts
