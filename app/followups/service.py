"""Who the duta should see: the follow-up lists, each contact's outcome, and the visits of the day.

The lists split the members of the actor's villages by where they may fall through: cover ending,
lapsed (recently, or long ago: to win back), approved but never paid, drafts never sent, rejected
registrations to correct. A member whose last contact says they moved away or died leaves them.
"""

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit
from app.core.clock import add_months, month_start, today, utcnow
from app.core.errors import Invalid
from app.core.i18n import gettext as _
from app.core.i18n import lazy_gettext
from app.core.templating import format_day
from app.core.text import text_errors
from app.dues.models import Payment, PaymentStatus
from app.dues.receipts import reminder_text, sms_url, whatsapp_url
from app.followups.models import CLOSING_OUTCOMES, Contact, ContactOutcome
from app.members import service as members_service
from app.members.models import Member, MemberStatus, MoveRequest, RequestStatus
from app.members.validation import FieldError, parse_date

FOLLOWING_ROLES = (Role.duta.value, Role.cabang.value)
NOTE_MAX = 500
PROMISE_DAYS_AHEAD = 92  # a promise to pay is kept within about three months, or it is no promise
NEXT_CONTACT_DAYS_AHEAD = 366
PAGE_SIZE = 20
OVERVIEW_SIZE = 5  # rows per list on the follow-up page and the home; the rest a tap away
VISITS_LIMIT = 200  # a day's printable visit list


class FollowUpList(str, enum.Enum):
    due_this_month = "due_this_month"
    due_next_month = "due_next_month"
    lapsed_recent = "lapsed_recent"
    lapsed_long = "lapsed_long"
    never_paid = "never_paid"
    drafts = "drafts"
    rejected = "rejected"


LIST_LABELS = {
    FollowUpList.due_this_month.value: lazy_gettext("Cover ends this month"),
    FollowUpList.due_next_month.value: lazy_gettext("Cover ends next month"),
    FollowUpList.lapsed_recent.value: lazy_gettext("Lapsed 1 to 3 months"),
    FollowUpList.lapsed_long.value: lazy_gettext("Lapsed longer: win back"),
    FollowUpList.never_paid.value: lazy_gettext("Approved, never paid"),
    FollowUpList.drafts.value: lazy_gettext("Drafts not sent"),
    FollowUpList.rejected.value: lazy_gettext("Rejected, to correct"),
}


def _membership(name: FollowUpList, this_month: dt.date):
    """The WHERE clause of one list (without scope)."""
    approved = col(Member.status) == MemberStatus.approved.value
    covered = col(Member.covered_until)
    if name is FollowUpList.due_this_month:
        return and_(approved, covered == this_month)
    if name is FollowUpList.due_next_month:
        return and_(approved, covered == add_months(this_month, 1))
    if name is FollowUpList.lapsed_recent:
        return and_(approved, covered < this_month, covered >= add_months(this_month, -3))
    if name is FollowUpList.lapsed_long:
        return and_(approved, covered < add_months(this_month, -3))
    if name is FollowUpList.never_paid:
        return and_(approved, covered.is_(None))
    if name is FollowUpList.drafts:
        return col(Member.status) == MemberStatus.draft.value
    return col(Member.status) == MemberStatus.rejected.value


def _order(name: FollowUpList):
    """Most urgent first: the latest lapse (easiest to win back), the oldest waiting registration."""
    if name in (FollowUpList.lapsed_recent, FollowUpList.lapsed_long):
        return (col(Member.covered_until).desc(), Member.full_name, Member.id)
    if name in (FollowUpList.never_paid, FollowUpList.rejected):
        return (col(Member.decided_at), Member.id)
    if name is FollowUpList.drafts:
        return (col(Member.created_at), Member.id)
    return (Member.full_name, col(Member.id))


