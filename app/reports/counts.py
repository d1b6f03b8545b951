"""The numbers of an area, aggregated in SQL within the actor's scope: counts by status and cover, the
monthly trend, villages by stage, cash held and what events yielded.

Definitions (the same everywhere, so a dashboard agrees with the member list it summarises):
- "active" (`aktif`), "due" (`jatuh_tempo`), "lapsed" (`nonaktif`) today: approved members by
  `app.members.cover.cover_clause` on the indexed `covered_until`, exactly the member list's filter.
- "new" in month m: approved members whose first covered month (`first_covered`) is m. A sign-up counts
  once the member is protected (first paid month), not when a form is approved; "new this year" feeds
  the `new_members` target.
- Trend, "active in month m": approved members with a valid payment whose cover interval
  [cover_from, cover_to] includes m; "lapsed in month m": covered in m-1 and not in m; churn(m) =
  lapsed(m) / active(m-1) (the members active at the start of month m). History lives only in the
  payments, so the trend is ONE aggregate over the payments whose cover meets the last 13 months
  (COUNT DISTINCT member per month in SQL, never a per-member scan in Python). Trade-off: at region
  scope this reads every payment of the window; a monthly roll-up table (issue 8) replaces it later.
  For the current month, "active" in the trend = aktif + jatuh_tempo (both are covered this month).
- Dues by payer: valid payments paid this year (1 January to today) by the scope's members, per payer;
  a payment counts where its member lives now.
- Coverage: aktif / estimated informal workers of the villages in scope (None without an estimate).
"""

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.scope import Actor, branch_clause, branch_regencies, village_clause
from app.core.clock import add_months, month_start, today
from app.dues import custody
from app.dues.deposits import CASH_HELD_LIMIT
from app.dues.models import HeldCash, Payer, Payment, PaymentStatus, RegencyMonth, VillageMonth
from app.events.models import Event, EventKind
from app.members.cover import CoverStatus, cover_clause, cover_status
from app.members.models import Member, MemberStatus
from app.programme.models import STAGE_ORDER
from app.regions.models import Regency, Village
from app.reports.scope import Scope, member_scope, percent

TREND_MONTHS = 12


def count_columns(day: dt.date):
    """Conditional counts over Member rows by status and cover today (the area tables of a branch)."""
    approved = col(Member.status) == MemberStatus.approved.value
    columns = {status.value: func.count().filter(col(Member.status) == status.value) for status in MemberStatus}
    for status in CoverStatus:
        columns[status.value] = func.count().filter(approved, cover_clause(Member.covered_until, status.value, day))
    return columns


def tally(rows, day: dt.date, into: dict | None = None) -> dict:
    """Counts by status and cover from (status, covered_until, n) rows: the same rule as `cover_clause`."""
    counts = into if into is not None else {}
    for key in [*(s.value for s in MemberStatus), *(s.value for s in CoverStatus)]:
        counts.setdefault(key, 0)
    for status, covered_until, n in rows:
        n = int(n)
        counts[status] = counts.get(status, 0) + n
        if status == MemberStatus.approved.value:
            if isinstance(covered_until, str):
                covered_until = dt.date.fromisoformat(covered_until)
            counts[cover_status(covered_until, day).value] += n
    return counts


def new_counts(counts: dict, monthly: dict, day: dt.date) -> dict:
    this_month = month_start(day)
    year_start = dt.date(day.year, 1, 1)
    counts["new_this_month"] = monthly.get(this_month, (0, 0, 0))[1]
    counts["new_this_year"] = sum(v[1] for m, v in monthly.items() if year_start <= m <= this_month)
    counts["registered"] = counts["submitted"] + counts["approved"] + counts["rejected"]
    return counts


def _status_cover_rows(session: Session, actor: Actor, scope: Scope):
    """(status, covered_until, n) of the scope: read from the index (status, covered_until) alone at region
    scope, (village_code, status, covered_until) below it."""
    return session.exec(
        select(Member.status, col(Member.covered_until), func.count())
        .where(member_scope(actor, scope))
        .group_by(col(Member.status), col(Member.covered_until))
    ).all()


