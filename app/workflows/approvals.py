"""The branch's decision on a registration: the approval queue, approve (with a member number),
approve several at once, reject (with a reason), and what the decision locks afterwards.

Only `cabang` of the member's branch decides. Each decision is one transaction: the state change,
the member number or the refund marking of its payments, and the audit entries commit together.
The state change is a conditional UPDATE (`... WHERE status = 'submitted'`), so two officers
deciding the same registration at once cannot both win: the second one gets 409.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.auth.scope import Actor, get_in_scope, require_role, village_clause
from app.core import audit, i18n
from app.core.clock import today, utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _, lazy_gettext
from app.core.sequences import next_value
from app.core.text import require_plain_text
from app.dues.models import Payment, PaymentStatus
from app.dues.rollup import member_approved
from app.dues.service import mark_refund_due
from app.members.kpj import assign_kpj
from app.members.models import Member, MemberStatus
from app.members.privacy import shown_nik
from app.members.rules import has_possible_duplicate, possible_duplicates
from app.regions.models import District, Regency, Village

MEMBER_NUMBER_COUNTER = "member_number"
PAGE_SIZE = 25
MAX_BATCH = 100
REASON_MAX = 500

# The usual reasons for refusing a registration; "other" needs the free text.
REJECTION_REASONS: dict[str, object] = {
    "nik_mismatch": lazy_gettext("The NIK does not match the KTP photo or data"),
    "duplicate": lazy_gettext("Duplicate registration"),
    "not_informal": lazy_gettext("Not an informal worker"),
    "income_below_minimum": lazy_gettext("Income below the minimum"),
    "incomplete": lazy_gettext("Incomplete data"),
    "other": lazy_gettext("Other reason"),
}


# --- member numbers ------------------------------------------------------------------------------


def format_member_number(year: int, serial: int) -> str:
    """11 digits like a BPJS Ketenagakerjaan participant number (KPJ): 2-digit year of approval,
    then a 9-digit serial from a region-wide counter (never reset, so numbers never repeat)."""
    return f"{year % 100:02d}{serial:09d}"


def is_member_number(value: str | None) -> bool:
    return value is not None and len(value) == 11 and value.isdigit()


def _next_member_number(session: Session) -> str:
    year = today().year
    while True:
        serial = _next_serial(session)
        number = format_member_number(year, serial)
        # The counter alone guarantees distinct serials; this skips numbers that already exist
        # for another reason (members imported with their number from BPJS's core system).
        taken = session.exec(select(exists().where(col(Member.member_number) == number))).one()
        if not taken:
            return number


def _next_serial(session: Session) -> int:
    """`next_value`, retried once if two transactions create the counter at the same moment."""
    for attempt in range(3):
        try:
            with session.begin_nested():
                return next_value(session, MEMBER_NUMBER_COUNTER)
        except IntegrityError:  # both created the counter at once: now it exists, UPDATE it
            if attempt == 2:
                raise
    raise RuntimeError("unreachable")


# --- loading and the refusals --------------------------------------------------------------------


def load_visible(session: Session, actor: Actor, member_id: int) -> Member:
    """The member if it lies in the actor's area, else 404 (its existence does not leak)."""
    member = get_in_scope(session, actor, Member, member_id)
    if member is None:
        raise NotFound(_("Registration not found."))
    return member


def _wrong_state(member: Member) -> Conflict:
    messages = {
        MemberStatus.draft.value: _("This registration has not been submitted yet, so it cannot be decided."),
        MemberStatus.approved.value: _("This registration has already been approved."),
        MemberStatus.rejected.value: _("This registration has already been rejected; it waits for the corrections."),
    }
    return Conflict(messages.get(member.status, _("This registration cannot be decided now.")))


