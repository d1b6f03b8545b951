"""Retention of one area: cohorts by the month of first cover, members who restarted after a gap, and
lapse rates by village, by kind of event and by the channel of the first payment.

Definitions (docs/product.md § 7, docs/api.md § 5.8.1):
- The members counted: approved members with a first covered month (`first_covered`), in the scope,
  alive: a death is neither kept cover nor a lapse (its cover ended with it, app/dues/death.py).
- A cohort: those whose `first_covered` is month c. "Aktif after N months": the member's cover includes
  month c + N, read from its valid payments' cover spans (a member may lapse and restart, so
  `covered_until` alone would not do). Only cohorts whose month c + N is not after this month count
  for N (None otherwise).
- "Restarted": members with at least one uncovered month between two covered spans.
- Lapse rate: those of the members counted whose cover ended before this month (`nonaktif`), over the
  members counted; per village (highest first), per kind of the member's event (`none` without one)
  and per channel of the member's first payment.

How it stays cheap (docs/budgets.md, bench/results/retention-*): the dues rule replays a member's valid
payments into disjoint spans, the first one starting at `first_covered` (app/dues/cover.py). So "covered
in month t" is exactly one payment span containing t, and counting payments is counting members:
- cohorts and channels: ONE aggregate of payment spans grouped by (cohort, cover_from, cover_to) — a few
  thousand groups whatever the number of members, no month arithmetic per row — summed here per cohort
  and N; the first span (cover_from = first_covered) also carries its channel;
- restarted: a member has a gap when its valid payments' months (a payment covers `months` months) are
  fewer than the months from its first to its last covered month: per member in SQL, then grouped by
  (first month, last month, months paid) and compared here;
- first payment: the first in the replay order (payment date, then id), the one that started the cover,
  i.e. the one whose span starts at `first_covered`.
"""

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, or_, tuple_
from sqlmodel import Session, col, select

from app.auth.scope import Actor
from app.core.clock import add_months, month_start, today
from app.dues.models import Payment, PaymentStatus
from app.events.models import Event
from app.members.cover import cover_clause
from app.members.models import Member, MemberStatus
from app.regions.models import District, Village
from app.reports.scope import Scope, member_scope, parse_scope, percent

HORIZONS = (1, 3, 6, 12)
# The villages with the highest lapse rate shown (and exported); the rest add little to a ranking.
VILLAGE_LIMIT = 50
NONE = "none"


def _counted(actor: Actor, scope: Scope):
    return and_(
        col(Member.status) == MemberStatus.approved.value,
        col(Member.first_covered).is_not(None),
        col(Member.died_on).is_(None),
        member_scope(actor, scope),
    )


