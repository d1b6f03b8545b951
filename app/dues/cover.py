"""Cover computation, pure: which months each payment covers, replayed from a member's valid payments.

The rule (no arrears, ever): a payment's cover runs on from the month after the last covered month when
that month is the payment's month or later; otherwise it starts in the payment's own month, so a member
who stopped paying owes nothing for the gap. Payments are replayed in order of payment date, then id,
so adding or voiding one (even a late-recorded, back-dated one) always gives the same answer as
replaying the remaining valid payments from scratch.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.clock import add_months, month_start


@dataclass(frozen=True)
class CoverInput:
    """What the replay needs of a payment: its date, its number of months, and a tiebreaker."""

    paid_on: dt.date
    months: int
    order: int = 0


def sort_key(payment) -> tuple:
    return (payment.paid_on, getattr(payment, "id", None) or getattr(payment, "order", 0) or 0)


def cover_of(covered_until: dt.date | None, paid_on: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The months one payment covers, given the last month covered before it."""
    start = month_start(paid_on)
    if covered_until is not None and covered_until >= start:
        start = add_months(covered_until, 1)
    return start, add_months(start, months - 1)


def replay(payments: Iterable) -> tuple[dt.date | None, list[tuple[dt.date, dt.date]]]:
    """Replay payments (objects with `paid_on` and `months`, already the valid ones) in the order given.

    Returns the last covered month (None without payments) and each payment's (cover_from, cover_to),
    in the same order. Callers sort by `sort_key` first.
    """
    covered_until: dt.date | None = None
    spans: list[tuple[dt.date, dt.date]] = []
    for payment in payments:
        cover_from, cover_to = cover_of(covered_until, payment.paid_on, payment.months)
        spans.append((cover_from, cover_to))
        covered_until = cover_to
    return covered_until, spans
