"""A member's death, recorded by the `duta` of the village or the branch officer: the day is kept on the
member (never deleted, audited); the cover ends with the month of death (the member's `covered_until`
and the monthly roll-up, so dashboards stop counting the member), no payment is taken after it and the
member leaves the follow-up lists (followups)."""

import datetime as dt
from typing import Any

from sqlmodel import Session

from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core import audit
from app.core.clock import today, utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import _
from app.core.text import text_problem
from app.dues import rollup
from app.dues.service import recompute_cover
from app.members import service, validation
from app.members.models import Member, MemberStatus

NOTE_MAX = 500


def record_death(session: Session, actor: Actor, member_id: int, died_on: Any, note: Any = None) -> Member:
    member = service.get_member(session, actor, member_id, for_update=True)
    require_role(actor, Role.duta.value, Role.cabang.value)
    if member.status != MemberStatus.approved.value:
        raise Conflict(_("A death is recorded for approved members only."))
    if member.died_on is not None:
        raise Conflict(_("This member's death is already recorded."))
    errors: dict[str, str] = {}
    day: dt.date | None = None
    try:
        day = death_day(member, died_on)
    except Invalid as error:
        errors.update(error.errors)
    text = " ".join(str(note or "").split())
    problem = text_problem(note, multiline=True)
    if problem or len(text) > NOTE_MAX:
        errors["note"] = problem or _("Use at most %(n)s characters.", n=NOTE_MAX)
    if errors or day is None:
        raise Invalid(errors)
    end_cover(session, actor, member, day, text)
    session.commit()
    return member


def death_day(member: Member, raw: Any, field: str = "died_on") -> dt.date:
    """The day of death as sent: a date, not in the future nor before the birth date."""
    try:
        day = validation.parse_date(raw)
    except validation.FieldError as error:
        raise Invalid({field: error.message}) from None
    if day is None:
        raise Invalid({field: _("Enter the day of death.")})
    if day > today():
        raise Invalid({field: _("The day cannot be in the future.")})
    if day < member.birth_date:
        raise Invalid({field: _("The day cannot be before the birth date.")})
    return day


def end_cover(session: Session, actor: Actor, member: Member, day: dt.date, note: str = "") -> None:
    """Record the death of a member locked by the caller, in the caller's transaction: the cover ends
    with the month of death (covered_until and the roll-up), audited."""
    before = rollup.member_state(session, member)
    member.died_on = day
    member.updated_at = utcnow()
    recompute_cover(session, member, before)
    audit.record(session, actor, "member_died", "member", member.id, date=day.isoformat(), text=note)
