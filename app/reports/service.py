"""Numbers for home pages, dashboards and exports, aggregated in SQL within the actor's scope.

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
- Coverage: aktif / estimated informal workers of the villages in scope (None without an estimate).
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, false, func, or_, true
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.auth.scope import Actor, branch_clause, branch_regencies, get_village, village_clause
from app.core.clock import add_months, month_start, today
from app.core.errors import Invalid, NotFound
from app.core.i18n import _
from app.dues import custody
from app.dues.deposits import CASH_HELD_LIMIT, cash_context
from app.dues.models import HeldCash, RegencyMonth, VillageMonth
from app.events.models import Event, EventKind
from app.followups import service as followups
from app.followups.models import OUTCOME_LABELS
from app.members.cover import CoverStatus, cover_clause, cover_status
from app.members.models import MEMBER_REGENCY, Member, MemberStatus
from app.members.service import rejected_registrations, status_counts
from app.programme.models import STAGE_ORDER, ProvinceBaseline, Stage, Target, TargetMetric
from app.regions.models import Branch, District, Province, Regency, Village

SCOPE_PATTERN = re.compile(
    r"^(?:(?P<region>region)"
    r"|province:(?P<province>\d{2})"
    r"|branch:(?P<branch>[A-Za-z0-9-]{1,20})"
    r"|village:(?P<villages>\d{2}\.\d{2}\.\d{2}\.\d{4}(?:,\d{2}\.\d{2}\.\d{2}\.\d{4}){0,49}))$"
)
TREND_MONTHS = 12
LEVELS = ("region", "province", "branch", "village")


# --------------------------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """One area of the region: the whole region, a province, a branch or one (or a duta's few) villages."""

    kind: str
    codes: tuple[str, ...] = ()
    name: str = ""
    # Filled in for breadcrumbs: (kind, code, name) of the enclosing areas the actor may open.
    parents: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    @property
    def code(self) -> str:
        return ",".join(self.codes)

    @property
    def key(self) -> str:
        return "region" if self.kind == "region" else f"{self.kind}:{self.code}"

    def villages(self, village=Village):
        """WHERE over the village table (or an alias of it)."""
        if self.kind == "region":
            return true()
        if self.kind == "province":
            return village.province_code == self.codes[0]
        if self.kind == "branch":
            return village.regency_code.in_(branch_regencies(self.codes[0]))
        return village.code.in_(self.codes)

    def village_codes(self, column):
        """WHERE over a village-coded column (members, events)."""
        if self.kind == "region":
            return true()
        if self.kind == "village":
            return column.in_(self.codes)
        return column.in_(select(Village.code).where(self.villages()))

    def branches(self, column):
        """WHERE over a branch-coded column (events held for a whole branch)."""
        if self.kind == "region":
            return true()
        if self.kind == "province":
            return column.in_(select(Regency.branch_code).where(Regency.province_code == self.codes[0]))
        if self.kind == "branch":
            return column == self.codes[0]
        return column.in_(())


def natural_scope(session: Session, actor: Actor) -> Scope:
    if actor.sees_region:
        return parse_scope(session, actor, "region")
    if actor.role == Role.cabang.value and actor.branch_code:
        return parse_scope(session, actor, f"branch:{actor.branch_code}")
    if actor.village_codes:
        return parse_scope(session, actor, "village:" + ",".join(actor.village_codes))
    return Scope("village", (), _("No area"))


def parse_scope(session: Session, actor: Actor, text: str | None) -> Scope:
    """`region`, `province:12`, `branch:CODE`, `village:CODE[,CODE]`; 422 if malformed, 404 outside the
    actor's area (a duta its village(s), a cabang its branch and its villages, wilayah/admin anything)."""
    if text is None or not text.strip():
        return natural_scope(session, actor)
    match = SCOPE_PATTERN.match(text.strip())
    if match is None:
        raise Invalid({"scope": _("Use region, province:CODE, branch:CODE or village:CODE.")})
    outside = NotFound(_("This area is not in your scope."))
    region = ("region", "", _("Region"))
    if match["region"]:
        if not actor.sees_region:
            raise outside
        return Scope("region", (), _("Sumbagut region"))
    if match["province"]:
        province = session.get(Province, match["province"])
        if province is None or not actor.sees_region:
            raise outside
        return Scope("province", (province.code,), province.name, (region,))
    if match["branch"]:
        branch = session.get(Branch, match["branch"]) or session.get(Branch, match["branch"].upper())
        if branch is None:
            raise outside
        if not (actor.sees_region or (actor.role == Role.cabang.value and actor.branch_code == branch.code)):
            raise outside
        return Scope("branch", (branch.code,), branch.name, (region,) if actor.sees_region else ())
    codes = tuple(dict.fromkeys(match["villages"].split(",")))
    villages = [get_village(session, actor, code) for code in codes]  # 404 outside the actor's area
    name = ", ".join(v.name for v in villages)
    parents: list[tuple[str, str, str]] = []
    if len(villages) == 1:
        if actor.sees_region:
            parents.append(region)
        branch_row = session.exec(
            select(Branch.code, Branch.name)
            .join(Regency, col(Regency.branch_code) == Branch.code)
            .where(Regency.code == villages[0].regency_code)
        ).first()
        if branch_row and (actor.sees_region or actor.branch_code == branch_row[0] and actor.role == Role.cabang.value):
            parents.append(("branch", branch_row[0], branch_row[1]))
    return Scope("village", codes, name, tuple(parents))


def _member_scope(actor: Actor, scope: Scope):
    return and_(village_clause(actor, Member.village_code), scope.village_codes(Member.village_code))


def _percent(part: int | None, whole: int | None) -> float | None:
    if not whole or part is None:
        return None
    return round(100 * part / whole, 1)


# ------------------------------------------------------------------------------------------- numbers


def _count_columns(day: dt.date):
    """Conditional counts over Member rows by status and cover today (the area tables of a branch)."""
    approved = col(Member.status) == MemberStatus.approved.value
    columns = {status.value: func.count().filter(col(Member.status) == status.value) for status in MemberStatus}
    for status in CoverStatus:
        columns[status.value] = func.count().filter(approved, cover_clause(Member.covered_until, status.value, day))
    return columns


def _tally(rows, day: dt.date, into: dict | None = None) -> dict:
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


def _new_counts(counts: dict, monthly: dict, day: dt.date) -> dict:
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
        .where(_member_scope(actor, scope))
        .group_by(col(Member.status), col(Member.covered_until))
    ).all()