def regency_filter(scope: Scope, column):
    if scope.kind == "region":
        return true()
    if scope.kind == "province":
        return column.in_(select(Regency.code).where(Regency.province_code == scope.codes[0]))
    return column.in_(branch_regencies(scope.codes[0]))


def monthly_rollup(session: Session, actor: Actor, scope: Scope, day: dt.date) -> dict[dt.date, tuple[int, int, int]]:
    """{month: (covered, new, lapsed)} of the scope for the trend window (and the month before it) from the
    monthly roll-up (app/dues/rollup.py): per regency above village scope, per village in it."""
    this_month = month_start(day)
    first = add_months(this_month, -TREND_MONTHS)
    model: type[VillageMonth] | type[RegencyMonth]
    if scope.kind == "village":
        model, where = (
            VillageMonth,
            and_(village_clause(actor, VillageMonth.village_code), scope.village_codes(VillageMonth.village_code)),
        )
    else:
        model, where = RegencyMonth, regency_filter(scope, RegencyMonth.regency_code)
    month = col(model.month)
    rows = session.exec(
        select(month, func.sum(model.covered), func.sum(model.new), func.sum(model.lapsed))
        .where(month >= first, month <= this_month, where)
        .group_by(month)
    ).all()
    return {as_date(m): (int(c or 0), int(n or 0), int(lapsed or 0)) for m, c, n, lapsed in rows}


def as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def scope_counts(
    session: Session, actor: Actor, scope: Scope, day: dt.date, monthly: dict | None = None
) -> tuple[dict, list[int]]:
    """Totals of the scope and new members in each of the last 12 months (new: from the roll-up)."""
    if monthly is None:
        monthly = monthly_rollup(session, actor, scope, day)
    counts = new_counts(tally(_status_cover_rows(session, actor, scope), day), monthly, day)
    return counts, [monthly.get(m, (0, 0, 0))[1] for m in trend_months(day)]


def trend_months(day: dt.date) -> list[dt.date]:
    this_month = month_start(day)
    return [add_months(this_month, i - TREND_MONTHS + 1) for i in range(TREND_MONTHS)]


def trend(
    session: Session, actor: Actor, scope: Scope, day: dt.date, new_by_month: list[int], monthly: dict | None = None
) -> list[dict]:
    """Active, lapsed and churn per month: sums of the monthly roll-up (one small query)."""
    if monthly is None:
        monthly = monthly_rollup(session, actor, scope, day)
    months = trend_months(day)
    window = [add_months(months[0], -1), *months]  # the month before the first, as churn's base
    active = [monthly.get(m, (0, 0, 0))[0] for m in window]
    points = []
    for i, month in enumerate(months):
        lapsed = monthly.get(month, (0, 0, 0))[2]
        base = active[i]  # active in the month before
        points.append(
            {
                "month": month.strftime("%Y-%m"),
                "new": new_by_month[i],
                "active": active[i + 1],
                "lapsed": lapsed,
                "churn": percent(lapsed, base),
            }
        )
    return points


def villages_by_stage(session: Session, actor: Actor, scope: Scope) -> tuple[dict, dict]:
    """Villages per Desa Sadar stage and the scope's estimated informal workers, one query."""
    rows = session.exec(
        select(
            Village.stage,
            func.count(),
            func.sum(Village.estimated_informal_workers),
            func.count(col(Village.estimated_informal_workers)),
        )
        .where(village_clause(actor, Village.code), scope.villages())
        .group_by(Village.stage)
    ).all()
    stages = dict.fromkeys(STAGE_ORDER, 0)
    estimate = with_estimate = 0
    for stage, count, workers, estimated in rows:
        if stage is not None:
            stages[stage] = stages.get(stage, 0) + int(count)
        estimate += int(workers or 0)
        with_estimate += int(estimated or 0)
    return stages, {"estimate": estimate, "villages_with_estimate": with_estimate}


