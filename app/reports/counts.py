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
  a payment counts where its member lives now. Dues by channel and by partner: the same payments, per
  channel and per partner (`payment.partner_id`).
- Dues without a duta's cash: the amount of those payments in any channel but `tunai` (bank, other, a
  partner) ÷ the amount of all of them: the share of dues that no longer needed a duta to carry cash.
- Members by registration: approved members of the scope by the role of the account that registered
  them: a `duta`, the office (a branch officer's file upload; `wilayah` and `admin` in principle), a
  partner's API client (`mitra`). Roles never change, so this is who registered them.
- Coverage: aktif / estimated informal workers of the villages in scope (None without an estimate).
"""

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, col, select

from app.auth.models import Partner, PartnerClient, Role, User
from app.auth.scope import Actor, branch_clause, branch_regencies, village_clause
from app.core.clock import add_months, month_start, today
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled
from app.dues import custody
from app.dues.deposits import CASH_HELD_LIMIT
from app.dues.models import Channel, HeldCash, Payer, RegencyDues, RegencyMonth, VillageDues, VillageMonth
from app.events.models import Event, EventKind
from app.members.cover import CoverStatus, cover_clause, cover_status
from app.members.models import Member, MemberStatus
from app.programme.models import STAGE_ORDER
from app.regions.models import Regency, Village
from app.reports.scope import Scope, area_clause, member_scope, percent

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


def _dues_table(actor: Actor, scope: Scope):
    """The running dues totals (app/dues/rollup.py) to read for the scope, and its WHERE clause: per regency
    above village scope (as `monthly_rollup`), per village in it."""
    if scope.kind == "village":
        return VillageDues, area_clause(actor, scope, VillageDues.village_code)
    return RegencyDues, regency_filter(scope, RegencyDues.regency_code)


def _this_year(model, day: dt.date):
    """This year's months up to `day`'s: the totals are kept per month of payment."""
    month = col(model.month)
    return and_(month >= dt.date(day.year, 1, 1), month <= month_start(day))


def _split(session: Session, column_name: str, actor: Actor, scope: Scope, day: dt.date, codes) -> list[dict]:
    """This year's dues of the scope per value of a column of the running totals (payments, amount,
    percent), one grouped query; every code listed, zeros too."""
    model, where = _dues_table(actor, scope)
    column = getattr(model, column_name)
    rows = session.exec(
        select(column, func.sum(model.payments), func.sum(model.amount))
        .where(_this_year(model, day), where)
        .group_by(column)
    ).all()
    found = {code: (int(count or 0), int(amount or 0)) for code, count, amount in rows}
    total = sum(amount for _count, amount in found.values())
    result = []
    for code in codes:
        count, amount = found.get(code, (0, 0))
        result.append({"payments": count, "amount": amount, "percent": percent(amount, total)})
    return result


def dues_by_payer(session: Session, actor: Actor, scope: Scope, day: dt.date) -> list[dict]:
    """This year's dues of the scope's approved members (valid payments, from the running totals) per payer
    (the member, the village budget, a sponsor): payments and amount; every payer listed, zeros too."""
    rows = _split(session, "payer", actor, scope, day, Payer.codes())
    return [{"payer": payer, **row} for payer, row in zip(Payer.codes(), rows, strict=True)]


def dues_by_channel(session: Session, actor: Actor, scope: Scope, day: dt.date) -> list[dict]:
    """The same dues per channel (cash to a duta, bank, other, a partner); every channel listed, zeros too."""
    rows = _split(session, "channel", actor, scope, day, Channel.codes())
    return [{"channel": channel, **row} for channel, row in zip(Channel.codes(), rows, strict=True)]


def dues_without_duta_cash(by_channel: list[dict]) -> dict:
    """The share of this year's dues that no duta carried as cash: every channel but `tunai` ÷ all
    (from `dues_by_channel`, no query); `percent` None without dues."""
    total = sum(row["amount"] for row in by_channel)
    amount = sum(row["amount"] for row in by_channel if row["channel"] != Channel.tunai.value)
    return {"amount": amount, "total": total, "percent": percent(amount, total)}


def dues_by_partner(session: Session, actor: Actor, scope: Scope, day: dt.date) -> list[dict]:
    """Per partner active in the scope: approved members of the scope its clients registered, and this
    year's dues of the scope's approved members it took (its `partner_id` in the running totals: payments,
    amount).
    One statement: two grouped subqueries joined to the partners; partners with neither are left out.
    Most dues first. Partners are few (the regional office keeps them), so the list is not cut."""
    registered = (
        select(col(PartnerClient.partner_id).label("partner_id"), func.count().label("members"))
        .join(Member, col(Member.registered_by_id) == PartnerClient.user_id)
        .where(Member.status == MemberStatus.approved.value, member_scope(actor, scope))
        .group_by(col(PartnerClient.partner_id))
        .subquery()
    )
    model, where = _dues_table(actor, scope)
    taken = (
        select(
            col(model.partner_id).label("partner_id"),
            func.sum(model.payments).label("payments"),
            func.sum(model.amount).label("amount"),
        )
        .where(col(model.partner_id) != 0, _this_year(model, day), where)
        .group_by(col(model.partner_id))
        .subquery()
    )
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            col(Partner.id),
            col(Partner.name),
            col(Partner.kind),
            registered.c.members,
            taken.c.payments,
            taken.c.amount,
        )
        .outerjoin(registered, registered.c.partner_id == Partner.id)
        .outerjoin(taken, taken.c.partner_id == Partner.id)
        .where(or_(registered.c.members.is_not(None), taken.c.payments.is_not(None)))
    ).all()
    result = [
        {
            "partner_id": partner_id,
            "name": name,
            "kind": kind,
            "members": int(members or 0),
            "payments": int(payments or 0),
            "amount": int(amount or 0),
        }
        for partner_id, name, kind, members, payments, amount in rows
    ]
    result.sort(key=lambda row: (-row["amount"], -row["members"], row["name"]))
    return result


class Registrar(Labelled):
    """Who registered a member, by the role of the account (the dashboard's members by registration)."""

    duta = "duta", lazy_gettext("Duta")
    office = "office", lazy_gettext("Office (file upload)")
    mitra = "mitra", lazy_gettext("Partner")


def members_by_registration(session: Session, actor: Actor, scope: Scope, approved: int) -> list[dict]:
    """Approved members of the scope by who registered them (`Registrar`), of `approved` in all (the
    dashboard's count of the same members). Two queries: the accounts other than a duta's (the offices'
    and partners' clients, a few dozen), then the scope's approved members they registered, through the
    `registered_by_id` index (named by id: joined to the users, SQLite read a province's members by
    village instead); the duta's are the rest, so no query reads every member of an area."""
    roles = dict(session.exec(select(User.id, User.role).where(col(User.role) != Role.duta.value)).all())
    counts = dict.fromkeys(Registrar, 0)
    if roles:
        registered = session.exec(
            select(Member.registered_by_id, func.count())
            .where(
                col(Member.registered_by_id).in_(list(roles)),
                Member.status == MemberStatus.approved.value,
                member_scope(actor, scope),
            )
            .group_by(col(Member.registered_by_id))
        ).all()
        for user_id, count in registered:
            counts[Registrar.mitra if roles[user_id] == Role.mitra.value else Registrar.office] += int(count)
    counts[Registrar.duta] = approved - counts[Registrar.mitra] - counts[Registrar.office]
    return [
        {"registered_by": who.value, "members": counts[who], "percent": percent(counts[who], approved)}
        for who in Registrar
    ]


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