def _regency_filter(scope: Scope, column):
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
        model, where = RegencyMonth, _regency_filter(scope, RegencyMonth.regency_code)
    month = col(model.month)
    rows = session.exec(
        select(month, func.sum(model.covered), func.sum(model.new), func.sum(model.lapsed))
        .where(month >= first, month <= this_month, where)
        .group_by(month)
    ).all()
    return {_as_date(m): (int(c or 0), int(n or 0), int(lapsed or 0)) for m, c, n, lapsed in rows}


def _as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def scope_counts(
    session: Session, actor: Actor, scope: Scope, day: dt.date, monthly: dict | None = None
) -> tuple[dict, list[int]]:
    """Totals of the scope and new members in each of the last 12 months (new: from the roll-up)."""
    if monthly is None:
        monthly = monthly_rollup(session, actor, scope, day)
    counts = _new_counts(_tally(_status_cover_rows(session, actor, scope), day), monthly, day)
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
                "churn": _percent(lapsed, base),
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
                "per_100_attending": _percent(total, attendance),
            }
        )
    return result


# ------------------------------------------------------------------------------ tables by area


TABLE_COLUMNS = (
    "code",
    "name",
    "stage",
    "registered",
    "submitted",
    "approved",
    "aktif",
    "jatuh_tempo",
    "nonaktif",
    "new_this_month",
    "new_this_year",
    "estimate",
    "coverage",
    "diresmikan",
)


