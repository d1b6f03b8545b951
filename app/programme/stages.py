"""A village's Desa Sadar stages: the history, moving to the next stage with its evidence, and the
estimate of its informal workers."""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.models import Role, User, UserVillage
from app.auth.scope import Actor, get_village, require_role
from app.core import audit
from app.core.clock import today
from app.core.errors import Conflict, Invalid
from app.core.i18n import _
from app.core.text import require_plain_text
from app.events.models import Event, EventKind
from app.programme import officials
from app.programme.models import STAGE_ORDER, Stage, StageChange
from app.programme.service import next_stage, stage_label
from app.regions.models import Village


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
    # A village's true history may be entered late: the date it reached the stage, today by default.
    reached_on = _stage_date(evidence.get("date"), village.stage_since, day, required=stage == Stage.diresmikan.value)
    recorded: dict = {}
    if stage == Stage.sosialisasi.value:
        recorded = _socialisation_evidence(session, village, evidence, reached_on)
    elif stage == Stage.duta.value:
        accounts = active_duta_accounts(session, village.code)
        if not accounts:
            raise Conflict(_("Missing evidence: an active duta account for this village."))
        recorded = {"duta_accounts": [user.username for user in accounts]}
    elif stage == Stage.perangkat_terlindungi.value:
        recorded, lacking = officials.evidence(session, village, reached_on)
        if lacking:
            raise Conflict(_("The village's officials are not all protected: %(missing)s.", missing="; ".join(lacking)))
    elif stage == Stage.diresmikan.value:
        recorded = _decree_evidence(session, village, evidence, reached_on)

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


def _stage_date(value, previous: dt.date | None, day: dt.date, required: bool) -> dt.date:
    """The date a stage was reached: not in the future, not before the stage before it."""
    if value in (None, ""):
        if required:
            raise Conflict(_("Missing evidence: the date of the decree or MoU."), field="date")
        value = day
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise Invalid({"date": _("Enter a date as YYYY-MM-DD.")}) from None
    if value > day:
        raise Invalid({"date": _("The date cannot be in the future.")})
    if previous is not None and value < previous:
        raise Invalid(
            {"date": _("The date cannot be before the previous stage (%(date)s).", date=previous.strftime("%d/%m/%Y"))}
        )
    return value


def _socialisation_evidence(session: Session, village: Village, evidence: dict, day: dt.date) -> dict:
    event_id = evidence.get("event_id")
    if event_id is None:
        raise Conflict(_("Missing evidence: a socialisation event held in this village."), field="event_id")
    try:
        event = session.get(Event, int(event_id))
    except (TypeError, ValueError):
        raise Invalid({"event_id": _("Enter a whole number.")}) from None
    if event is None or event.village_code != village.code or event.kind != EventKind.sosialisasi.value:
        raise Conflict(
            _("Missing evidence: event %(id)s is not a socialisation event in this village.", id=event_id),
            field="event_id",
        )
    if event.date > day:
        raise Conflict(
            _(
                "Missing evidence: the socialisation event of %(date)s is after the date of this stage.",
                date=event.date.strftime("%d/%m/%Y"),
            ),
            field="event_id",
        )
    return {"event_id": event.id, "event_date": event.date.isoformat(), "attendance": event.attendance}


def _decree_evidence(session: Session, village: Village, evidence: dict, date: dt.date) -> dict:
    number = str(evidence.get("decree_number") or "").strip()
    if not number:
        raise Conflict(_("Missing evidence: the decree or MoU number."), field="decree_number")
    if len(number) > 100:
        raise Invalid({"decree_number": _("Use at most %(n)s characters.", n=100)})
    require_plain_text({"decree_number": number})
    reached = {row.stage for row in stage_history(session, village.code)}
    earlier = [s for s in STAGE_ORDER[: STAGE_ORDER.index(Stage.diresmikan.value)] if s not in reached]
    if earlier:
        raise Conflict(
            _(
                "Missing earlier stages: %(stages)s. Stages are reached one at a time.",
                stages=", ".join(stage_label(s) for s in earlier),
            )
        )
    # Every earlier stage's evidence still true on the decree's date: an active duta, and the
    # officials all protected in its month (a roster can lapse after its stage was reached).
    if not active_duta_accounts(session, village.code):
        raise Conflict(_("Missing evidence: an active duta account for this village."))
    _snapshot, lacking = officials.evidence(session, village, date)
    if lacking:
        raise Conflict(
            _(
                "The village's officials are not all protected on the date of the decree: %(missing)s.",
                missing="; ".join(lacking),
            )
        )
    return {"decree_number": number, "date": date.isoformat()}


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
