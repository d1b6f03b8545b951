"""Tables of the areas one level down of a report's area (provinces, branches or villages) with their
counts, and their sorting."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import false, func, or_, true
from sqlmodel import Session, col, select

from app.auth.scope import Actor, village_clause
from app.core.clock import month_start
from app.core.i18n import _
from app.dues.models import RegencyMonth, VillageMonth
from app.members.models import MEMBER_REGENCY, Member
from app.programme.models import Stage, Target
from app.regions.models import Branch, District, Province, Regency, Village
from app.reports.counts import as_date, count_columns, regency_filter, tally
from app.reports.scope import Scope, member_scope, percent

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
        row["coverage"] = percent(row["aktif"], row["estimate"]) if row["villages_with_estimate"] else None
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
            tally([(status, covered_until, n)], day, members.setdefault(regency, {}))
        for regency, month, new in session.exec(
            select(RegencyMonth.regency_code, col(RegencyMonth.month), func.sum(RegencyMonth.new))
            .where(
                RegencyMonth.month >= year_start,
                RegencyMonth.month <= this_month,
                regency_filter(scope, RegencyMonth.regency_code),
            )
            .group_by(col(RegencyMonth.regency_code), col(RegencyMonth.month))
        ).all():
            row = members.setdefault(regency, {})
            row["new_this_year"] = row.get("new_this_year", 0) + int(new or 0)
            if as_date(month) == this_month:
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
    columns = count_columns(day)
    members = {
        row[0]: dict(zip(columns.keys(), row[1:], strict=False))
        for row in session.exec(
            select(Member.village_code, *columns.values())
            .where(member_scope(actor, scope))
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
        if as_date(month) == this_month:
            row["new_this_month"] = row.get("new_this_month", 0) + int(new or 0)
    has_members = col(Village.code).in_(select(Member.village_code).where(member_scope(actor, scope)))
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
        .where(village_clause(actor, Member.village_code), regency_filter(scope, MEMBER_REGENCY))
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