def _blank_row(level: str, code: str | None, name: str) -> dict:
    return {
        "level": level,
        "code": code,
        "name": name,
        "stage": None,
        "registered": 0,
        "submitted": 0,
        "approved": 0,
        "aktif": 0,
        "jatuh_tempo": 0,
        "nonaktif": 0,
        "new_this_month": 0,
        "new_this_year": 0,
        "estimate": 0,
        "villages_with_estimate": 0,
        "diresmikan": 0,
        "coverage": None,
    }


def _add(row: dict, values: dict) -> None:
    for key, value in values.items():
        row[key] = row.get(key, 0) + int(value or 0)


def _finish(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["registered"] = row["submitted"] + row["approved"] + row.get("rejected", 0)
        row["coverage"] = _percent(row["aktif"], row["estimate"]) if row["villages_with_estimate"] else None
    return rows


def area_tables(
    session: Session, actor: Actor, scope: Scope, day: dt.date, status_rows: Sequence[Any] | None = None
) -> dict[str, list[dict]]:
    """The areas one level down: provinces and branches of the region, branches of a province, villages
    of a branch (or of a duta's villages). Region and province: counts per regency from
    `regency_status_rows` (members grouped by regency, status and covered_until) and new members from the
    regency roll-up, summed into provinces and branches (fewer than 60 rows)."""
    if scope.kind == "village" and len(scope.codes) <= 1:
        return {}
    this_month = month_start(day)
    year_start = dt.date(day.year, 1, 1)
    if scope.kind in ("region", "province"):
        members: dict[str, dict] = {}
        for regency, status, covered_until, n in (
            status_rows if status_rows is not None else regency_status_rows(session, actor, scope)
        ):
            _tally([(status, covered_until, n)], day, members.setdefault(regency, {}))
        for regency, month, new in session.exec(
            select(RegencyMonth.regency_code, col(RegencyMonth.month), func.sum(RegencyMonth.new))
            .where(
                RegencyMonth.month >= year_start,
                RegencyMonth.month <= this_month,
                _regency_filter(scope, RegencyMonth.regency_code),
            )
            .group_by(col(RegencyMonth.regency_code), col(RegencyMonth.month))
        ).all():
            row = members.setdefault(regency, {})
            row["new_this_year"] = row.get("new_this_year", 0) + int(new or 0)
            if _as_date(month) == this_month:
                row["new_this_month"] = row.get("new_this_month", 0) + int(new or 0)
        diresmikan = col(Village.stage) == Stage.diresmikan.value
        regencies = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
                Regency.code,
                Regency.province_code,
                Regency.branch_code,
                Province.name,
                Branch.name,
                func.sum(Village.estimated_informal_workers),
                func.count(col(Village.estimated_informal_workers)),
                func.count().filter(diresmikan),
            )
            .join(Province, col(Province.code) == Regency.province_code)
            .outerjoin(Branch, col(Branch.code) == Regency.branch_code)
            .outerjoin(Village, col(Village.regency_code) == Regency.code)
            .where(Regency.province_code == scope.codes[0] if scope.kind == "province" else true())
            .group_by(Regency.code, Regency.province_code, Regency.branch_code, Province.name, Branch.name)
        ).all()
        provinces: dict[str, dict] = {}
        branches: dict[str | None, dict] = {}
        for code, province_code, branch_code, province_name, branch_name, workers, estimated, official in regencies:
            values = {
                **members.get(code, {}),
                "estimate": workers,
                "villages_with_estimate": estimated,
                "diresmikan": official,
            }
            _add(provinces.setdefault(province_code, _blank_row("province", province_code, province_name)), values)
            _add(
                branches.setdefault(branch_code, _blank_row("branch", branch_code, branch_name or _("No branch"))),
                values,
            )
        tables = {"branch": _finish(list(branches.values()))}
        if scope.kind == "region":
            tables = {"province": _finish(list(provinces.values())), **tables}
        # Regencies with no branch and nothing in them are noise.
        tables["branch"] = [r for r in tables["branch"] if r["code"] is not None or r["registered"]]
        return tables
    # Villages of a branch (or a duta's several): those in the programme, with an estimate, a target or
    # any member; a branch's other villages (hundreds) add nothing but zeros.
    columns = _count_columns(day)
    members = {
        row[0]: dict(zip(columns.keys(), row[1:], strict=False))
        for row in session.exec(
            select(Member.village_code, *columns.values())
            .where(_member_scope(actor, scope))
            .group_by(Member.village_code)
        ).all()
    }
    for code, month, new in session.exec(
        select(VillageMonth.village_code, col(VillageMonth.month), VillageMonth.new).where(
            VillageMonth.month >= year_start,
            VillageMonth.month <= this_month,
            VillageMonth.new != 0,
            village_clause(actor, VillageMonth.village_code),
            scope.village_codes(VillageMonth.village_code),
        )
    ).all():
        row = members.setdefault(code, {})
        row["new_this_year"] = row.get("new_this_year", 0) + int(new or 0)
        if _as_date(month) == this_month:
            row["new_this_month"] = row.get("new_this_month", 0) + int(new or 0)
    has_members = col(Village.code).in_(select(Member.village_code).where(_member_scope(actor, scope)))
    has_target = col(Village.code).in_(
        select(Target.scope_code).where(Target.level == "village", Target.year == day.year)
    )
    villages = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            Village.code, Village.name, Village.stage, Village.estimated_informal_workers, District.name
        )
        .join(District, col(District.code) == Village.district_code)
        .where(village_clause(actor, Village.code), scope.villages())
        .where(
            or_(
                col(Village.stage).is_not(None),
                col(Village.estimated_informal_workers).is_not(None),
                has_members,
                has_target,
                col(Village.code).in_(scope.codes) if scope.kind == "village" else false(),
            )
        )
    ).all()
    rows = []
    for code, name, stage, estimate, district in villages:
        row = _blank_row("village", code, name)
        row.update(stage=stage, district=district)
        _add(
            row,
            {
                **members.get(code, {}),
                "estimate": estimate,
                "villages_with_estimate": 1 if estimate is not None else 0,
                "diresmikan": 1 if stage == Stage.diresmikan.value else 0,
            },
        )
        rows.append(row)
    return {"village": _finish(rows)}