def _claim(session: Session, actor: Actor, member_id: int, new_status: str, **values) -> Member:
    """Move one submitted registration of the actor's branch to `new_status`, or raise 404/403/409.

    The UPDATE comes first: on PostgreSQL it takes the row lock (a concurrent decision waits, then
    finds the row no longer `submitted`); on SQLite it takes the write lock before any read."""
    if actor.role != Role.cabang.value:
        load_visible(session, actor, member_id)
        require_role(actor, Role.cabang.value)
    now = utcnow()
    result = session.exec(
        update(Member)
        .where(
            col(Member.id) == member_id,
            col(Member.status) == MemberStatus.submitted.value,
            village_clause(actor, Member.village_code),
        )
        .values(status=new_status, decided_at=now, decided_by_id=actor.id, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _wrong_state(load_visible(session, actor, member_id))
    return session.exec(select(Member).where(Member.id == member_id).execution_options(populate_existing=True)).one()


# --- decisions -----------------------------------------------------------------------------------


def _approve_one(session: Session, actor: Actor, member_id: int, batch: bool = False, kpj=None) -> Member:
    member = _claim(session, actor, member_id, MemberStatus.approved.value, rejection_reason=None)
    if kpj not in (None, ""):  # entered in the core system first: its KPJ comes with the approval
        assign_kpj(session, actor, member, kpj)
    member_approved(session, member)  # months it already paid now count in the monthly roll-up
    member.member_number = _next_member_number(session)
    session.add(member)
    detail: dict[str, Any] = {"member_number": member.member_number, "village_code": member.village_code}
    if batch:
        detail["batch"] = True
    audit.record(session, actor, "member_approved", "member", member.id, **detail)
    return member


def approve(session: Session, actor: Actor, member_id: int, kpj=None) -> Member:
    """Approve one registration, with its KPJ when the core system issued it already."""
    member = _approve_one(session, actor, member_id, kpj=kpj)
    session.commit()
    return member


@dataclass
class BatchResult:
    approved: list[Member] = field(default_factory=list)
    # Registrations someone else decided meanwhile: (member, its status now).
    skipped: list[tuple[Member, str]] = field(default_factory=list)
    # Possible duplicates: left for a decision on their own page.
    flagged: list[Member] = field(default_factory=list)


def approve_many(session: Session, actor: Actor, member_ids: Iterable[int]) -> BatchResult:
    """Approve the chosen registrations in one transaction. Ones already decided (by a colleague,
    a moment ago) are skipped and reported; one outside the branch refuses the whole batch (404)."""
    ids = sorted({int(member_id) for member_id in member_ids})
    if not ids:
        raise Invalid({"member_id": _("Choose at least one registration.")})
    if len(ids) > MAX_BATCH:
        raise Invalid({"member_id": _("Choose at most %(n)s registrations at once.", n=MAX_BATCH)})
    if actor.role != Role.cabang.value:
        load_visible(session, actor, ids[0])
        require_role(actor, Role.cabang.value)
    result = BatchResult()
    try:
        # Ascending ids: two batches locking rows in the same order cannot deadlock.
        for member_id in ids:
            candidate = load_visible(session, actor, member_id)
            if possible_duplicates(session, candidate):
                result.flagged.append(candidate)
                continue
            try:
                result.approved.append(_approve_one(session, actor, member_id, batch=True))
            except Conflict:
                member = load_visible(session, actor, member_id)
                result.skipped.append((member, member.status))
    except NotFound:
        session.rollback()
        raise
    audit.record(
        session,
        actor,
        "members_approved",
        "branch",
        actor.branch_code or "-",
        members={str(m.id): m.member_number for m in result.approved},
        skipped=[m.id for m, _status in result.skipped],
        flagged=[m.id for m in result.flagged],
    )
    session.commit()
    return result


def rejection_text(code: str | None, note: str) -> str:
    """The reason as the `duta` will read it: the chosen reason in Bahasa Indonesia (the
    programme's working language; the record is data, not interface), then the officer's words."""
    note = " ".join((note or "").split())
    if not code or code == "other":
        return note
    token = i18n.set_locale("id")
    try:
        label = str(REJECTION_REASONS[code])
    finally:
        i18n.reset_locale(token)
    return f"{label}: {note}" if note else label


def validate_reason(code: str | None, note: str | None) -> tuple[str | None, str]:
    require_plain_text({"reason": note}, multiline=("reason",))
    code = (code or "").strip() or None
    note = " ".join((note or "").split())
    if code is not None and code not in REJECTION_REASONS:
        raise Invalid({"reason": _("Choose one of the listed reasons.")})
    if (code is None or code == "other") and len(note) < 5:
        raise Invalid({"reason": _("Say why the registration is rejected (at least 5 characters).")})
    if len(rejection_text(code, note)) > REASON_MAX:
        raise Invalid({"reason": _("Use at most %(n)s characters.", n=REASON_MAX)})
    return code, note


def reject(session: Session, actor: Actor, member_id: int, code: str | None, note: str | None) -> Member:
    """Reject with a reason; the registration goes back to its `duta` for correction. Payments
    already collected for it become `refund_due` in the same transaction."""
    if actor.role != Role.cabang.value:
        load_visible(session, actor, member_id)
        require_role(actor, Role.cabang.value)
    code, note = validate_reason(code, note)
    reason = rejection_text(code, note)
    member = _claim(session, actor, member_id, MemberStatus.rejected.value, rejection_reason=reason)
    # Its valid payments become refunds due and its cover is replayed (to nothing), same transaction.
    refunds = mark_refund_due(session, actor, member)
    audit.record(
        session,
        actor,
        "member_rejected",
        "member",
        member.id,
        reason=reason,
        code=code,
        village_code=member.village_code,
        refund_due=refunds,
    )
    session.commit()
    return member


# --- the queue -----------------------------------------------------------------------------------


QUEUE_ROLES = (Role.cabang.value, Role.wilayah.value)


@dataclass
class QueueRow:
    member: Member
    village_name: str
    registered_by: str
    waited: dt.timedelta
    # Someone of the village has the same name and birth date: decided on its page, never in one tap.
    possible_duplicate: bool = False


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    village_code: str | None


def queue(
    session: Session, actor: Actor, village_code: str | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> QueuePage:
    """Submitted registrations in the actor's area, oldest first (`wilayah` reads it, only
    `cabang` decides)."""
    require_role(actor, *QUEUE_ROLES)
    conditions = [col(Member.status) == MemberStatus.submitted.value, village_clause(actor, Member.village_code)]
    if village_code:
        conditions.append(col(Member.village_code) == village_code)
    total = session.exec(select(func.count()).select_from(Member).where(*conditions)).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(Member, Village.name, User.username, has_possible_duplicate())
        .join(Village, col(Village.code) == Member.village_code)
        .join(User, col(User.id) == Member.registered_by_id)
        .where(*conditions)
        .order_by(col(Member.submitted_at), col(Member.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    now = utcnow()
    return QueuePage(
        rows=[
            QueueRow(
                member,
                village_name,
                username,
                now - _aware(member.submitted_at or member.created_at),
                bool(duplicate),
            )
            for member, village_name, username, duplicate in rows
        ],
        total=total,
        page=page,
        pages=pages,
        village_code=village_code,
    )


def queue_villages(session: Session, actor: Actor) -> list[tuple[str, str, int]]:
    """Villages with registrations waiting, for the queue's filter: (code, name, count)."""
    require_role(actor, *QUEUE_ROLES)
    return [
        (code, name, count)
        for code, name, count in session.exec(
            select(Village.code, Village.name, func.count(col(Member.id)))
            .join(Member, col(Member.village_code) == Village.code)
            .where(Member.status == MemberStatus.submitted.value, village_clause(actor, Member.village_code))
            .group_by(Village.code, Village.name)
            .order_by(Village.name)
        ).all()
    ]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass
class Decision:
    """Everything the officer needs on one screen to decide a registration."""

    member: Member
    nik: str  # whole or masked, as the actor may see it
    village: Village
    district: District
    regency: Regency
    registered_by: User
    age: int
    waited: dt.timedelta
    duplicates: list[tuple[Member, str]]
    payments_count: int
    payments_total: int
    may_decide: bool


def decision(session: Session, actor: Actor, member_id: int) -> Decision:
    member = load_visible(session, actor, member_id)
    require_role(actor, *QUEUE_ROLES)
    village = session.get(Village, member.village_code)
    assert village is not None  # foreign key
    district = session.get(District, village.district_code)
    regency = session.get(Regency, village.regency_code)
    registered_by = session.get(User, member.registered_by_id)
    assert district is not None and regency is not None and registered_by is not None  # foreign keys
    count, total = session.exec(
        select(func.count(col(Payment.id)), func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.member_id == member.id, Payment.status == PaymentStatus.valid.value
        )
    ).one()
    return Decision(
        member=member,
        nik=shown_nik(session, actor, member),
        village=village,
        district=district,
        regency=regency,
        registered_by=registered_by,
        age=age_on(member.birth_date, today()),
        waited=utcnow() - _aware(member.submitted_at or member.created_at),
        duplicates=[(other, other.status) for other in possible_duplicates(session, member)],
        payments_count=count,
        payments_total=int(total),
        may_decide=actor.role == Role.cabang.value and member.status == MemberStatus.submitted.value,
    )