def _last_contact(column):
    """A column of the member's last contact (None before any), correlated to the member row."""
    return (
        select(column)
        .where(Contact.member_id == Member.id)
        .order_by(col(Contact.id).desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )


def _followed(actor: Actor):
    """Members of the actor's villages still to follow: not moved away or died by their last contact,
    nor recorded dead. A member said to have moved comes back once the move to a new village is
    confirmed after that contact: the new village's duta follows them."""
    last = _last_contact(Contact.outcome)
    moved_here_since = exists().where(
        col(MoveRequest.member_id) == col(Member.id),
        col(MoveRequest.status) == RequestStatus.approved.value,
        col(MoveRequest.decided_at) > _last_contact(Contact.recorded_at),
    )
    return (
        village_clause(actor, Member.village_code),
        or_(
            last.is_(None),
            last.not_in(CLOSING_OUTCOMES),
            and_(last == ContactOutcome.moved.value, moved_here_since),
        ),
        col(Member.died_on).is_(None),
    )


def list_of_member(actor: Actor, day: dt.date | None = None):
    """Which list each member row falls in on `day` (None: in none, or outside the actor's villages),
    as a column over Member: the lists are disjoint, so the first clause that holds names it. The duta's
    phone keeps this with each member (app/offline/roster.py) rather than a second copy of the rule."""
    this_month = month_start(day or today())
    followed = and_(*_followed(actor))
    return case(*((and_(followed, _membership(name, this_month)), name.value) for name in FollowUpList), else_=None)


@dataclass
class Row:
    member: Member
    monthly_amount: int
    whatsapp_url: str
    sms_url: str
    last_contact: Contact | None


@dataclass
class Listing:
    name: str
    total: int
    rows: list[Row]


def last_contacts(session: Session, member_ids: list[int]) -> dict[int, Contact]:
    """Each member's last contact, for the members given that have one."""
    if not member_ids:
        return {}
    latest = select(func.max(Contact.id)).where(col(Contact.member_id).in_(member_ids)).group_by(col(Contact.member_id))
    contacts = session.exec(select(Contact).where(col(Contact.id).in_(latest))).all()
    return {contact.member_id: contact for contact in contacts}


def _rows(session: Session, members: list[Member], this_month: dt.date) -> list[Row]:
    contacts = last_contacts(session, [m.id for m in members if m.id is not None])
    rows = []
    for member in members:
        amount = members_service.contribution_for(session, member, this_month).total
        text = reminder_text(member, amount, this_month)
        rows.append(
            Row(
                member,
                amount,
                whatsapp_url(member.phone, text),
                sms_url(member.phone, text),
                contacts.get(member.id) if member.id else None,
            )
        )
    return rows


def counts(session: Session, actor: Actor, day: dt.date | None = None) -> dict[str, int]:
    """How many members each list holds, in one aggregate query."""
    require_role(actor, *FOLLOWING_ROLES)
    this_month = month_start(day or today())
    columns = [func.count(case((_membership(name, this_month), 1))).label(name.value) for name in FollowUpList]
    row = session.execute(select(*columns).select_from(Member).where(*_followed(actor))).one()
    return {name.value: int(row._mapping[name.value] or 0) for name in FollowUpList}


def listing(
    session: Session,
    actor: Actor,
    name: FollowUpList,
    page: int = 1,
    size: int = PAGE_SIZE,
    day: dt.date | None = None,
    total: int | None = None,
) -> Listing:
    """One list's members, a page of them, with what the duta needs to reach each one. `total`: the
    list's count when the caller has it already (from `counts`)."""
    require_role(actor, *FOLLOWING_ROLES)
    this_month = month_start(day or today())
    where = (*_followed(actor), _membership(name, this_month))
    if total is None:
        total = session.exec(select(func.count()).select_from(Member).where(*where)).one()
    members = session.exec(
        select(Member).where(*where).order_by(*_order(name)).offset((page - 1) * size).limit(size)
    ).all()
    return Listing(name.value, total, _rows(session, list(members), this_month))


def overview(session: Session, actor: Actor, size: int = OVERVIEW_SIZE, day: dt.date | None = None) -> list[Listing]:
    """Every list with its count (one query for all) and its first `size` members: the follow-up page,
    and the API's first page of each list."""
    totals = counts(session, actor, day)
    return [
        listing(session, actor, name, size=size, day=day, total=totals[name.value])
        if totals[name.value]
        else Listing(name.value, 0, [])
        for name in FollowUpList
    ]


# ---------------------------------------------------------------- contacts


def _bounded_day(raw, first: dt.date, last: dt.date, field: str, errors: dict[str, str]) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        day = parse_date(raw)
    except FieldError as error:
        errors[field] = str(error)
        return None
    if day is not None and not first <= day <= last:
        errors[field] = _("Choose a date from %(first)s to %(last)s.", first=format_day(first), last=format_day(last))
    return day


def record_contact(
    session: Session,
    actor: Actor,
    member_id: int,
    outcome,
    note=None,
    promised_on=None,
    next_contact_on=None,
) -> Contact:
    """What came of a contact with the member, and when to try next: one row, audited."""
    member = members_service.get_member(session, actor, member_id)
    require_role(actor, *FOLLOWING_ROLES)
    day = today()
    errors: dict[str, str] = {}
    outcome = str(outcome or "").strip()
    if outcome not in {o.value for o in ContactOutcome}:
        errors["outcome"] = _("Choose what came of the contact.")
    errors.update(text_errors({"note": note}, multiline=("note",)))
    note = str(note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        errors["note"] = _("Use at most %(n)s characters.", n=NOTE_MAX)
    promised = _bounded_day(promised_on, day, day + dt.timedelta(days=PROMISE_DAYS_AHEAD), "promised_on", errors)
    if outcome == ContactOutcome.promised.value and promised is None and "promised_on" not in errors:
        errors["promised_on"] = _("Enter the day the member promised to pay.")
    elif outcome != ContactOutcome.promised.value:
        promised = None  # a date only a promise has
    next_contact = _bounded_day(
        next_contact_on, day, day + dt.timedelta(days=NEXT_CONTACT_DAYS_AHEAD), "next_contact_on", errors
    )
    if errors:
        raise Invalid(errors)
    contact = Contact(
        member_id=member_id,
        outcome=outcome,
        note=note,
        promised_on=promised,
        next_contact_on=next_contact,
        recorded_by_id=actor.id,
    )
    session.add(contact)
    # A closing outcome takes the member off the lists: the duta's phone fetches the row again.
    member.changed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "contact_recorded",
        "member",
        member.id,
        outcome=outcome,
        promised_on=promised,
        next_contact_on=next_contact,
    )
    session.commit()
    return contact


def contacts_of(session: Session, actor: Actor, member_id: int, limit: int = 20) -> list[Contact]:
    """The member's contacts, latest first (scoped like the member)."""
    members_service.get_member(session, actor, member_id)
    return list(
        session.exec(
            select(Contact).where(Contact.member_id == member_id).order_by(col(Contact.id).desc()).limit(limit)
        ).all()
    )


# ---------------------------------------------------------------- the day's visits


def visits(session: Session, actor: Actor, day: dt.date | None = None, limit: int = VISITS_LIMIT) -> list[Row]:
    """Whom to see today: members whose last contact set a next contact or a promise to pay on or before
    today, and who have not paid since."""
    require_role(actor, *FOLLOWING_ROLES)
    day = day or today()
    last = aliased(Contact)
    latest_id = select(func.max(Contact.id)).where(Contact.member_id == Member.id).correlate(Member).scalar_subquery()
    paid_since = exists().where(
        col(Payment.member_id) == col(Member.id),
        col(Payment.status) == PaymentStatus.valid.value,
        col(Payment.recorded_at) > col(last.recorded_at),
    )
    due = or_(
        col(last.next_contact_on) <= day,
        and_(col(last.outcome) == ContactOutcome.promised.value, col(last.promised_on) <= day),
    )
    members = session.exec(
        select(Member)
        .join(last, col(last.id) == latest_id)
        .where(
            village_clause(actor, Member.village_code),
            col(last.outcome).not_in(CLOSING_OUTCOMES),
            col(Member.died_on).is_(None),
            due,
            ~paid_since,
        )
        .order_by(func.coalesce(col(last.next_contact_on), col(last.promised_on)), Member.full_name, col(Member.id))
        .limit(limit)
    ).all()
    return _rows(session, list(members), month_start(day))
