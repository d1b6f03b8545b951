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

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.auth.models import Role, UserVillage
from app.auth.scope import Actor, get_in_scope, require_role, village_clause
from app.core import audit, idempotency
from app.core.bounds import MAX_ROW_ID
from app.core.clock import add_months, month_start, to_wib, today, utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _, ngettext
from app.core.money import format_rupiah, parse_rupiah
from app.core.sequences import next_value
from app.core.templating import format_day, format_month
from app.core.text import require_plain_text, text_errors
from app.dues import custody, rollup
from app.dues.cover import CoverInput, cover_of, replay, sort_key
from app.dues.custody import LIVE_DEPOSIT
from app.dues.models import PAYER_NAME_LENGTH, Channel, Deposit, Payer, Payment, PaymentStatus
from app.dues.receipts import format_receipt_number, receipt_counter
from app.members.models import Member, MemberStatus
from app.rates.service import Contribution, NoRate, monthly_contribution
from app.regions.models import Village

PAYMENT_ACTION = "payment"
MAX_MONTHS = 12
# Cover may be paid ahead this many months past the current one (a year), not endlessly.
MAX_MONTHS_AHEAD = 12
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
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.receipt_number == receipt_number, village_clause(actor, Member.village_code))
    ).first()
    if row is None:
        raise NotFound(_("Receipt not found."))
    return row[0], row[1]


def deposit_scope(actor: Actor):
    """A `duta` sees its own deposits; others those of the `duta`s serving villages in their area."""
    if actor.role == Role.duta.value:
        return Deposit.duta_id == actor.id
    # Uncorrelated IN, computed once: a correlated EXISTS re-ran the area's village list per deposit
    # (250 ms on SQLite for a branch with 5.000 waiting deposits, 3 ms this way).
    return col(Deposit.duta_id).in_(select(UserVillage.user_id).where(village_clause(actor, UserVillage.village_code)))


def get_deposit(session: Session, actor: Actor, deposit_id: int) -> Deposit:
    deposit = session.exec(select(Deposit).where(Deposit.id == deposit_id, deposit_scope(actor))).first()
    if deposit is None:
        raise NotFound(_("Deposit not found."))
    return deposit


def contribution(session: Session, member: Member, month: dt.date) -> Contribution:
    return monthly_contribution(session, member.monthly_income, member.jht, member.occupation, month_start(month))


def priced_day(session: Session, member: Member, paid_on) -> tuple[dt.date, int]:
    """The day a payment form prices and the monthly contribution in force then: the payment date typed,
    as `record_payment` checks the amount against it (a back-dated payment across a rate change costs the
    older rate); today's when that date cannot carry a payment (`record_payment` says why)."""
    day = parse_day(paid_on)
    if day is not None and to_wib(member.created_at).date() <= day <= today():
        with contextlib.suppress(NoRate):
            return day, contribution(session, member, day).total
    day = today()
    return day, contribution(session, member, day).total


# ---------------------------------------------------------------- cover


