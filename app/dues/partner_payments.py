"""A payment taken by a partner (bank, agent, cooperative) and sent by its API client with the member's
payment code: `POST /api/v1/partner/payments`.

The rules are those of every payment (app/dues/service.py: terms, price, payable, the amount), with
the channel `mitra`: never cash, so no duta holds it. The partner's reference is its idempotency key:
unique per partner in the database, so a request sent again answers its first receipt, and the same
reference with another payment is refused."""

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core.clock import today
from app.core.errors import Conflict, Invalid
from app.core.i18n import _
from app.core.money import format_rupiah, parse_rupiah
from app.core.text import text_errors
from app.dues import service
from app.dues.models import Channel, Payer, Payment
from app.members.models import Member
from app.members.payment_code import member_by_payment_code, parse_payment_code

REFERENCE_LENGTH = 80


def _reference(raw) -> str:
    reference = str(raw or "").strip()
    errors = text_errors({"reference": reference})
    if not reference:
        errors["reference"] = _("Enter the partner's reference of this payment.")
    elif len(reference) > REFERENCE_LENGTH:
        errors["reference"] = _("Use at most %(n)s characters.", n=REFERENCE_LENGTH)
    if errors:
        raise Invalid(errors)
    return reference


def _earlier(session: Session, partner_id: int, reference: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.partner_id == partner_id, Payment.reference == reference)).first()


def _same_request(session: Session, payment: Payment, code: str, months, amount, paid_on) -> service.Recorded:
    """The first receipt of this reference when the request is the same one sent again; else refused."""
    member = session.get(Member, payment.member_id)
    same = (
        member is not None
        and member.member_number == code[:-1]
        and str(months).strip() == str(payment.months)
        and parse_rupiah(amount) == payment.amount
        and (paid_on in (None, "") or service.parse_day(paid_on) == payment.paid_on)
    )
    if not same:
        raise Invalid(
            {
                "reference": _(
                    "This reference was already used for another payment; send this one with its own reference."
                )
            }
        )
    return service.Recorded(payment, replayed=True)


def record_partner_payment(
    session: Session, actor: Actor, code, months, amount, reference, paid_on: dt.date | str | None = None
) -> service.Recorded:
    """Record the payment of the member whose code was given (in the partner's area: 404 elsewhere)."""
    require_role(actor, Role.mitra.value)
    assert actor.partner_id is not None  # every `mitra` account is a partner's client
    reference = _reference(reference)
    digits = parse_payment_code(code)
    earlier = _earlier(session, actor.partner_id, reference)
    if earlier is not None:
        return _same_request(session, earlier, digits, months, amount, paid_on)
    found = member_by_payment_code(session, actor, digits)
    assert found.id is not None  # a stored member
    member = service.lock_member(session, found.id)
    service.require_payable(member)
    stored = service.valid_payments(session, found.id)
    village = service.village_name(session, member.village_code)
    terms, errors = service.check_terms(actor, months, Channel.mitra.value, reference, paid_on, None, None, village)
    monthly, price_errors = service.price(
        session, member, stored, service.parse_day(paid_on), service.parse_months(months)
    )
    errors = {**price_errors, **errors}
    seen = parse_rupiah(amount)
    if seen is None:
        errors["amount"] = _("Enter an amount in whole rupiah.")
    if errors:
        raise Invalid(errors)
    assert terms is not None and seen is not None
    service.require_amount(seen, monthly, terms.months)
    try:
        payment = service.add_payment(session, actor, member, stored, terms, monthly)
    except IntegrityError:
        # Another client of the partner sent this reference at the same moment and committed first.
        session.rollback()
        earlier = _earlier(session, actor.partner_id, reference)
        if earlier is None:
            raise
        return _same_request(session, earlier, digits, months, amount, paid_on)
    session.commit()
    return service.Recorded(payment)


class NotWholeMonths(Conflict):
    """A settled amount that pays no whole number of months (1 to 12) of the member's contribution."""


def record_settled(
    session: Session, actor: Actor, partner_id: int, member_id: int, day: dt.date, amount: int, reference
) -> Payment:
    """The payment of a partner's settlement line, recorded by the branch officer in the caller's
    transaction: the months are those the amount pays of the locked member's contribution on `day`,
    with the rules of any payment (payable, not in the future, not before the registration, not too far
    ahead). Refused before anything is written: `NotWholeMonths`, `Invalid` (another rule, by field) or
    `Conflict` (the member may not pay)."""
    require_role(actor, Role.cabang.value)
    member = service.lock_member(session, member_id)
    service.require_payable(member)
    if day > today():
        raise Invalid({"paid_on": _("The payment date cannot be in the future.")})
    stored = service.valid_payments(session, member_id)
    monthly, errors = service.price(session, member, stored, day, None)
    if errors:
        raise Invalid(errors)
    months, rest = divmod(amount, monthly)
    if rest or not 1 <= months <= service.MAX_MONTHS:
        raise NotWholeMonths(_("The contribution is %(amount)s a month.", amount=format_rupiah(monthly)))
    _monthly, errors = service.price(session, member, stored, day, months)
    if errors:
        raise Invalid(errors)
    terms = service.Terms(months, Channel.mitra.value, _reference(reference), day, Payer.self_.value, None)
    return service.add_payment(session, actor, member, stored, terms, monthly, partner_id=partner_id)
