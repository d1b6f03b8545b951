"""Cash custody: THE definition of cash held, and the running table `cash_held` that makes it cheap.

Cash held = cash payments (channel `tunai`) with a holder (the `duta` who took it), in no live deposit
(submitted or confirmed; a returned deposit clears its payments' `deposit_id`, so "in no live deposit"
is `deposit_id IS NULL`), with status `valid` or `refund_due` (a rejected registration's cash stays in
the duta's hands until the cabang marks it refunded). Voided and refunded payments are not held.

`held_clause()` is that definition over the payment table (a duta's own list, the rebuild, the tests);
the table `cash_held` (model `HeldCash`: total, number of payments and oldest payment date per holder and
member village) is what the duta's home and every dashboard read, so cash held costs a few rows whatever
the number of payments. It is kept in the transaction of every change:
- `added` (a cash payment recorded, a deposit returned): one INSERT ... ON CONFLICT DO UPDATE adding the
  amounts (the oldest date is a MIN, so adding never needs a read);
- `removed` (a payment voided or refunded, payments put in a deposit): the holder's row of that village
  is locked, then recomputed from its held payments (index (holder_id, deposit_id), one duta's few rows),
  because the oldest date may have gone. Locking the row first means a concurrent `added` either waits
  for us (and then adds on top of our recomputation) or committed before our recomputation reads.
- `refund_due` (a registration rejected) keeps the cash held: no change.
`rebuild` recomputes the whole table from the payments (`duta rollup rebuild`, the generator, tests that
write payments directly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.core.db import table_of
from app.dues.models import DepositStatus, HeldCash, Payment, PaymentStatus
from app.members.models import Member

HELD_STATUSES = (PaymentStatus.valid.value, PaymentStatus.refund_due.value)
LIVE_DEPOSIT = (DepositStatus.submitted.value, DepositStatus.confirmed.value)


def held_clause():
    """WHERE over `Payment`: the payment is cash held by its holder (the one definition)."""
    return (
        Payment.channel == "tunai",
        col(Payment.holder_id).is_not(None),
        col(Payment.deposit_id).is_(None),
        col(Payment.status).in_(HELD_STATUSES),
    )


def is_held(payment: Payment) -> bool:
    """The same definition on a loaded payment."""
    return (
        payment.channel == "tunai"
        and payment.holder_id is not None
        and payment.deposit_id is None
        and payment.status in HELD_STATUSES
    )


def _upsert(dialect: str):
    table = table_of(HeldCash)
    base = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return base.on_conflict_do_update(
        index_elements=[table.c.holder_id, table.c.village_code],
        set_={
            "total": table.c.total + base.excluded.total,
            "payments": table.c.payments + base.excluded.payments,
            # A row emptied to zero payments keeps no date; MIN over NULL would keep the old one.
            "oldest_paid_on": func.coalesce(
                func.min(table.c.oldest_paid_on, base.excluded.oldest_paid_on)
                if dialect == "sqlite"
                else func.least(table.c.oldest_paid_on, base.excluded.oldest_paid_on),
                base.excluded.oldest_paid_on,
            ),
        },
    )


def added(session: Session, payments: Iterable[tuple[Payment, str]]) -> None:
    """Payments that just became held ((payment, member's village_code) pairs), in the caller's transaction."""
    rows: dict[tuple[int, str], list] = {}
    for payment, village_code in payments:
        if not is_held(payment):
            continue
        assert payment.holder_id is not None  # held cash has a holder
        row = rows.setdefault((payment.holder_id, village_code), [0, 0, payment.paid_on])
        row[0] += payment.amount
        row[1] += 1
        row[2] = min(row[2], payment.paid_on)
    if not rows:
        return
    session.flush()
    session.execute(
        _upsert(session.get_bind().dialect.name),
        [
            {"holder_id": h, "village_code": v, "total": total, "payments": count, "oldest_paid_on": oldest}
            for (h, v), (total, count, oldest) in sorted(rows.items())
        ],
    )


def removed(session: Session, keys: Iterable[tuple[int | None, str]]) -> None:
    """(holder_id, village_code) rows some of whose payments stopped being held: recompute those rows
    from their held payments (call after the payments' change is in the session)."""
    wanted = sorted({(h, v) for h, v in keys if h is not None})
    if not wanted:
        return
    session.flush()
    table = table_of(HeldCash)
    for holder_id, village_code in wanted:  # key order: concurrent transactions lock in the same order
        where = (HeldCash.holder_id == holder_id, HeldCash.village_code == village_code)
        session.exec(select(HeldCash.holder_id).where(*where).with_for_update()).all()
        total, count, oldest = session.exec(
            select(func.coalesce(func.sum(Payment.amount), 0), func.count(), func.min(Payment.paid_on))
            .select_from(Payment)
            .join(Member, col(Member.id) == Payment.member_id)
            .where(*held_clause(), Payment.holder_id == holder_id, Member.village_code == village_code)
        ).one()
        session.execute(
            update(table)
            .where(table.c.holder_id == holder_id, table.c.village_code == village_code)
            .values(total=int(total or 0), payments=int(count), oldest_paid_on=_date(oldest))
        )


def compute(session: Session) -> dict[tuple[int, str], tuple[int, int, dt.date | None]]:
    """Cash held from the payments: {(holder_id, village_code): (total, payments, oldest paid_on)}."""
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Payment.holder_id, Member.village_code, func.sum(Payment.amount), func.count(), func.min(Payment.paid_on)
        )
        .select_from(Payment)
        .join(Member, col(Member.id) == Payment.member_id)
        .where(*held_clause())
        .group_by(Payment.holder_id, Member.village_code)
    ).all()
    return {(h, v): (int(total), int(count), _date(oldest)) for h, v, total, count, oldest in rows}


def snapshot(session: Session) -> dict[tuple[int, str], tuple[int, int, dt.date | None]]:
    """The stored table without emptied rows, comparable with `compute`."""
    return {
        (h, v): (int(total), int(count), _date(oldest))
        for h, v, total, count, oldest in session.exec(
            select(  # type: ignore[call-overload]
                HeldCash.holder_id, HeldCash.village_code, HeldCash.total, HeldCash.payments, HeldCash.oldest_paid_on
            )
        ).all()
        if count
    }


def rebuild(session: Session, commit: bool = True) -> int:
    """Replace the table by a fresh computation; returns the number of rows written."""
    table = compute(session)
    session.execute(delete(HeldCash))
    rows = [
        {"holder_id": h, "village_code": v, "total": total, "payments": count, "oldest_paid_on": oldest}
        for (h, v), (total, count, oldest) in sorted(table.items())
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(table_of(HeldCash)), rows[start : start + 5000])
    if commit:
        session.commit()
    return len(rows)


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _oldest(value) -> dt.date:
    """The oldest paid_on of `cash_held` rows with payments: such a row always has one."""
    oldest = _date(value)
    assert oldest is not None  # only an emptied row (no payments) has no date
    return oldest


def per_holder(session: Session, *where, limit: int | None = None) -> list[tuple[int, int, int, dt.date]]:
    """(holder_id, total, payments, oldest paid_on) per duta holding cash, summed over the `cash_held`
    rows matching `where` (conditions over `HeldCash`, e.g. its village_code within a scope); longest held
    first (then the largest amount), at most `limit` duta."""
    oldest, total = func.min(HeldCash.oldest_paid_on), func.sum(HeldCash.total)
    query = (
        select(HeldCash.holder_id, total, func.sum(HeldCash.payments), oldest)
        .where(HeldCash.payments > 0, *where)
        .group_by(col(HeldCash.holder_id))
        .order_by(oldest, total.desc(), col(HeldCash.holder_id))
    )
    if limit is not None:
        query = query.limit(limit)
    return [(h, int(t or 0), int(n or 0), _oldest(o)) for h, t, n, o in session.exec(query).all()]


def summary(session: Session, *where) -> tuple[int, int, dt.date | None]:
    """(total, number of duta holding cash, oldest paid_on) over the `cash_held` rows matching `where`."""
    total, holders, oldest = session.exec(
        select(
            func.sum(HeldCash.total), func.count(func.distinct(HeldCash.holder_id)), func.min(HeldCash.oldest_paid_on)
        ).where(HeldCash.payments > 0, *where)
    ).one()
    return int(total or 0), int(holders or 0), _date(oldest)