def lock_member(session: Session, member_id: int) -> Member:
    """The member row, locked until commit (PostgreSQL), with fresh values."""
    member = session.exec(
        select(Member).where(Member.id == member_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if member is None:  # pragma: no cover (members are never deleted)
        raise NotFound(_("Member not found."))
    return member


def covered_in(session: Session, member_ids: list[int], month: dt.date) -> set[int]:
    """Which of the members a valid payment covers in the month, up to the month of death (exact for
    past months too, unlike `covered_until`, which knows only the last covered month)."""
    if not member_ids:
        return set()
    return set(
        session.exec(
            select(Payment.member_id)
            .join(Member, col(Member.id) == Payment.member_id)
            .where(
                col(Payment.member_id).in_(member_ids),
                col(Payment.status) == PaymentStatus.valid.value,
                col(Payment.cover_from) <= month,
                col(Payment.cover_to) >= month,
                or_(col(Member.died_on).is_(None), col(Member.died_on) >= month),
            )
            .distinct()
        ).all()
    )


def valid_payments(session: Session, member_id: int) -> list[Payment]:
    return list(
        session.exec(
            select(Payment).where(Payment.member_id == member_id, Payment.status == PaymentStatus.valid.value)
        ).all()
    )


def recompute_cover(
    session: Session, member: Member, before: rollup.MemberState, payments: list[Payment] | None = None
) -> None:
    """Replay the member's valid payments; store each one's cover and the member's cover.

    Call with the member row locked (`lock_member`), inside the action's transaction, with `before` =
    the member's roll-up state taken right after locking, before the change: the monthly roll-up
    (app/dues/rollup.py) gets the difference in the same transaction. `payments`: the valid payments
    after the change (stored, with ids) when the caller has them at hand; read otherwise.
    """
    session.flush()
    if payments is None:
        assert member.id is not None  # a stored member
        payments = valid_payments(session, member.id)
    payments = sorted(payments, key=sort_key)
    covered_until, spans = replay(payments)
    for payment, (cover_from, cover_to) in zip(payments, spans, strict=False):
        if (payment.cover_from, payment.cover_to) != (cover_from, cover_to):
            payment.cover_from, payment.cover_to = cover_from, cover_to
            session.add(payment)
    member.covered_until = rollup.cover_ends(covered_until, member.died_on)
    member.first_covered = spans[0][0] if spans else None
    session.add(member)
    rollup.apply(session, before, rollup.state_of(member, spans, payments))


def mark_refund_due(session: Session, actor: Actor | None, member: Member) -> int:
    """For a registration being rejected: its valid payments become `refund_due`, cover is replayed.

    No commit: the rejection's transaction carries it. Returns the number of payments marked.
    """
    assert member.id is not None  # a stored registration
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


def parse_months(value) -> int | None:
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return months if 1 <= months <= MAX_MONTHS else None


def parse_day(value) -> dt.date | None:
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
    return format_receipt_number(year, next_value(session, receipt_counter(year)))


@dataclass
class Recorded:
    payment: Payment
    # True when an idempotency key found the payment of an earlier, identical request.
    replayed: bool = False


def _payment_request(member_id: int, months, channel, reference, paid_on, payer=None, payer_name=None) -> str:
    """The fingerprint of a payment request: what was asked, normalised, before any rule applies (a
    retry answers with its first receipt even when a new payment would now be refused). An empty date
    stays empty: a retry on the next day is still the same request."""
    inputs = {"member_id": member_id, **terms_asked(months, channel, reference, paid_on)}
    # Only when given: a key stored before payers existed still answers the same request.
    if (payer or "").strip() not in ("", Payer.self_.value) or (payer_name or "").strip():
        inputs.update(payer=(payer or "").strip(), payer_name=(payer_name or "").strip())
    return idempotency.fingerprint(PAYMENT_ACTION, inputs)


def terms_asked(months, channel, reference, paid_on) -> dict:
    day = None if paid_on is None or paid_on == "" else parse_day(paid_on) or str(paid_on).strip()
    return {
        "months": parse_months(months) or str(months).strip(),
        "channel": (channel or "").strip(),
        "reference": (reference or "").strip(),
        "paid_on": day,
    }


def payer_rule(payer: str | None, payer_name: str | None, village_name: str) -> tuple[str, str | None, dict[str, str]]:
    """Who pays, checked the same way for one payment and a group: (payer code, the name to show,
    messages by field). The member's own payment names nobody; a sponsor must be named; a village
    budget is the village's own unless named otherwise."""
    code = (payer or "").strip() or Payer.self_.value
    errors = text_errors({"payer_name": payer_name})
    name = " ".join((payer_name or "").split()) or None
    if code not in Payer.codes():
        errors["payer"] = _("Choose who pays.")
    elif code == Payer.self_.value:
        name = None  # a name typed before choosing "the member" is not the member's
    elif name is not None and len(name) > PAYER_NAME_LENGTH:
        errors["payer_name"] = _("Use at most %(n)s characters.", n=PAYER_NAME_LENGTH)
    elif code == Payer.sponsor.value and name is None:
        errors["payer_name"] = _("Name the sponsor (a company's CSR, a cooperative).")
    elif code == Payer.apbdes.value and name is None:
        name = f"APBDes {village_name}"
    return code, name, errors


@dataclass
class Terms:
    """What a payment asks beyond its member, checked: months, channel, reference, date, payer."""

    months: int
    channel: str
    reference: str | None
    day: dt.date
    payer: str
    payer_name: str | None


def check_terms(
    actor: Actor, months, channel, reference, paid_on, payer, payer_name, village_name: str
) -> tuple[Terms | None, dict[str, str]]:
    """The rules that hold for any member: the terms, or None with the messages by field."""
    errors: dict[str, str] = {}
    month_count = parse_months(months)
    if month_count is None:
        errors["months"] = _("Choose 1 to 12 months.")
    channel = (channel or "").strip()
    if channel not in Channel.codes():
        errors["channel"] = _("Choose how it was paid.")
    elif (channel == Channel.mitra.value) != (actor.partner_id is not None):
        errors["channel"] = _("A partner's payments are recorded by the partner's own API client.")
    elif channel == "tunai" and actor.role != Role.duta.value:
        errors["channel"] = _("Cash is recorded by the village's duta, who holds it.")
    errors.update(text_errors({"reference": reference}))
    reference = (reference or "").strip() or None
    if channel == "bank" and not reference:
        errors["reference"] = _("Enter the bank or agent reference.")
    elif reference and len(reference) > 80:
        errors["reference"] = _("Use at most %(n)s characters.", n=80)
    day = parse_day(paid_on)
    if day is None:
        errors["paid_on"] = _("Enter a date.")
    elif day > today():
        errors["paid_on"] = _("The payment date cannot be in the future.")
    payer, payer_name, payer_errors = payer_rule(payer, payer_name, village_name)
    errors.update(payer_errors)
    if errors:
        return None, errors
    assert month_count is not None and day is not None
    return Terms(month_count, channel, reference, day, payer, payer_name), {}


def require_payable(member: Member) -> None:
    if member.status not in PAYABLE_STATUSES:
        raise Conflict(_("Payments can be recorded only for submitted or approved registrations."))
    if member.died_on is not None:  # the cover ended with the member's death
        raise Conflict(_("The member died on %(day)s: no more payments are taken.", day=format_day(member.died_on)))


def price(
    session: Session, member: Member, stored: list[Payment], day: dt.date | None, month_count: int | None
) -> tuple[int, dict[str, str]]:
    """The member's monthly contribution on `day`, or messages: a date before the registration or
    without a rate, cover paid too far ahead (replayed with the member's `stored` valid payments)."""
    if day is None or day > today():
        return 0, {}  # refused by `check_terms`
    registered = to_wib(member.created_at).date()
    if day < registered:
        return 0, {
            "paid_on": _(
                "The payment date cannot be before the registration day (%(day)s).", day=format_day(registered)
            )
        }
    try:
        monthly = contribution(session, member, day).total
    except NoRate:
        return 0, {"paid_on": _("No contribution rate was in force on this date.")}
    return monthly, _too_far_ahead(stored, day, month_count) if month_count is not None else {}


def village_name(session: Session, village_code: str) -> str:
    village = session.get(Village, village_code)
    return village.name if village is not None else village_code


def add_payment(
    session: Session,
    actor: Actor,
    member: Member,
    stored: list[Payment],
    terms: Terms,
    monthly: int,
    partner_id: int | None = None,
) -> Payment:
    """Store a checked payment of a locked member: its receipt number, the cover replayed, the audit
    entry and cash custody, in the caller's transaction. `partner_id`: the partner that took it, when
    the branch records it from the partner's settlement file (a partner's own client is its actor's)."""
    assert member.id is not None  # a stored member
    before = rollup.state_of(member, [(p.cover_from, p.cover_to) for p in stored], stored)
    cover_from, cover_to = cover_of(member.covered_until, terms.day, terms.months)
    payment = Payment(
        receipt_number=_next_receipt_number(session),
        member_id=member.id,
        months=terms.months,
        monthly_amount=monthly,
        amount=monthly * terms.months,
        channel=terms.channel,
        reference=terms.reference,
        paid_on=terms.day,
        cover_from=cover_from,
        cover_to=cover_to,
        payer=terms.payer,
        payer_name=terms.payer_name,
        recorded_by_id=actor.id,
        holder_id=actor.id if terms.channel == "tunai" else None,
        partner_id=partner_id if partner_id is not None else actor.partner_id,
    )
    session.add(payment)
    # Replayed with the member's other payments: a back-dated payment can move later ones' cover.
    recompute_cover(session, member, before, [*stored, payment])
    audit.record(
        session,
        actor,
        "payment_recorded",
        "payment",
        payment.receipt_number,
        member_id=member.id,
        months=terms.months,
        amount=payment.amount,
        channel=terms.channel,
        payer=terms.payer,
        payer_name=terms.payer_name,
        paid_on=terms.day.isoformat(),
        cover_from=f"{payment.cover_from:%Y-%m}",
        cover_to=f"{payment.cover_to:%Y-%m}",
    )
    custody.added(session, [(payment, member.village_code)])  # cash: now held by this duta
    return payment


def record_payment(
    session: Session,
    actor: Actor,
    member_id: int,
    months,
    channel: str | None,
    reference: str | None = None,
    paid_on=None,
    idempotency_key: str | None = None,
    amount=None,
    payer: str | None = None,
    payer_name: str | None = None,
) -> Recorded:
    """`amount`, when given, is what the payer was told and handed over: a payment of any other
    total (the contribution changed, another number of months) is refused with the right amount.
    `payer` (default the member) and `payer_name`: see `payer_rule`."""
    key = idempotency.clean_key(idempotency_key)
    request = _payment_request(member_id, months, channel, reference, paid_on, payer, payer_name)
    if key:
        earlier = _replayed(session, actor, key, request)
        if earlier is not None:
            return Recorded(earlier, replayed=True)
    # Locked from the start (PostgreSQL; SQLite holds the write lock from BEGIN IMMEDIATE).
    member = get_member(session, actor, member_id, for_update=True)
    require_role(actor, *PAYING_ROLES)
    require_payable(member)
    # Read once for the cap on paying ahead, the roll-up's state before and the replay after.
    stored = valid_payments(session, member_id)

    village = village_name(session, member.village_code)
    terms, errors = check_terms(actor, months, channel, reference, paid_on, payer, payer_name, village)
    monthly, price_errors = price(session, member, stored, parse_day(paid_on), parse_months(months))
    errors = {**price_errors, **errors}
    seen = None if amount is None or amount == "" else parse_rupiah(amount)
    if amount not in (None, "") and seen is None:
        errors["amount"] = _("Enter an amount in whole rupiah.")
    if errors:
        raise Invalid(errors)
    assert terms is not None
    if seen is not None:
        require_amount(seen, monthly, terms.months)

    # The key before the receipt number: a repeated request (the outbox sending again after a lost
    # answer) stops here, before taking a number it would leave unused (a sequence gives no number back).
    if key and not idempotency.claim(session, actor.id, key, PAYMENT_ACTION, request, idempotency.PENDING):
        session.rollback()  # a request with the same key came first: answer with its receipt
        earlier = _replayed(session, actor, key, request)
        if earlier is None:
            raise Conflict(_("Please try again."))
        return Recorded(earlier, replayed=True)
    payment = add_payment(session, actor, member, stored, terms, monthly)
    if key:
        idempotency.settle(session, actor.id, key, payment.receipt_number)
    session.commit()
    return Recorded(payment)


class WrongAmount(Conflict):
    """The amount handed over is not months x the contribution in force: 409 saying the right one."""

    def __init__(self, message: str, right_amount: int):
        super().__init__(message, field="amount")
        self.data = {"right_amount": right_amount}


def require_amount(seen: int, monthly: int, months: int) -> None:
    """The payer was told, and handed over, `seen`: refused unless it is what the months cost."""
    if seen != monthly * months:
        raise WrongAmount(
            ngettext(
                "%(num)s month is %(amount)s, not %(seen)s: tell the payer and confirm again.",
                "%(num)s months are %(amount)s, not %(seen)s: tell the payer and confirm again.",
                months,
                amount=format_rupiah(monthly * months),
                seen=format_rupiah(seen),
            ),
            monthly * months,
        )


def _too_far_ahead(valid: list[Payment], day: dt.date, months: int) -> dict[str, str]:
    """Cover may be paid ahead up to MAX_MONTHS_AHEAD past the current month, no further: replayed with
    the member's valid payments, as the payment would be stored."""
    last_payable = add_months(month_start(today()), MAX_MONTHS_AHEAD)
    # The new payment has the largest id: after every payment of its day.
    new = CoverInput(day, months, order=MAX_ROW_ID + 1)
    covered_until, _spans = replay(sorted([*valid, new], key=sort_key))
    if covered_until is None or covered_until <= last_payable:
        return {}
    return {
        "months": _("Cover can be paid up to %(month)s at most: choose fewer months.", month=format_month(last_payable))
    }


def _replayed(session: Session, actor: Actor, key: str, request: str) -> Payment | None:
    receipt = idempotency.find(session, actor.id, key, PAYMENT_ACTION, request)
    if receipt is None:
        return None
    payment = session.exec(select(Payment).where(Payment.receipt_number == receipt)).one()
    # Nothing to write: end the transaction here. Kept open, it held SQLite's write lock while the
    # answer was serialised, which waits for a worker thread, which under load are all waiting for
    # that lock ("database is locked" after busy_timeout).
    session.commit()
    return payment


# ---------------------------------------------------------------- void and refund


def void_payment(session: Session, actor: Actor, receipt_number: str, reason: str | None) -> Payment:
    payment, member = get_payment(session, actor, receipt_number)
    require_role(actor, Role.cabang.value)
    require_plain_text({"reason": reason})
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": _("Give the reason for voiding.")})
    if len(reason) > 500:
        raise Invalid({"reason": _("Use at most %(n)s characters.", n=500)})
    member = lock_member(session, payment.member_id)
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


def payments_of(session: Session, actor: Actor, member_id: int) -> list[Payment]:
    return member_payments(session, get_member(session, actor, member_id))


def member_payments(session: Session, member: Member, limit: int | None = None) -> list[Payment]:
    """The payments of a member already loaded within scope, latest first (`limit`: only that many)."""
    query = (
        select(Payment)
        .where(Payment.member_id == member.id)
        .order_by(col(Payment.paid_on).desc(), col(Payment.id).desc())
    )
    return list(session.exec(query.limit(limit)).all())


def may_record_payment(actor: Actor, member: Member) -> bool:
    """Whether to offer `actor` a payment for `member`; `record_payment` enforces the same rule."""
    return actor.role in PAYING_ROLES and member.status in PAYABLE_STATUSES and member.died_on is None