def cash_held(session: Session, actor: Actor, scope: Scope, day: dt.date) -> tuple[dict, int]:
    """Cash held per duta in the scope (the CASH_HELD_LIMIT longest held in `by_duta`), and how many duta
    hold cash. The definition and the numbers are the dues domain's (`app.dues.custody`: cash payments
    with a holder, in no submitted/confirmed deposit, valid or refund due), read from its running table
    `cash_held` per holder and member village: the same figures as the duta's home."""
    where = []
    if not (scope.kind == "region" and actor.sees_region):
        where = [village_clause(actor, HeldCash.village_code), scope.village_codes(HeldCash.village_code)]
    total, holders, oldest = custody.summary(session, *where)
    shown: list[dict[str, Any]] = [
        {
            "duta_id": holder_id,
            "username": None,
            "full_name": None,
            "total": amount,
            "payments": count,
            "oldest_days": (day - since).days if since else 0,
        }
        for holder_id, amount, count, since in custody.per_holder(session, *where, limit=CASH_HELD_LIMIT)
    ]
    if shown:
        names = {
            uid: (username, full_name)
            for uid, username, full_name in session.exec(
                select(User.id, User.username, User.full_name).where(
                    col(User.id).in_([item["duta_id"] for item in shown])
                )
            ).all()
        }
        for item in shown:
            item["username"], item["full_name"] = names.get(item["duta_id"], (None, None))
        # Same order as before for equal age and amount: by username.
        shown.sort(key=lambda item: (-item["oldest_days"], -item["total"], item["username"] or ""))
    return {
        "total": total,
        "oldest_days": (day - oldest).days if oldest else 0,
        "by_duta": shown,
    }, holders


def dues_by_payer(session: Session, actor: Actor, scope: Scope, day: dt.date) -> list[dict]:
    """Valid payments of the scope's members paid this year, per payer (the member, the village budget, a
    sponsor): payments, members paid for and amount, one grouped query; every payer listed, zeros too."""
    rows = session.exec(
        select(Payment.payer, func.count(), func.count(func.distinct(Payment.member_id)), func.sum(Payment.amount))
        .join(Member, col(Member.id) == Payment.member_id)
        .where(
            Payment.status == PaymentStatus.valid.value,
            col(Payment.paid_on) >= dt.date(day.year, 1, 1),
            col(Payment.paid_on) <= day,
            member_scope(actor, scope),
        )
        .group_by(Payment.payer)
    ).all()
    found = {payer: (int(count), int(members), int(amount or 0)) for payer, count, members, amount in rows}
    total = sum(amount for _count, _members, amount in found.values())
    result = []
    for payer in Payer:
        count, members, amount = found.get(payer.value, (0, 0, 0))
        result.append(
            {
                "payer": payer.value,
                "payments": count,
                "members": members,
                "amount": amount,
                "percent": percent(amount, total),
            }
        )
    return result


def event_yield(session: Session, actor: Actor, scope: Scope) -> list[dict]:
    """Per kind of event held in the area: events, attendance, sign-ups linked to them (not drafts, wherever
    the member lives), approved and active. The same definitions as `app.programme.service.event_yield`,
    which is per actor; this one follows the dashboard's chosen area."""
    event_scope = and_(
        or_(village_clause(actor, Event.village_code), branch_clause(actor, Event.branch_code)),
        or_(scope.village_codes(Event.village_code), scope.branches(Event.branch_code)),
    )
    held = {
        kind: (int(count), int(attendance or 0))
        for kind, count, attendance in session.exec(
            select(Event.kind, func.count(), func.sum(Event.attendance)).where(event_scope).group_by(Event.kind)
        ).all()
    }
    approved = col(Member.status) == MemberStatus.approved.value
    signups = {
        kind: (int(total), int(ok), int(active))
        for kind, total, ok, active in session.exec(
            select(
                Event.kind,
                func.count(col(Member.id)),
                func.count().filter(approved),
                func.count().filter(approved, cover_clause(Member.covered_until, "aktif", today())),
            )
            .join(Event, col(Event.id) == Member.event_id)
            .where(Member.status != MemberStatus.draft.value, event_scope, village_clause(actor, Member.village_code))
            .group_by(Event.kind)
        ).all()
    }
    result = []
    for kind in EventKind:
        events, attendance = held.get(kind.value, (0, 0))
        total, ok, active = signups.get(kind.value, (0, 0, 0))
        result.append(
            {
                "kind": kind.value,
                "events": events,
                "attendance": attendance,
                "signups": total,
                "approved": ok,
                "aktif": active,
                "per_event": round(total / events, 1) if events else None,
                "per_100_attending": percent(total, attendance),
            }
        )
    return result