def regency_status_rows(session: Session, actor: Actor, scope: Scope) -> Sequence[Any]:
    """(regency, status, covered_until, n) of a region or province's members: one pass over the index
    ix_member_regency_status_covered, which yields them grouped; the scope's totals are their sum."""
    return session.exec(
        select(MEMBER_REGENCY, Member.status, col(Member.covered_until), func.count())
        .where(village_clause(actor, Member.village_code), _regency_filter(scope, MEMBER_REGENCY))
        .group_by(MEMBER_REGENCY, col(Member.status), col(Member.covered_until))
    ).all()


def sort_rows(rows: list[dict], sort: str | None) -> list[dict]:
    """`?sort=aktif` ascending, `?sort=-aktif` descending; empty values last; unknown columns ignored."""
    column = (sort or "").lstrip("-")
    if column not in TABLE_COLUMNS:
        return sorted(rows, key=lambda r: (r["code"] is None, r["name"] or ""))
    descending = (sort or "").startswith("-")
    present = [r for r in rows if r.get(column) is not None]
    missing = [r for r in rows if r.get(column) is None]
    present.sort(key=lambda r: (r[column], r["name"] or ""), reverse=descending)
    return present + missing


# ------------------------------------------------------------------------------------------- targets


def _child_levels(scope: Scope) -> tuple[str, ...]:
    if scope.kind == "region":
        return ("province", "branch")
    if scope.kind == "province":
        return ("branch",)
    if scope.kind == "branch" or len(scope.codes) > 1:
        return ("village",)
    return ()


