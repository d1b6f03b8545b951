"""The monthly roll-ups: `village_month` (covered, new, lapsed approved members per village and month)
and `village_dues` (their valid payments per village, month of payment, payer, channel and partner).

Kept in the transaction of every change of a member's contribution to it, by diffing the member's
state before and after the change:
- a payment recorded, voided, or turned `refund_due` (wherever `recompute_cover` runs: the caller takes
  `member_state` right after locking the member, before changing anything, and passes it on);
- an approval (a submitted registration may already have paid months: `member_approved`);
- a death recorded (app/dues/death.py): the cover ends with the month of death.
Only approved members count, as in the dashboards. A member's state is its village, its covered months
(the union of its valid payments' cover spans, none after the month of death) and `first_covered`. Its
contribution: +1 `covered` in each covered month, +1 `lapsed` in each month following a covered month
that is not covered itself (a death is not a lapse), +1 `new` in its `first_covered` month. The deltas
go in with one `INSERT ... ON CONFLICT DO UPDATE` (rows in key order, so concurrent transactions lock
them in the same order).

`rebuild` recomputes the whole table from the members and payments (`duta rollup rebuild`; the
generator calls it after a load). Rows may hold zeros after deltas; readers sum, so zeros are harmless.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, extract, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.core.clock import add_months, month_start
from app.core.db import table_of
from app.dues.models import Payment, PaymentStatus, RegencyDues, RegencyMonth, VillageDues, VillageMonth
from app.members.models import Member, MemberStatus

COLUMNS = ("covered", "new", "lapsed")
DUES_KEY = ("month", "payer", "channel", "partner_id")
DUES_COLUMNS = ("payments", "amount")


# The key of `village_dues` beyond the village: month of payment, payer, channel, partner (0: none).
DuesKey = tuple[dt.date, str, str, int]


@dataclass(frozen=True)
class MemberState:
    village_code: str
    months: frozenset[dt.date] = frozenset()
    first_covered: dt.date | None = None
    died_in: dt.date | None = None  # the month of death
    # Its valid payments summed per DuesKey: (key, payments, amount).
    dues: frozenset[tuple[DuesKey, int, int]] = frozenset()


EMPTY = MemberState("")


def cover_ends(covered_until: dt.date | None, died_on: dt.date | None) -> dt.date | None:
    """The last covered month: the paid one, or the month of death if earlier."""
    if died_on is None or covered_until is None:
        return covered_until
    return min(covered_until, month_start(died_on))


def months_of(spans, died_on: dt.date | None = None) -> frozenset[dt.date]:
    months: set[dt.date] = set()
    for cover_from, cover_to in spans:
        month, last = cover_from, cover_ends(cover_to, died_on)
        while last is not None and month <= last:
            months.add(month)
            month = add_months(month, 1)
    return frozenset(months)


def member_state(session: Session, member: Member) -> MemberState:
    """What the member adds to the roll-up now (nothing unless approved), from its stored valid payments."""
    if member.status != MemberStatus.approved.value:
        return EMPTY
    payments = session.exec(
        select(Payment).where(Payment.member_id == member.id, Payment.status == PaymentStatus.valid.value)
    ).all()
    return state_of(member, [(p.cover_from, p.cover_to) for p in payments], payments)


def dues_of(payments) -> frozenset[tuple[DuesKey, int, int]]:
    """Valid payments summed per DuesKey."""
    sums: dict[DuesKey, list[int]] = {}
    for payment in payments:
        key = (month_start(payment.paid_on), payment.payer, payment.channel, payment.partner_id or 0)
        total = sums.setdefault(key, [0, 0])
        total[0] += 1
        total[1] += payment.amount
    return frozenset((key, count, amount) for key, (count, amount) in sums.items())


def state_of(member: Member, spans, payments) -> MemberState:
    """What the member adds to the roll-up with its valid payments and their cover spans (as replayed)."""
    if member.status != MemberStatus.approved.value:
        return EMPTY
    died_in = month_start(member.died_on) if member.died_on else None
    return MemberState(
        member.village_code, months_of(spans, member.died_on), member.first_covered, died_in, dues_of(payments)
    )


def contribution(state: MemberState) -> Counter:
    """{(village_code, month, column): 1, ...} for one member."""
    result: Counter = Counter()
    if not state.village_code:
        return result
    for month in state.months:
        result[(state.village_code, month, "covered")] += 1
        following = add_months(month, 1)
        if following not in state.months and month != state.died_in:
            result[(state.village_code, following, "lapsed")] += 1
    if state.first_covered is not None:
        result[(state.village_code, state.first_covered, "new")] += 1
    return result


def dues_contribution(state: MemberState) -> Counter:
    """{(village_code, *DuesKey, "payments" or "amount"): value, ...} for one member."""
    result: Counter = Counter()
    for key, payments, amount in state.dues:
        result[(state.village_code, *key, "payments")] += payments
        result[(state.village_code, *key, "amount")] += amount
    return result


def by_regency(rows: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Rows keyed by (village_code, ...) summed per (regency_code, ...): the regency tables' rows."""
    regencies: dict[tuple, list[int]] = {}
    for (village_code, *key), values in rows.items():
        target = regencies.setdefault((village_code[:5], *key), [0] * len(values))
        for i, value in enumerate(values):
            target[i] += value
    return regencies


