"""Targets (region, province, branch, village) and the provinces' baselines of workers covered."""

from sqlalchemy import case
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core import audit
from app.core.bounds import MAX_COUNT, too_large
from app.core.errors import Invalid
from app.core.i18n import _
from app.programme.models import ProvinceBaseline, Target, TargetMetric
from app.programme.service import TARGET_LEVELS
from app.regions.models import Branch, Province, Village


def _check_target(session: Session, year, level: str, scope_code: str, metric: str, value) -> tuple[int, str, int]:
    errors: dict[str, str] = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            errors["year"] = _("Enter a year between 2000 and 2100.")
    except (TypeError, ValueError):
        errors["year"] = _("Enter a year between 2000 and 2100.")
    scope_code = (scope_code or "").strip()
    if level not in TARGET_LEVELS:
        errors["level"] = _("Choose the level.")
    elif level == "region":
        scope_code = ""
    elif level == "branch":
        scope_code = scope_code.upper()
        if session.get(Branch, scope_code) is None:
            errors["scope_code"] = _("Unknown branch code.")
    else:
        model = Province if level == "province" else Village
        if not scope_code or session.get(model, scope_code) is None:
            errors["scope_code"] = _("Unknown province code.") if level == "province" else _("Unknown village code.")
    if metric not in TargetMetric.codes():
        errors["metric"] = _("Choose what the target counts.")
    try:
        value = int(value)
        if value < 0:
            errors["value"] = _("Enter 0 or more.")
        elif value > MAX_COUNT:
            errors["value"] = too_large(MAX_COUNT)
    except (TypeError, ValueError):
        errors["value"] = _("Enter a whole number.")
    if errors:
        raise Invalid(errors)
    return year, scope_code, value


def _upsert_target(session: Session, year: int, level: str, scope_code: str, metric: str, value: int):
    def existing():
        return session.exec(
            select(Target)
            .where(Target.year == year, Target.level == level, Target.scope_code == scope_code, Target.metric == metric)
            .with_for_update()
        ).first()

    target = existing()
    previous = target.value if target else None
    if target is None:
        try:
            with session.begin_nested():
                target = Target(year=year, level=level, scope_code=scope_code, metric=metric, value=value)
                session.add(target)
                session.flush()
            return target, previous
        except IntegrityError:  # set at the same moment by someone else: update theirs
            target = existing()
            previous = target.value
    target.value = value
    session.add(target)
    session.flush()
    return target, previous


def set_target(session: Session, actor: Actor, year, level: str, scope_code: str, metric: str, value) -> Target:
    """Set (or change) one target; unique per year, level, scope and metric."""
    require_role(actor, Role.wilayah.value)
    year, scope_code, value = _check_target(session, year, level, scope_code, metric, value)
    target, previous = _upsert_target(session, year, level, scope_code, metric, value)
    audit.record(
        session,
        actor,
        "target_set",
        "target",
        target.id,
        year=year,
        level=level,
        scope_code=scope_code,
        metric=metric,
        **{"from": previous, "to": value},
    )
    session.commit()
    return target


def targets_for(session: Session, year: int, level: str, scope_code: str = "") -> dict[str, int]:
    """The targets of one scope in a year, metric -> value (missing metrics are absent)."""
    scope_code = "" if level == "region" else scope_code
    rows = session.exec(
        select(Target.metric, Target.value).where(
            Target.year == year, Target.level == level, Target.scope_code == scope_code
        )
    ).all()
    return dict(rows)


def list_targets(session: Session, year: int, level: str | None = None, scope_code: str | None = None) -> list[Target]:
    query = select(Target).where(Target.year == year)
    if level:
        query = query.where(Target.level == level)
    if scope_code is not None and level != "region":
        query = query.where(Target.scope_code == scope_code)
    level_order = case({lvl: i for i, lvl in enumerate(TARGET_LEVELS)}, value=Target.level, else_=9)
    return list(session.exec(query.order_by(level_order, Target.scope_code, Target.metric)).all())


def _upsert_baseline(session: Session, province_code: str, year: int, workers: int, covered: int):
    baseline = session.get(ProvinceBaseline, (province_code, year), with_for_update=True)
    previous = (baseline.workers, baseline.covered) if baseline else None
    if baseline is None:
        baseline = ProvinceBaseline(province_code=province_code, year=year, workers=workers, covered=covered)
    else:
        baseline.workers, baseline.covered = workers, covered
    session.add(baseline)
    session.flush()
    return baseline, previous


def set_baseline(session: Session, actor: Actor, province_code: str, year, workers, covered) -> ProvinceBaseline:
    """A province's reference figures from the regional office (entered, not computed)."""
    require_role(actor, Role.wilayah.value)
    errors: dict[str, str] = {}
    province_code = (province_code or "").strip()
    if session.get(Province, province_code) is None:
        errors["province_code"] = _("Unknown province code.")
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Enter a year between 2000 and 2100.")
    numbers = {}
    for field, value in (("workers", workers), ("covered", covered)):
        try:
            numbers[field] = int(value)
            if numbers[field] < 0:
                errors[field] = _("Enter 0 or more.")
            elif numbers[field] > MAX_COUNT:
                errors[field] = too_large(MAX_COUNT)
        except (TypeError, ValueError):
            errors[field] = _("Enter a whole number.")
    if not errors and numbers["covered"] > numbers["workers"]:
        errors["covered"] = _("Cannot be more than the number of workers.")
    if errors:
        raise Invalid(errors)
    baseline, previous = _upsert_baseline(session, province_code, year, numbers["workers"], numbers["covered"])
    audit.record(
        session,
        actor,
        "baseline_set",
        "province",
        province_code,
        year=year,
        workers=numbers["workers"],
        covered=numbers["covered"],
        previous=previous,
    )
    session.commit()
    return baseline


def baselines_for(session: Session, year: int) -> list[ProvinceBaseline]:
    return list(
        session.exec(
            select(ProvinceBaseline).where(ProvinceBaseline.year == year).order_by(ProvinceBaseline.province_code)
        ).all()
    )


# The regional office's figures (interview with the regional head; docs/product.md).
REGION_TARGETS = {TargetMetric.new_members.value: 150_000, TargetMetric.villages_diresmikan.value: 30}
PROVINCE_BASELINES = {"11": (1_600_000, 480_000), "12": (4_300_000, 1_900_000)}


def seed_region_targets(session: Session, year: int) -> None:
    """The region's targets and the province baselines for `year` (idempotent; used by `duta demo`)."""
    for metric, value in REGION_TARGETS.items():
        target, previous = _upsert_target(session, year, "region", "", metric, value)
        if previous != value:
            audit.record(
                session,
                None,
                "target_set",
                "target",
                target.id,
                actor_name="system",
                year=year,
                level="region",
                metric=metric,
                **{"from": previous, "to": value},
            )
    for province_code, (workers, covered) in PROVINCE_BASELINES.items():
        _baseline, previous = _upsert_baseline(session, province_code, year, workers, covered)
        if previous != (workers, covered):
            audit.record(
                session,
                None,
                "baseline_set",
                "province",
                province_code,
                actor_name="system",
                year=year,
                workers=workers,
                covered=covered,
                previous=previous,
            )
    session.commit()