def targets(session: Session, scope: Scope, day: dt.date, totals: dict, tables: dict) -> list[dict]:
    """This year's targets of the scope itself and of the areas one level down, with what is reached."""
    own_level = scope.kind if len(scope.codes) <= 1 else None
    own = and_(col(Target.level) == own_level, col(Target.scope_code) == (scope.codes[0] if scope.codes else ""))
    children = _child_levels(scope)
    child_codes = {level: {row["code"] for row in tables.get(level, []) if row["code"]} for level in children}
    conditions = [own] if own_level else []
    for level, codes in child_codes.items():
        if codes:
            conditions.append(and_(col(Target.level) == level, col(Target.scope_code).in_(codes)))
    if not conditions:
        return []
    rows = session.exec(select(Target).where(Target.year == day.year, or_(*conditions))).all()
    by_code = {(level, row["code"]): row for level in children for row in tables.get(level, [])}
    metric_order = [m.value for m in TargetMetric]
    result: list[dict[str, Any]] = []
    for target in rows:
        if own_level and target.level == own_level and target.scope_code == (scope.codes[0] if scope.codes else ""):
            source, name = totals, scope.name
        else:
            source = by_code.get((target.level, target.scope_code), {})
            name = source.get("name", target.scope_code)
        actual = {
            TargetMetric.new_members.value: source.get("new_this_year", 0),
            TargetMetric.active_members.value: source.get("aktif", 0),
            TargetMetric.villages_diresmikan.value: source.get("diresmikan", 0),
        }.get(target.metric, 0)
        result.append(
            {
                "metric": target.metric,
                "level": target.level,
                "code": target.scope_code,
                "name": name,
                "year": target.year,
                "target": int(target.value),
                "actual": int(actual),
                "percent": _percent(actual, target.value),
            }
        )
    level_order = {level: i for i, level in enumerate(LEVELS)}
    result.sort(
        key=lambda t: (
            level_order.get(t["level"], 9),
            metric_order.index(t["metric"]) if t["metric"] in metric_order else 9,
            t["name"] or "",
        )
    )
    return result


def baselines(session: Session, scope: Scope, day: dt.date) -> list[dict]:
    """The regional office's reference figures per province (latest year up to this one)."""
    if scope.kind not in ("region", "province"):
        return []
    query = select(ProvinceBaseline, Province.name).join(Province).where(ProvinceBaseline.year <= day.year)
    if scope.kind == "province":
        query = query.where(ProvinceBaseline.province_code == scope.codes[0])
    latest: dict[str, tuple] = {}
    for baseline, name in session.exec(query).all():
        if baseline.province_code not in latest or latest[baseline.province_code][0].year < baseline.year:
            latest[baseline.province_code] = (baseline, name)
    return [
        {
            "province_code": code,
            "name": name,
            "year": b.year,
            "workers": int(b.workers),
            "covered": int(b.covered),
            "percent": _percent(b.covered, b.workers),
        }
        for code, (b, name) in sorted(latest.items())
    ]


# ----------------------------------------------------------------------------------------- dashboard


# At most this many rows of a table of villages in a dashboard (after sorting); the full list is /villages
# and the villages export.
VILLAGE_TABLE_LIMIT = 50


def _counts_and_tables(session: Session, actor: Actor, scope: Scope, day: dt.date, monthly: dict):
    if scope.kind in ("region", "province"):
        status_rows = regency_status_rows(session, actor, scope)
        counts = _tally(((status, until, n) for _regency, status, until, n in status_rows), day)
        counts = _new_counts(counts, monthly, day)
        tables = area_tables(session, actor, scope, day, status_rows)
    else:
        counts, _new = scope_counts(session, actor, scope, day, monthly)
        tables = area_tables(session, actor, scope, day)
    return counts, tables


