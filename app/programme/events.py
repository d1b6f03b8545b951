"""Outreach events: recording them within the actor's area, listing them, and what they yielded
(members who signed up through them)."""

import datetime as dt
import json

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from app.auth.models import Partner, Role
from app.auth.scope import Actor, branch_clause, branch_regencies, get_village, require_role, village_clause
from app.core import audit
from app.core.bounds import MAX_COUNT, MAX_ROW_ID, too_large
from app.core.clock import today
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.i18n import _
from app.core.templating import format_day
from app.core.text import text_errors
from app.events.models import Event, EventKind
from app.members.models import Member, MemberStatus
from app.programme.service import PARTNERS_MAX_LENGTH
from app.regions.models import Branch, Village
from app.regions.service import branch_of_village


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


def partner_choices(session: Session) -> list[tuple[int, str]]:
    """The partners an event may name (every one: partners are the region's, not a village's)."""
    rows = session.exec(select(Partner.id, Partner.name).order_by(func.lower(Partner.name))).all()
    return [(partner_id, name) for partner_id, name in rows if partner_id is not None]


def partner_name(session: Session, event: Event) -> str | None:
    partner = session.get(Partner, event.partner_id) if event.partner_id is not None else None
    return partner.name if partner is not None else None


def _partner_of_event(session: Session, kind: str, value) -> tuple[int | None, str | None]:
    """The partner id given (or None), or a message: only a partnership event names a partner."""
    if value is None or str(value).strip() == "":
        return None, None
    text = str(value).strip()
    partner = session.get(Partner, int(text)) if text.isdigit() and int(text) <= MAX_ROW_ID else None
    if partner is None:
        return None, _("Choose a partner of the list.")
    if kind != EventKind.kemitraan.value:
        return None, _("Only a partnership event names a partner.")
    return partner.id, None


# The programme began in 2017; events are planned at most a year ahead.
FIRST_EVENT_DAY = dt.date(2017, 1, 1)


def _last_event_day() -> dt.date:
    day = today()
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


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
    partner_id=None,
) -> Event:
    """`partner_id`: a partnership (`kemitraan`) event's partner kept on /partners, if it is one."""
    require_role(actor, Role.duta.value, Role.cabang.value, Role.wilayah.value)
    errors: dict[str, str] = {}
    if kind not in EventKind.codes():
        errors["kind"] = _("Choose the kind of event.")
    partner_id, partner_error = _partner_of_event(session, kind, partner_id)
    if partner_error:
        errors["partner_id"] = partner_error
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
    if isinstance(date, dt.date) and not FIRST_EVENT_DAY <= date <= _last_event_day():
        errors["date"] = _(
            "Enter a date from %(first)s to %(last)s.",
            first=format_day(FIRST_EVENT_DAY),
            last=format_day(_last_event_day()),
        )
    try:
        attendance = int(attendance if attendance not in (None, "") else 0)
        if attendance < 0:
            errors["attendance"] = _("Enter 0 or more.")
        elif attendance > MAX_COUNT:
            errors["attendance"] = too_large(MAX_COUNT)
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

    # Where the event is: outside the actor's area answers 404, as everywhere (said beside the field
    # the code was typed in).
    if village_code:
        village = get_village(session, actor, village_code, field="village_code")
        if branch_code and branch_of_village(session, village) != branch_code:
            raise Invalid({"branch_code": _("The village does not belong to this branch.")})
    else:
        if actor.role == Role.duta.value:
            raise Forbidden(_("A duta records events of its own village."))
        if actor.role == Role.cabang.value and branch_code != actor.branch_code:
            raise NotFound(_("Branch not found."), field="branch_code")
        if session.get(Branch, branch_code) is None:
            raise NotFound(_("Branch not found."), field="branch_code")

    event = Event(
        kind=kind,
        title=title,
        date=date,
        place=place,
        village_code=village_code,
        branch_code=branch_code,
        attendance=attendance,
        partners=partners_json,
        partner_id=partner_id,
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
        partner_id=partner_id,
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
