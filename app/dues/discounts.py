"""Time-limited discounts of an occupation group's contribution (operator CLI)."""

import datetime as dt

from sqlmodel import Session, col, select

from app.auth.scope import Actor
from app.core import audit
from app.core.errors import Invalid
from app.core.i18n import _
from app.members.models import Occupation
from app.rates.models import Rate, RateDiscount


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
    if occupation not in Occupation.codes():
        errors["occupation"] = _("Unknown occupation; use one of: %(choices)s.", choices=", ".join(Occupation.codes()))
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
    assert first_month is not None and last_month is not None  # else an error above
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
    rates = session.exec(select(Rate).order_by(col(Rate.effective_from))).all()
    discounts = session.exec(select(RateDiscount).order_by(col(RateDiscount.first_month), col(RateDiscount.id))).all()
    return rates, discounts
