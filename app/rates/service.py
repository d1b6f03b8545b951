"""The monthly contribution, from the rate table in force for a month (never from literals).

JKK is a percentage of the declared income, JKM a fixed amount, JHT (optional) a percentage; an
occupation group may have a time-limited discount on JKK and JKM (`RateDiscount`).
"""

import datetime as dt
import threading
import time
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.core.clock import month_start
from app.core.money import percent_of
from app.rates.models import Rate, RateDiscount


@dataclass(frozen=True)
class Contribution:
    jkk: int
    jkm: int
    jht: int
    total: int

    @classmethod
    def of(cls, jkk: int, jkm: int, jht: int) -> "Contribution":
        return cls(jkk=jkk, jkm=jkm, jht=jht, total=jkk + jkm + jht)


class NoRate(LookupError):
    """No rate row is in force for the month (the table must start before any cover)."""


# ---------------------------------------------------------------- the tables, cached per process
#
# Every registration and payment needs the rate in force and the occupation discounts: a handful of
# rows that change only when an operator adds one (`duta rates ...`, another process). They are read
# once per process and database, and read again after REFRESH_SECONDS, so a change made elsewhere is
# in force here within that time. A session that adds or changes rate rows itself (not committed yet,
# or a test's rolled-back transaction) never uses nor fills the cache, and its commit empties it.

REFRESH_SECONDS = 10.0
_CHANGED = "duta_rates_changed"


@dataclass(frozen=True)
class RateRow:
    effective_from: dt.date
    jkk_basis_points: int
    jht_basis_points: int
    jkm_amount: int
    minimum_income: int


@dataclass(frozen=True)
class DiscountRow:
    first_month: dt.date
    last_month: dt.date
    jkk_percent_off: int
    jkm_percent_off: int


@dataclass(frozen=True)
class RateTables:
    rates: tuple[RateRow, ...]  # latest `effective_from` first
    discounts: dict[str, tuple[DiscountRow, ...]]  # by occupation
    loaded_at: float


_cache: dict[object, RateTables] = {}
_lock = threading.Lock()


def _load(session: Session) -> RateTables:
    rates = tuple(
        RateRow(*row)
        for row in session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
                Rate.effective_from, Rate.jkk_basis_points, Rate.jht_basis_points, Rate.jkm_amount, Rate.minimum_income
            ).order_by(col(Rate.effective_from).desc())
        ).all()
    )
    discounts: dict[str, list[DiscountRow]] = {}
    for occupation, *values in session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            RateDiscount.occupation,
            RateDiscount.first_month,
            RateDiscount.last_month,
            RateDiscount.jkk_percent_off,
            RateDiscount.jkm_percent_off,
        )
    ).all():
        discounts.setdefault(occupation, []).append(DiscountRow(*values))
    return RateTables(rates, {k: tuple(v) for k, v in discounts.items()}, time.monotonic())


def _touches_rates(objects) -> bool:
    return any(isinstance(obj, (Rate, RateDiscount)) for obj in objects)


def tables(session: Session) -> RateTables:
    """The rate and discount rows as this session should see them (cached when that is safe)."""
    if (
        session.info.get(_CHANGED)
        or _touches_rates(session.new)
        or _touches_rates(session.dirty)
        or _touches_rates(session.deleted)
    ):
        return _load(session)
    key = session.get_bind().engine.url
    cached = _cache.get(key)
    if cached is None or time.monotonic() - cached.loaded_at > REFRESH_SECONDS:
        cached = _load(session)
        with _lock:
            _cache[key] = cached
    return cached


def clear_cache() -> None:
    with _lock:
        _cache.clear()


@event.listens_for(OrmSession, "before_flush")
def _mark_rate_changes(session, _context, _instances) -> None:
    if _touches_rates(session.new) or _touches_rates(session.dirty) or _touches_rates(session.deleted):
        session.info[_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _forget_after_commit(session) -> None:
    if session.info.get(_CHANGED):
        clear_cache()


# ---------------------------------------------------------------- lookups


def rate_for(session: Session, month: dt.date) -> RateRow:
    """The row with the latest `effective_from` on or before the month."""
    month = month_start(month)
    for rate in tables(session).rates:
        if rate.effective_from <= month:
            return rate
    raise NoRate(f"no contribution rate in force for {month:%Y-%m}")


def minimum_income(session: Session, month: dt.date) -> int:
    return rate_for(session, month).minimum_income


def discount_for(session: Session, occupation: str | None, month: dt.date) -> tuple[int, int]:
    """(JKK percent off, JKM percent off) for the occupation in that month; the largest cut applies."""
    if not occupation:
        return 0, 0
    month = month_start(month)
    rows = [d for d in tables(session).discounts.get(occupation, ()) if d.first_month <= month <= d.last_month]
    if not rows:
        return 0, 0
    clamp = lambda value: max(0, min(100, int(value or 0)))  # noqa: E731
    return clamp(max(row.jkk_percent_off for row in rows)), clamp(max(row.jkm_percent_off for row in rows))


def monthly_contribution(
    session: Session, monthly_income: int, jht: bool, occupation: str | None, month: dt.date
) -> Contribution:
    """The contribution for one month of cover, in whole rupiah."""
    jkk_off, jkm_off = discount_for(session, occupation, month)
    return contribution_of(rate_for(session, month), jkk_off, jkm_off, monthly_income, jht)


def contribution_of(rate: RateRow, jkk_off: int, jkm_off: int, monthly_income: int, jht: bool) -> Contribution:
    """The formula alone: the rate row in force and the occupation's discount (percent off) given."""
    jkk = percent_of(monthly_income, rate.jkk_basis_points)
    jkk -= percent_of(jkk, jkk_off * 100)
    jkm = rate.jkm_amount - percent_of(rate.jkm_amount, jkm_off * 100)
    jht_amount = percent_of(monthly_income, rate.jht_basis_points) if jht else 0
    return Contribution.of(jkk=jkk, jkm=jkm, jht=jht_amount)
