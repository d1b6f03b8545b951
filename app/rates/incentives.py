"""The duta's incentive rates: dated rows the regional office sets (`wilayah`), each in force from its
month until the next; before the first, the incentive is zero."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core import audit
from app.core.clock import month_start, today, utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import _
from app.core.money import parse_rupiah
from app.rates.models import IncentiveRate

MAX_PER_MEMBER = 1_000_000
MAX_PERCENT = Decimal(20)
MONTH = re.compile(r"(\d{4})-(\d{2})")


def rate_in_force(session: Session, month: dt.date) -> IncentiveRate | None:
    return session.exec(
        select(IncentiveRate)
        .where(col(IncentiveRate.effective_from) <= month)
        .order_by(col(IncentiveRate.effective_from).desc())
        .limit(1)
    ).first()


def rates(session: Session) -> list[IncentiveRate]:
    return list(session.exec(select(IncentiveRate).order_by(col(IncentiveRate.effective_from).desc())).all())


def parse_month(raw: Any) -> dt.date | None:
    """`YYYY-MM` as the first day of that month; None when it is not one."""
    match = MONTH.fullmatch(str(raw or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _basis_points(raw: Any) -> int | None:
    """A percentage as typed (`2`, `2,5` or `2.5`, at most two decimals) in basis points."""
    text = str(raw if raw is not None else "").strip().replace(",", ".").removesuffix("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or not 0 <= value <= MAX_PERCENT:
        return None
    return int(value * 100)


def set_rate(session: Session, actor: Actor, month: Any, per_member: Any, percent: Any) -> IncentiveRate:
    """From this month on (never an earlier one: incentives already paid stay as computed)."""
    require_role(actor, Role.wilayah.value)
    errors: dict[str, str] = {}
    first = parse_month(month)
    if first is None:
        errors["from_month"] = _("Use a month as YYYY-MM.")
    elif first < month_start(today()):
        errors["from_month"] = _("A rate starts this month or later: past incentives stay as they were computed.")
    amount = parse_rupiah(per_member) if str(per_member or "").strip() else 0
    if amount is None or not 0 <= amount <= MAX_PER_MEMBER:
        errors["per_member"] = _("Enter whole rupiah from 0 to %(max)s.", max=f"{MAX_PER_MEMBER:,}".replace(",", "."))
    points = _basis_points(percent) if str(percent or "").strip() else 0
    if points is None:
        errors["percent"] = _("Enter a percentage from 0 to %(max)s, with at most two decimals.", max=MAX_PERCENT)
    if errors:
        raise Invalid(errors)
    assert first is not None and amount is not None and points is not None  # else an error above
    rate = session.exec(select(IncentiveRate).where(IncentiveRate.effective_from == first)).first()
    if rate is None:
        rate = IncentiveRate(effective_from=first)
    rate.per_member, rate.dues_basis_points = amount, points
    rate.set_by_id, rate.set_at = actor.id, utcnow()
    session.add(rate)
    try:
        session.flush()
    except IntegrityError:  # another officer set the same month at the same moment
        session.rollback()
        raise Conflict(_("Please try again.")) from None
    audit.record(
        session,
        actor,
        "incentive_rate_set",
        "incentive_rate",
        rate.id,
        first=first.isoformat(),
        per_member=amount,
        percent=rate.percent,
    )
    session.commit()
    return rate