def _apply_dues(session: Session, before: MemberState, after: MemberState) -> None:
    delta = dues_contribution(after)
    delta.subtract(dues_contribution(before))
    rows: dict[tuple, list[int]] = {}
    for (village_code, *key, column), value in delta.items():
        if value:
            rows.setdefault((village_code, *key), [0] * len(DUES_COLUMNS))[DUES_COLUMNS.index(column)] += value
    if not rows:
        return
    session.flush()
    for model, place, sums in ((VillageDues, "village_code", rows), (RegencyDues, "regency_code", by_regency(rows))):
        _upsert(session, table_of(model), place, _dues_rows(place, sums), DUES_KEY, DUES_COLUMNS)


def _dues_rows(place: str, rows: dict[tuple, list[int]]) -> list[dict]:
    return [
        {**dict(zip((place, *DUES_KEY), key, strict=True)), **dict(zip(DUES_COLUMNS, values, strict=True))}
        for key, values in sorted(rows.items())
    ]


def apply(session: Session, before: MemberState, after: MemberState) -> None:
    """Add `after - before` to the roll-up, in the caller's transaction."""
    if before == after:
        return
    if before.dues != after.dues or before.village_code != after.village_code:
        _apply_dues(session, before, after)
    delta = contribution(after)
    delta.subtract(contribution(before))
    rows: dict[tuple[str, dt.date], dict[str, int]] = {}
    for (village_code, month, column), value in delta.items():
        if value:
            rows.setdefault((village_code, month), dict.fromkeys(COLUMNS, 0))[column] += value
    if not rows:
        return
    values = [{"village_code": v, "month": m, **counts} for (v, m), counts in sorted(rows.items())]
    regencies: dict[tuple[str, dt.date], dict[str, int]] = {}
    for (village_code, month), counts in rows.items():
        target = regencies.setdefault((village_code[:5], month), dict.fromkeys(COLUMNS, 0))
        for column, value in counts.items():
            target[column] += value
    session.flush()
    _upsert(session, table_of(VillageMonth), "village_code", values)
    _upsert(
        session,
        table_of(RegencyMonth),
        "regency_code",
        [{"regency_code": r, "month": m, **counts} for (r, m), counts in sorted(regencies.items())],
    )


def _upsert(
    session: Session, table, key: str, rows: list[dict], more_keys: tuple[str, ...] = ("month",), columns=COLUMNS
) -> None:
    """Add each row's counts to the stored row of its key (made when missing)."""
    base = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    statement = base.on_conflict_do_update(
        index_elements=[table.c[key], *(table.c[name] for name in more_keys)],
        set_={name: table.c[name] + base.excluded[name] for name in columns},
    )
    session.execute(statement, rows)


def member_approved(session: Session, member: Member) -> None:
    """A registration just approved (status already `approved`): its paid months now count."""
    apply(session, EMPTY, member_state(session, member))


# ---------------------------------------------------------------- from scratch