def dashboard(
    session: Session,
    actor: Actor,
    scope_text: str | None = None,
    day: dt.date | None = None,
    sort: str | None = None,
) -> dict:
    """Everything a dashboard shows for one area, in a fixed number of queries whatever its size."""
    day = day or today()
    scope = parse_scope(session, actor, scope_text)
    monthly = monthly_rollup(session, actor, scope, day)
    counts, tables = _counts_and_tables(session, actor, scope, day, monthly)
    new_by_month = [monthly.get(m, (0, 0, 0))[1] for m in trend_months(day)]
    stages, estimate = villages_by_stage(session, actor, scope)
    counts["diresmikan"] = stages.get(Stage.diresmikan.value, 0)
    for level, rows in tables.items():
        tables[level] = sort_rows(rows, sort)
    target_rows = targets(session, scope, day, counts, tables)
    totals = {level: len(rows) for level, rows in tables.items()}
    if "village" in tables:
        tables["village"] = tables["village"][:VILLAGE_TABLE_LIMIT]
    cash, dutas = cash_held(session, actor, scope, day)
    return {
        "scope": scope.key,
        "scope_kind": scope.kind,
        "scope_name": scope.name,
        "parents": [
            {"scope": "region" if kind == "region" else f"{kind}:{code}", "name": name}
            for kind, code, name in scope.parents
        ],
        "day": day.isoformat(),
        "counts": counts,
        "villages_by_stage": stages,
        "targets": target_rows,
        "cash_held": cash,
        "cash_held_dutas": dutas,
        "coverage": {
            "aktif": counts["aktif"],
            "estimate": estimate["estimate"],
            "villages_with_estimate": estimate["villages_with_estimate"],
            "percent": _percent(counts["aktif"], estimate["estimate"]) if estimate["villages_with_estimate"] else None,
        },
        "baselines": baselines(session, scope, day),
        "trend": trend(session, actor, scope, day, new_by_month, monthly),
        "event_yield": event_yield(session, actor, scope),
        "tables": tables,
        "table_totals": totals,
        "sort": sort or "",
    }


# ----------------------------------------------------------------------------------------------- home


HOME_VISITS = 10  # today's visits on the duta's home; the whole day's list is printable


def home_context(session: Session, actor: Actor) -> dict:
    if actor.role == Role.duta.value:
        context = {
            "counts": status_counts(session, actor),
            "villages": session.exec(
                select(Village).where(village_clause(actor, Village.code)).order_by(Village.code).limit(50)
            ).all(),
            "rejected": rejected_registrations(session, actor),  # registrations to correct, at the top
            "followup_counts": followups.counts(session, actor),
            "visits": followups.visits(session, actor, limit=HOME_VISITS),
            "list_labels": followups.LIST_LABELS,
            "outcome_labels": OUTCOME_LABELS,
        }
    else:
        # The same counts come with the key numbers: one pass over the members, not two.
        context = home_numbers(session, actor)
    # Cash held, deposits waiting and refunds due come from the dues domain.
    context.update(cash_context(session, actor))
    return context


def home_numbers(session: Session, actor: Actor) -> dict:
    """The few numbers a branch officer's or supervisor's home shows, linking on to the dashboard
    (cash held, deposits and refunds come from the dues part of the home context)."""
    day = today()
    scope = natural_scope(session, actor)
    stages, estimate = villages_by_stage(session, actor, scope)
    counts, _new = scope_counts(session, actor, scope, day)
    counts["diresmikan"] = stages.get(Stage.diresmikan.value, 0)
    programme = (
        sort_rows(area_tables(session, actor, scope, day).get("village", []), "-aktif")
        if actor.role == Role.cabang.value
        else []
    )
    return {
        "scope": scope,
        "key_numbers": counts,
        "stages": stages,
        "coverage_percent": _percent(counts["aktif"], estimate["estimate"])
        if estimate["villages_with_estimate"]
        else None,
        "year_targets": targets(session, scope, day, counts, {}),
        # A branch's programme villages (stage, coverage), most active first, at most
        # VILLAGE_TABLE_LIMIT; the rest on the dashboard and /villages.
        "programme_villages": programme[:VILLAGE_TABLE_LIMIT],
        "programme_villages_total": len(programme),
    }