def _month(value) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _targets(sizes: dict[dt.date, int], day: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(cohort, cohort + N) for every cohort and horizon N whose month is not after this month."""
    this_month = month_start(day)
    pairs = [(cohort, add_months(cohort, n)) for cohort in sizes for n in HORIZONS]
    return [(cohort, target) for cohort, target in pairs if target <= this_month]


def _spans(session: Session, actor: Actor, scope: Scope, day: dt.date, targets: list[tuple[dt.date, dt.date]]):
    """The valid payments' spans grouped by (cohort, cover_from, cover_to), and for the first span of each
    member (cover_from = first_covered: the payment that started the cover) its channel and whether the
    member has lapsed now: a few thousand rows whatever the number of members.

    On SQLite a one-month span is kept only when its month is one of its cohort's `targets`: most
    payments are of one month, and SQLite groups by sorting, so leaving the others out first saves a
    third of the query (bench/results/retention-*). PostgreSQL groups by hashing and tests the pairs one
    by one: there the filter costs more than it saves."""
    first = col(Payment.cover_from) == col(Member.first_covered)
    channel = case((first, col(Payment.channel)))
    lapsed = case((first, case((col(Member.covered_until) < month_start(day), 1), else_=0)))
    keys = (col(Member.first_covered), col(Payment.cover_from), col(Payment.cover_to), channel, lapsed)
    query = (
        select(*keys, func.count())  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.status == PaymentStatus.valid.value, _counted(actor, scope))
        .group_by(*keys)
    )
    if session.get_bind().dialect.name == "sqlite":
        on_target = tuple_(col(Member.first_covered), col(Payment.cover_from)).in_(targets)
        query = query.where(or_(col(Payment.cover_to) > col(Payment.cover_from), first, on_target))
    return session.exec(query).all()


def cohort_sizes(session: Session, actor: Actor, scope: Scope) -> dict[dt.date, int]:
    return {
        _month(month): int(n)
        for month, n in session.exec(
            select(col(Member.first_covered), func.count())
            .where(_counted(actor, scope))
            .group_by(col(Member.first_covered))
        ).all()
    }


def cohorts(sizes: dict[dt.date, int], spans, day: dt.date) -> list[dict]:
    """One row per cohort month, oldest first: members and aktif after each of HORIZONS months."""
    this_month = month_start(day)
    active: dict[tuple[dt.date, int], int] = {}
    for cohort, cover_from, cover_to, _channel, _lapsed, n in spans:
        cohort, cover_from, cover_to = _month(cohort), _month(cover_from), _month(cover_to)
        for horizon in HORIZONS:
            if cover_from <= add_months(cohort, horizon) <= cover_to:
                active[(cohort, horizon)] = active.get((cohort, horizon), 0) + int(n)
    rows = []
    for cohort in sorted(sizes):
        after: dict[str, int | None] = {}
        for horizon in HORIZONS:
            future = add_months(cohort, horizon) > this_month
            after[str(horizon)] = None if future else active.get((cohort, horizon), 0)
        rows.append(
            {
                "month": cohort.strftime("%Y-%m"),
                "members": sizes[cohort],
                "active_after": after,
                "percent_after": {key: percent(value, sizes[cohort]) for key, value in after.items()},
            }
        )
    return rows


def overall(rows: list[dict]) -> dict[str, dict]:
    """Per horizon N, all cohorts old enough for N together: members, aktif after N months, percent."""
    result = {}
    for horizon in HORIZONS:
        key = str(horizon)
        eligible = [row for row in rows if row["active_after"][key] is not None]
        members = sum(row["members"] for row in eligible)
        active = sum(row["active_after"][key] for row in eligible)
        result[key] = {"members": members, "active": active, "percent": percent(active, members)}
    return result


def by_channel(spans) -> list[dict]:
    """Per channel of the member's first payment (its first span's)."""
    counts: dict[str, list[int]] = {}
    for _cohort, _from, _to, channel, lapsed, n in spans:
        if channel is not None:
            row = counts.setdefault(channel, [0, 0])
            row[0] += int(n)
            row[1] += int(n) if lapsed else 0
    return _lapse_rows("channel", ((key, n, lapsed) for key, (n, lapsed) in counts.items()))


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def restarted(session: Session, actor: Actor, scope: Scope, day: dt.date) -> dict:
    """Members who restarted after a gap, how many of them are aktif now, and their share of the members.
    Grouped in SQL by (first covered month, last covered month, months paid): a few thousand groups,
    compared here, so no month arithmetic runs per member in the database."""
    paid = (
        select(
            col(Payment.member_id),
            func.min(Member.first_covered).label("first_covered"),
            func.min(Member.covered_until).label("covered_until"),
            func.sum(Payment.months).label("months"),
        )
        .join(Member, col(Member.id) == Payment.member_id)
        .where(Payment.status == PaymentStatus.valid.value, _counted(actor, scope))
        .group_by(col(Payment.member_id))
        .subquery()
    )
    keys = (paid.c.first_covered, paid.c.covered_until, paid.c.months)
    rows = session.exec(
        select(*keys, func.count(), func.count().filter(cover_clause(paid.c.covered_until, "aktif", day))).group_by(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            *keys
        )
    ).all()
    total = members = aktif = 0
    for first, last, months, n, active in rows:
        total += int(n)
        if int(months) < _months_between(_month(first), _month(last)):
            members += int(n)
            aktif += int(active)
    return {"members": members, "aktif": aktif, "percent": percent(members, total)}


def _lapse_columns(day: dt.date):
    return func.count(), func.count().filter(col(Member.covered_until) < month_start(day))


def _lapse_rows(field: str, rows) -> list[dict]:
    """(key, members, lapsed) rows as dicts, highest lapse rate first; among equal rates the larger number
    lapsed, then the key."""
    result: list[dict[str, Any]] = [
        {field: key, "members": int(n or 0), "lapsed": int(lapsed or 0), "percent": percent(lapsed, n)}
        for key, n, lapsed in rows
    ]
    return sorted(result, key=lambda r: (-(r["percent"] or 0), -r["lapsed"], str(r[field])))


def by_village(session: Session, actor: Actor, scope: Scope, day: dt.date) -> tuple[list[dict], int]:
    """The VILLAGE_LIMIT villages with the highest lapse rate, and how many villages have members."""
    counts = session.exec(
        select(Member.village_code, *_lapse_columns(day)).where(_counted(actor, scope)).group_by(Member.village_code)
    ).all()
    ranked = _lapse_rows("code", counts)
    shown = ranked[:VILLAGE_LIMIT]
    names = {
        code: (name, district)
        for code, name, district in session.exec(
            select(Village.code, Village.name, District.name)
            .join(District, col(District.code) == Village.district_code)
            .where(col(Village.code).in_([row["code"] for row in shown]))
        ).all()
    }
    for row in shown:
        row["name"], row["district"] = names.get(row["code"], (row["code"], ""))
    return shown, len(ranked)


def by_event_kind(session: Session, actor: Actor, scope: Scope, day: dt.date) -> list[dict]:
    rows = session.exec(
        select(Event.kind, *_lapse_columns(day))
        .select_from(Member)
        .outerjoin(Event, col(Event.id) == Member.event_id)
        .where(_counted(actor, scope))
        .group_by(Event.kind)
    ).all()
    return _lapse_rows("kind", ((kind or NONE, n, lapsed) for kind, n, lapsed in rows))


def retention(session: Session, actor: Actor, scope_text: str | None = None, day: dt.date | None = None) -> dict:
    """Everything the retention page and `GET /api/v1/retention` show for one area (the dashboard's scopes)."""
    day = day or today()
    scope = parse_scope(session, actor, scope_text)
    villages, village_total = by_village(session, actor, scope, day)
    sizes = cohort_sizes(session, actor, scope)
    spans = _spans(session, actor, scope, day, _targets(sizes, day))
    cohort_rows = cohorts(sizes, spans, day)
    return {
        "scope": scope.key,
        "scope_kind": scope.kind,
        "scope_name": scope.name,
        "day": day.isoformat(),
        "horizons": [str(h) for h in HORIZONS],
        "cohorts": cohort_rows,
        "overall": overall(cohort_rows),
        "restarted": restarted(session, actor, scope, day),
        "by_village": villages,
        "villages_with_members": village_total,
        "by_event_kind": by_event_kind(session, actor, scope, day),
        "by_channel": by_channel(spans),
    }
