"""Desa Sadar programme: villages' stages and their numbers, outreach events, targets and baselines.

Stage rules (decided here, shown on the village page and in the API's 409 answers):
- A village outside the programme (`stage` None) is chosen by making it `calon`; from there it moves one
  stage at a time, `calon` -> `sosialisasi` -> `duta` -> `perangkat_terlindungi` -> `diresmikan`.
- No skipping and no going back: a wrong entry is corrected by the system administrator in the
  database, never silently through the form (the history is evidence for the region's reporting).
- Each stage needs its evidence; without it the answer is a 409 naming what is missing.
- `reached_on` is the day the stage was recorded, except `diresmikan`, which is reached on the date of
  its decree or MoU (not in the future, not before the previous stage).
- Only the `cabang` of the village's branch moves its stages; everyone who can see the village can read them.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Role, User, UserVillage
from app.auth.scope import Actor, branch_clause, branch_regencies, get_village, require_role, village_clause
from app.core import audit
from app.core.clock import today
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import _, lazy_gettext
from app.core.text import require_plain_text, text_errors
from app.events.models import Event, EventKind
from app.members.cover import cover_clause
from app.members.models import Member, MemberStatus
from app.members.service import status_counts
from app.programme.models import STAGE_ORDER, ProvinceBaseline, Stage, StageChange, Target, TargetMetric
from app.regions.models import Branch, District, Province, Regency, Village
from app.regions.service import branch_of_village

STAGE_LABELS = {
    Stage.calon.value: lazy_gettext("Candidate"),
    Stage.sosialisasi.value: lazy_gettext("Socialised"),
    Stage.duta.value: lazy_gettext("Has a duta"),
    Stage.perangkat_terlindungi.value: lazy_gettext("Officials protected"),
    Stage.diresmikan.value: lazy_gettext("Inaugurated"),
}
EVENT_KIND_LABELS = {
    EventKind.sosialisasi.value: lazy_gettext("Socialisation"),
    EventKind.senam_bersama.value: lazy_gettext("Group exercise"),
    EventKind.jemput_bola.value: lazy_gettext("Door to door"),
    EventKind.kemitraan.value: lazy_gettext("Partnership"),
}
TARGET_LEVELS = ("region", "province", "branch", "village")
LEVEL_LABELS = {
    "region": lazy_gettext("Region"),
    "province": lazy_gettext("Province"),
    "branch": lazy_gettext("Branch"),
    "village": lazy_gettext("Village"),
}
METRIC_LABELS = {
    TargetMetric.new_members.value: lazy_gettext("New informal members"),
    TargetMetric.active_members.value: lazy_gettext("Active members"),
    TargetMetric.villages_diresmikan.value: lazy_gettext("Villages inaugurated"),
}
PARTNERS_MAX_LENGTH = 500


def stage_label(stage: str | None) -> str:
    return str(STAGE_LABELS[stage]) if stage in STAGE_LABELS else _("Not in the programme")


def next_stage(stage: str | None) -> str | None:
    if stage is None:
        return Stage.calon.value
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


# --- villages -------------------------------------------------------------------------------------


def village_counts(session: Session, actor: Actor, village_code: str) -> dict:
    return status_counts(session, actor, village_code=village_code)


def coverage(aktif: int, estimate: int | None) -> float | None:
    """Active members per estimated informal worker, as a percentage (None without an estimate)."""
    if not estimate:
        return None
    return round(100 * aktif / estimate, 1)


@dataclass
class HistoryRow:
    stage: str
    reached_on: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    evidence: dict


def stage_history(session: Session, village_code: str) -> list[HistoryRow]:
    rows = session.exec(
        select(StageChange, User.username)
        .join(User, col(User.id) == StageChange.recorded_by_id)
        .where(StageChange.village_code == village_code)
        .order_by(col(StageChange.recorded_at), col(StageChange.id))
    ).all()
    return [
        HistoryRow(change.stage, change.reached_on, change.recorded_at, username, json.loads(change.evidence or "{}"))
        for change, username in rows
    ]


def active_duta_accounts(session: Session, village_code: str) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(UserVillage, col(UserVillage.user_id) == User.id)
            .where(
                UserVillage.village_code == village_code, User.role == Role.duta.value, col(User.is_active).is_(True)
            )
            .order_by(User.username)
        ).all()
    )


def past_socialisation_events(session: Session, village_code: str, day: dt.date | None = None) -> list[Event]:
    return list(
        session.exec(
            select(Event)
            .where(
                Event.village_code == village_code,
                Event.kind == EventKind.sosialisasi.value,
                Event.date <= (day or today()),
            )
            .order_by(col(Event.date).desc(), col(Event.id).desc())
        ).all()
    )


def change_stage(session: Session, actor: Actor, code: str, stage: str, evidence: dict | None = None) -> Village:
    """Move a village to `stage`, the next one after its current stage, given that stage's evidence."""
    village = get_village(session, actor, code, for_update=True)  # row-locked: two moves cannot interleave
    require_role(actor, Role.cabang.value)
    evidence = {key: value for key, value in (evidence or {}).items() if value not in (None, "")}
    if stage not in STAGE_ORDER:
        raise Invalid({"stage": _("Unknown stage.")})
    current = village.stage
    expected = next_stage(current)
    target_index = STAGE_ORDER.index(stage)
    current_index = STAGE_ORDER.index(current) if current else -1
    if target_index <= current_index:
        raise Conflict(
            _(
                "The village is already at stage %(current)s; stages do not go back.",
                current=stage_label(current),
            )
        )
    if stage != expected:
        missing = ", ".join(stage_label(s) for s in STAGE_ORDER[current_index + 1 : target_index])
        raise Conflict(_("Missing earlier stages: %(stages)s. Stages are reached one at a time.", stages=missing))

    day = today()
    reached_on = day
    recorded: dict = {}
    if stage == Stage.sosialisasi.value:
        recorded = _socialisation_evidence(session, village, evidence, day)
    elif stage == Stage.duta.value:
        accounts = active_duta_accounts(session, village.code)
        if not accounts:
            raise Conflict(_("Missing evidence: an active duta account for this village."))
        recorded = {"duta_accounts": [user.username for user in accounts]}
    elif stage == Stage.perangkat_terlindungi.value:
        recorded = _officials_evidence(evidence)
    elif stage == Stage.diresmikan.value:
        recorded, reached_on = _decree_evidence(session, village, evidence, day)

    change = StageChange(
        village_code=village.code,
        stage=stage,
        reached_on=reached_on,
        recorded_by_id=actor.id,
        evidence=json.dumps(recorded, default=str, ensure_ascii=False),
    )
    session.add(change)
    # Compare-and-set: a concurrent move of the same village (SQLite has no row locks) changes nothing here.
    moved = session.exec(
        update(Village)
        .where(
            col(Village.code) == village.code,
            col(Village.stage).is_(None) if current is None else col(Village.stage) == current,
        )
        .values(stage=stage, stage_since=reached_on)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        session.rollback()
        raise Conflict(_("The stage of this village was changed at the same moment. Reload the page."))
    session.refresh(village)
    detail: dict[str, Any] = {"from": current, "to": stage, "reached_on": reached_on.isoformat(), "evidence": recorded}
    audit.record(session, actor, "stage_changed", "village", village.code, **detail)
    session.commit()
    return village


def _positive_int(value, field: str, errors: dict) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return None
    if number < 0:
        errors[field] = _("Enter 0 or more.")
        return None
    return number


def _socialisation_evidence(session: Session, village: Village, evidence: dict, day: dt.date) -> dict:
    event_id = evidence.get("event_id")
    if event_id is None:
        raise Conflict(_("Missing evidence: a socialisation event held in this village (event_id)."))
    try:
        event = session.get(Event, int(event_id))
    except (TypeError, ValueError):
        raise Invalid({"event_id": _("Enter a whole number.")}) from None
    if event is None or event.village_code != village.code or event.kind != EventKind.sosialisasi.value:
        raise Conflict(_("Missing evidence: event %(id)s is not a socialisation event in this village.", id=event_id))
    if event.date > day:
        raise Conflict(
            _(
                "Missing evidence: the socialisation event of %(date)s has not taken place yet.",
                date=event.date.strftime("%d/%m/%Y"),
            )
        )
    return {"event_id": event.id, "event_date": event.date.isoformat(), "attendance": event.attendance}


def _officials_evidence(evidence: dict) -> dict:
    if evidence.get("enrolled") is None or evidence.get("total") is None:
        raise Conflict(
            _("Missing evidence: how many village officials there are and how many are enrolled (enrolled, total).")
        )
    errors: dict = {}
    enrolled = _positive_int(evidence["enrolled"], "enrolled", errors)
    total = _positive_int(evidence["total"], "total", errors)
    if errors:
        raise Invalid(errors)
    assert enrolled is not None and total is not None  # None only with an error
    if total == 0:
        raise Conflict(_("Missing evidence: the number of village officials must be more than 0."))
    if enrolled > total:
        raise Invalid({"enrolled": _("Cannot be more than the number of officials.")})
    if enrolled < total:
        raise Conflict(
            _(
                "Missing evidence: only %(enrolled)s of %(total)s village officials are enrolled; all must be.",
                enrolled=enrolled,
                total=total,
            )
        )
    return {"enrolled": enrolled, "total": total}


def _decree_evidence(session: Session, village: Village, evidence: dict, day: dt.date) -> tuple[dict, dt.date]:
    number = str(evidence.get("decree_number") or "").strip()
    date = evidence.get("date")
    missing = []
    if not number:
        missing.append(_("the decree or MoU number (decree_number)"))
    if not date:
        missing.append(_("its date (date)"))
    if missing:
        raise Conflict(_("Missing evidence: %(items)s.", items=", ".join(missing)))
    assert date is not None  # else missing above
    if len(number) > 100:
        raise Invalid({"decree_number": _("Use at most %(n)s characters.", n=100)})
    require_plain_text({"decree_number": number})
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise Invalid({"date": _("Enter a date as YYYY-MM-DD.")}) from None
    if date > day:
        raise Invalid({"date": _("The date cannot be in the future.")})
    reached = {row.stage: row.reached_on for row in stage_history(session, village.code)}
    earlier = [s for s in STAGE_ORDER[: STAGE_ORDER.index(Stage.diresmikan.value)] if s not in reached]
    if earlier:
        raise Conflict(
            _(
                "Missing earlier stages: %(stages)s. Stages are reached one at a time.",
                stages=", ".join(stage_label(s) for s in earlier),
            )
        )
    previous = reached[Stage.perangkat_terlindungi.value]
    if date < previous:
        raise Invalid(
            {"date": _("The date cannot be before the previous stage (%(date)s).", date=previous.strftime("%d/%m/%Y"))}
        )
    return {"decree_number": number, "date": date.isoformat()}, date


def set_estimate(session: Session, actor: Actor, code: str, value) -> Village:
    """The village's estimated number of informal workers (the coverage denominator), kept by its branch."""
    village = get_village(session, actor, code, for_update=True)  # row-locked: two changes cannot interleave
    require_role(actor, Role.cabang.value)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid({"estimated_informal_workers": _("Enter a whole number.")}) from None
    if number <= 0:
        raise Invalid({"estimated_informal_workers": _("Enter a number greater than 0.")})
    if number > 10_000_000:
        raise Invalid({"estimated_informal_workers": _("That is more than a village can have.")})
    previous = village.estimated_informal_workers
    village.estimated_informal_workers = number
    session.add(village)
    detail: dict[str, Any] = {"from": previous, "to": number}
    audit.record(session, actor, "estimate_set", "village", village.code, **detail)
    session.commit()
    return village


@dataclass
class VillageRow:
    code: str
    name: str
    district: str
    regency: str
    stage: str | None
    stage_since: dt.date | None
    estimate: int | None
    aktif: int

    @property
    def coverage(self) -> float | None:
        return coverage(self.aktif, self.estimate)


def list_villages(
    session: Session,
    actor: Actor,
    stage: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[VillageRow], int]:
    """Villages within scope; `stage` is a stage, "none" (not in the programme) or "programme" (any stage)."""
    conditions = [village_clause(actor, Village.code)]
    if stage == "none":
        conditions.append(col(Village.stage).is_(None))
    elif stage == "programme":
        conditions.append(col(Village.stage).is_not(None))
    elif stage:
        conditions.append(col(Village.stage) == stage)
    if parent:
        columns = {2: col(Village.province_code), 5: col(Village.regency_code), 8: col(Village.district_code)}
        column = columns.get(len(parent))
        if column is not None:
            conditions.append(column == parent)
    if q and q.strip():
        conditions.append(func.lower(Village.name).contains(q.strip().lower(), autoescape=True))
    total = session.exec(select(func.count()).select_from(Village).where(*conditions)).one()
    rows = session.exec(
        select(Village, District.name, Regency.name)
        .join(District, col(District.code) == Village.district_code)
        .join(Regency, col(Regency.code) == Village.regency_code)
        .where(*conditions)
        .order_by(Village.code)
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    codes = [village.code for village, _d, _r in rows]
    aktif = _aktif_by_village(session, actor, codes)
    return [
        VillageRow(v.code, v.name, d, r, v.stage, v.stage_since, v.estimated_informal_workers, aktif.get(v.code, 0))
        for v, d, r in rows
    ], total


def _aktif_by_village(session: Session, actor: Actor, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = session.exec(
        select(Member.village_code, func.count())
        .where(
            col(Member.village_code).in_(codes),
            village_clause(actor, Member.village_code),
            Member.status == MemberStatus.approved.value,
            cover_clause(Member.covered_until, "aktif", today()),
        )
        .group_by(Member.village_code)
    ).all()
    return dict(rows)


def regencies_in_scope(session: Session, actor: Actor) -> list[Regency]:
    query = select(Regency).order_by(Regency.code)
    if actor.sees_region:
        return list(session.exec(query).all())
    if actor.role == Role.cabang.value and actor.branch_code:
        return list(session.exec(query.where(Regency.branch_code == actor.branch_code)).all())
    regency_codes = {code[:5] for code in actor.village_codes}
    return list(session.exec(query.where(col(Regency.code).in_(regency_codes))).all())


def districts_of(session: Session, regency_code: str) -> list[District]:
    return list(
        session.exec(select(District).where(District.regency_code == regency_code).order_by(District.code)).all()
    )


# --- events ---------------------------------------------------------------------------------------


def event_scope_clause(actor: Actor):
    """Events of villages in the actor's area, and (for a `cabang` or the region) branch-wide events."""
    return or_(
        and_(col(Event.village_code).is_not(None), village_clause(actor, Event.village_code)),
        and_(col(Event.village_code).is_(None), branch_clause(actor, Event.branch_code)),
    )


def parse_partners(value) -> list[str]:
    """A list, or free text with one partner per line or separated by commas or semicolons."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", "\n").replace(",", "\n").splitlines()
    return [item.strip() for item in value if item and str(item).strip()]


def partners_of(event: Event) -> list[str]:
    try:
        value = json.loads(event.partners or "[]")
    except ValueError:
        return parse_partners(event.partners)
    return value if isinstance(value, list) else []


def create_event(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    title: str,
    date,
    place: str,
    village_code: str | None = None,
    branch_code: str | None = None,
    attendance=0,
    partners=None,
) -> Event:
    require_role(actor, Role.duta.value, Role.cabang.value, Role.wilayah.value)
    errors: dict[str, str] = {}
    if kind not in EVENT_KIND_LABELS:
        errors["kind"] = _("Choose the kind of event.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Fill in the title.")
    elif len(title) > 160:
        errors["title"] = _("Use at most %(n)s characters.", n=160)
    place = (place or "").strip()
    if not place:
        errors["place"] = _("Fill in the place.")
    elif len(place) > 160:
        errors["place"] = _("Use at most %(n)s characters.", n=160)
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip()) if date.strip() else None
        except ValueError:
            errors["date"] = _("Enter a date as YYYY-MM-DD.")
            date = None
        else:
            if date is None:
                errors["date"] = _("Fill in the date.")
    elif date is None:
        errors["date"] = _("Fill in the date.")
    try:
        attendance = int(attendance if attendance not in (None, "") else 0)
        if attendance < 0:
            errors["attendance"] = _("Enter 0 or more.")
    except (TypeError, ValueError):
        errors["attendance"] = _("Enter a whole number.")
    partner_list = parse_partners(partners)
    partners_json = json.dumps(partner_list, ensure_ascii=False)
    if len(partners_json) > PARTNERS_MAX_LENGTH:
        errors["partners"] = _("The list of partners is too long.")
    typed_partners = partners if isinstance(partners, str) else "\n".join(partner_list)  # one per line
    for field, problem in text_errors(
        {"title": title, "place": place, "partners": typed_partners}, multiline=("partners",)
    ).items():
        errors.setdefault(field, problem)
    village_code = (village_code or "").strip() or None
    branch_code = (branch_code or "").strip().upper() or None
    if not village_code and not branch_code:
        errors["village_code"] = _("Give the village or the branch of the event.")
    if errors:
        raise Invalid(errors)

    # Where the event is: outside the actor's area answers 404, as everywhere.
    if village_code:
        village = get_village(session, actor, village_code)
        if branch_code and branch_of_village(session, village) != branch_code:
            raise Invalid({"branch_code": _("The village does not belong to this branch.")})
    else:
        if actor.role == Role.duta.value:
            raise Forbidden(_("A duta records events of its own village."))
        if actor.role == Role.cabang.value and branch_code != actor.branch_code:
            raise NotFound(_("Branch not found."))
        if session.get(Branch, branch_code) is None:
            raise NotFound(_("Branch not found."))

    event = Event(
        kind=kind,
        title=title,
        date=date,
        place=place,
        village_code=village_code,
        branch_code=branch_code,
        attendance=attendance,
        partners=partners_json,
        created_by_id=actor.id,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor,
        "event_created",
        "event",
        event.id,
        kind=kind,
        date=date.isoformat(),
        village_code=village_code,
        branch_code=branch_code,
        attendance=attendance,
    )
    session.commit()
    return event


def get_event(session: Session, actor: Actor, event_id: int) -> Event:
    event = session.exec(select(Event).where(Event.id == event_id, event_scope_clause(actor))).first()
    if event is None:
        raise NotFound(_("Event not found."))
    return event


def list_events(
    session: Session,
    actor: Actor,
    kind: str | None = None,
    village_code: str | None = None,
    branch_code: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Event], int]:
    conditions = [event_scope_clause(actor)]
    if kind:
        conditions.append(Event.kind == kind)
    if village_code:
        conditions.append(Event.village_code == village_code)
    if branch_code:
        conditions.append(
            or_(
                col(Event.branch_code) == branch_code,
                col(Event.village_code).in_(
                    select(Village.code).where(col(Village.regency_code).in_(branch_regencies(branch_code)))
                ),
            )
        )
    if date_from:
        conditions.append(Event.date >= date_from)
    if date_to:
        conditions.append(Event.date <= date_to)
    total = session.exec(select(func.count()).select_from(Event).where(*conditions)).one()
    rows = session.exec(
        select(Event)
        .where(*conditions)
        .order_by(col(Event.date).desc(), col(Event.id).desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def event_signups(session: Session, actor: Actor, event: Event) -> list[Member]:
    """Members registered from the event (drafts excluded), within the actor's area."""
    return list(
        session.exec(
            select(Member)
            .where(
                Member.event_id == event.id,
                Member.status != MemberStatus.draft.value,
                village_clause(actor, Member.village_code),
            )
            .order_by(col(Member.created_at), col(Member.id))
        ).all()
    )


def event_yield(
    session: Session, actor: Actor, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[dict]:
    """Per kind of event, within the actor's area: events held, attendance, members registered from them
    (submitted, approved or rejected; drafts are not registrations yet) and of those approved.
    Every kind appears, with zeros when there were none."""
    conditions = [event_scope_clause(actor)]
    if date_from:
        conditions.append(Event.date >= date_from)
    if date_to:
        conditions.append(Event.date <= date_to)
    events = {
        kind: (count, attendance)
        for kind, count, attendance in session.exec(
            select(Event.kind, func.count(), func.coalesce(func.sum(Event.attendance), 0))
            .where(*conditions)
            .group_by(Event.kind)
        ).all()
    }
    members = {
        kind: (registered, approved)
        for kind, registered, approved in session.exec(
            select(
                Event.kind,
                func.count(col(Member.id)),
                func.coalesce(func.sum(case((col(Member.status) == MemberStatus.approved.value, 1), else_=0)), 0),
            )
            .join(Event, col(Event.id) == Member.event_id)
            .where(
                *conditions,
                Member.status != MemberStatus.draft.value,
                village_clause(actor, Member.village_code),
            )
            .group_by(Event.kind)
        ).all()
    }
    result = []
    for kind in EventKind:
        count, attendance = events.get(kind.value, (0, 0))
        registered, approved = members.get(kind.value, (0, 0))
        result.append(
            {
                "kind": kind.value,
                "events": int(count),
                "attendance": int(attendance),
                "registered": int(registered),
                "approved": int(approved),
            }
        )
    return result


# --- targets and baselines ------------------------------------------------------------------------


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
    if metric not in METRIC_LABELS:
        errors["metric"] = _("Choose what the target counts.")
    try:
        value = int(value)
        if value < 0:
            errors["value"] = _("Enter 0 or more.")
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


# The regional office's figures (interview with the regional head; DESIGN.md).
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