def compute(session: Session) -> dict[tuple[str, dt.date], list[int]]:
    """The whole roll-up from the members and payments: {(village_code, month): [covered, new, lapsed]}."""
    table: dict[tuple[str, dt.date], list[int]] = {}

    def bump(village_code: str, month: dt.date, index: int, count: int = 1) -> None:
        row = table.get((village_code, month))
        if row is None:
            row = table[(village_code, month)] = [0, 0, 0]
        row[index] += count

    approved = col(Member.status) == MemberStatus.approved.value
    first_covered = col(Member.first_covered)
    for village_code, month, count in session.exec(
        select(Member.village_code, first_covered, func.count())
        .where(approved, first_covered.is_not(None))
        .group_by(col(Member.village_code), first_covered)
    ).all():
        bump(village_code, _date(month), 1, int(count))

    def flush_member(village_code: str, months: set[dt.date], died_in: dt.date | None) -> None:
        for month in months:
            bump(village_code, month, 0)
            following = add_months(month, 1)
            if following not in months and month != died_in:
                bump(village_code, following, 2)

    died_on_of = {
        member_id: _date(died_on)
        for member_id, died_on in session.exec(
            select(Member.id, col(Member.died_on)).where(approved, col(Member.died_on).is_not(None))
        ).all()
    }
    rows = session.execute(
        select(Payment.member_id, Member.village_code, col(Payment.cover_from), col(Payment.cover_to))
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.status == PaymentStatus.valid.value, approved)
        .order_by(col(Payment.member_id))
        .execution_options(yield_per=50_000)
    )
    current: int | None = None
    village = ""
    died_in: dt.date | None = None
    months: set[dt.date] = set()
    for member_id, village_code, cover_from, cover_to in rows:
        if member_id != current:
            if current is not None:
                flush_member(village, months, died_in)
            current, village, months = member_id, village_code, set()
            died_on = died_on_of.get(member_id)
            died_in = month_start(died_on) if died_on else None
        month, last = _date(cover_from), cover_ends(_date(cover_to), died_in)
        while last is not None and month <= last:
            months.add(month)
            month = add_months(month, 1)
    if current is not None:
        flush_member(village, months, died_in)
    return table


def compute_dues(session: Session) -> dict[tuple, list[int]]:
    """`village_dues` from the payments: {(village_code, *DuesKey): [payments, amount]}, grouped in SQL."""
    paid_on = col(Payment.paid_on)
    year, month = extract("year", paid_on), extract("month", paid_on)
    partner = func.coalesce(col(Payment.partner_id), 0)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            Member.village_code,
            year,
            month,
            Payment.payer,
            Payment.channel,
            partner,
            func.count(),
            func.sum(Payment.amount),
        )
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.status == PaymentStatus.valid.value, col(Member.status) == MemberStatus.approved.value)
        .group_by(col(Member.village_code), year, month, col(Payment.payer), col(Payment.channel), partner)
    ).all()
    return {
        (village, dt.date(int(y), int(m), 1), payer, channel, int(partner_id)): [int(count), int(amount)]
        for village, y, m, payer, channel, partner_id, count, amount in rows
    }


def _rebuild_dues(session: Session) -> None:
    table = compute_dues(session)
    session.execute(delete(VillageDues))
    session.execute(delete(RegencyDues))
    for model, place, sums in ((VillageDues, "village_code", table), (RegencyDues, "regency_code", by_regency(table))):
        rows = _dues_rows(place, sums)
        for start in range(0, len(rows), 5000):
            session.execute(insert(table_of(model)), rows[start : start + 5000])


def rebuild(session: Session, commit: bool = True) -> int:
    """Replace the roll-up (and `village_dues`) by a fresh computation; returns the number of
    `village_month` rows written."""
    _rebuild_dues(session)
    table = compute(session)
    session.execute(delete(VillageMonth))
    session.execute(delete(RegencyMonth))
    regencies = by_regency(table)
    regency_rows = [
        {"regency_code": r, "month": m, "covered": c, "new": n, "lapsed": lapsed}
        for (r, m), (c, n, lapsed) in sorted(regencies.items())
        if c or n or lapsed
    ]
    for start in range(0, len(regency_rows), 5000):
        session.execute(insert(table_of(RegencyMonth)), regency_rows[start : start + 5000])
    rows = [
        {"village_code": v, "month": m, "covered": c, "new": n, "lapsed": lapsed}
        for (v, m), (c, n, lapsed) in sorted(table.items())
        if c or n or lapsed
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(table_of(VillageMonth)), rows[start : start + 5000])
    if commit:
        session.commit()
    return len(rows)


def dues_snapshot(session: Session, model=VillageDues) -> dict[tuple, tuple[int, int]]:
    """The stored `village_dues` (or `regency_dues`) without all-zero rows, for comparisons."""
    place = col(model.village_code) if model is VillageDues else col(RegencyDues.regency_code)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            place, model.month, model.payer, model.channel, model.partner_id, model.payments, model.amount
        )
    ).all()
    return {
        (code, _date(month), payer, channel, partner_id): (payments, amount)
        for code, month, payer, channel, partner_id, payments, amount in rows
        if payments or amount
    }


def snapshot(session: Session, model=VillageMonth) -> dict[tuple[str, dt.date], tuple[int, int, int]]:
    """The stored roll-up (`VillageMonth` or `RegencyMonth`) without all-zero rows, for comparisons."""
    key = model.village_code if model is VillageMonth else model.regency_code
    return {
        (v, _date(m)): (c, n, lapsed)
        for v, m, c, n, lapsed in session.exec(
            select(key, model.month, model.covered, model.new, model.lapsed)  # type: ignore[call-overload]
        ).all()
        if c or n or lapsed
    }


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
