"""This year's targets of a report's area and of the areas one level down, with what is reached; and the
provinces' baselines."""

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.programme.models import ProvinceBaseline, Target, TargetMetric
from app.regions.models import Province
from app.reports.scope import LEVELS, Scope, percent


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
                "percent": percent(actual, target.value),
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
            "percent": percent(b.covered, b.workers),
        }
        for code, (b, name) in sorted(latest.items())
    ]
