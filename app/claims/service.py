"""Claims help: the `duta` (or the branch officer) reports an incident for a member with its day; the
app says whether the member was covered that day (the dues rule: a valid payment covers its month),
what documents to gather and what the member or the heir may expect. The branch officer then follows
the claim step by step (app/claims/rules.py `NEXT_STEPS`) to its payment, with the amount, or its
refusal, with the reason. Reporting a death records it (the cover ends, app/dues/death.py). Every step
is audited; one open claim per member and kind."""

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role, village_clause
from app.claims.models import Claim, ClaimKind, ClaimStatus
from app.claims.rules import MAX_AMOUNT, NEXT_STEPS, OPEN
from app.core import audit
from app.core.clock import month_start, today, utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.money import parse_rupiah
from app.core.templating import format_day
from app.dues import death
from app.dues import service as dues
from app.members import service as members
from app.members import validation
from app.members.models import Member, MemberStatus
from app.members.requests import reason_text

REPORTING_ROLES = (Role.duta.value, Role.cabang.value)
# The oldest incident reported: BPJS takes claims within a few years; older ones are typing mistakes.
MAX_AGE_DAYS = 5 * 366


def _incident_day(raw: Any, member: Member) -> dt.date:
    """The day of the incident: a date, not in the future, not before the member registered."""
    try:
        day = validation.parse_date(raw)
    except validation.FieldError as error:
        raise Invalid({"incident_on": error.message}) from None
    if day is None:
        raise Invalid({"incident_on": _("Enter the day of the incident.")})
    if day > today():
        raise Invalid({"incident_on": _("The day cannot be in the future.")})
    if day < today() - dt.timedelta(days=MAX_AGE_DAYS) or day < member.birth_date:
        raise Invalid({"incident_on": _("The day is too long ago.")})
    return day


def _claim_day(member: Member, kind: ClaimKind | None, raw: Any) -> dt.date:
    """The incident's day: for a death, the recorded day (the default) or a new day of death."""
    if kind is ClaimKind.meninggal and member.died_on is not None:
        day = member.died_on if raw in (None, "") else _incident_day(raw, member)
        if day != member.died_on:
            raise Invalid({"incident_on": _("The death was recorded on %(day)s.", day=format_day(member.died_on))})
        return day
    if kind is ClaimKind.meninggal:
        return death.death_day(member, raw, field="incident_on")
    day = _incident_day(raw, member)
    if member.died_on is not None and day > member.died_on:
        raise Invalid({"incident_on": _("The day cannot be after the member's death.")})
    return day


def report(session: Session, actor: Actor, member_id: int, kind: Any, incident_on: Any) -> Claim:
    member = members.get_member(session, actor, member_id, for_update=True)  # one report at a time
    require_role(actor, *REPORTING_ROLES)
    if member.status != MemberStatus.approved.value:
        raise Conflict(_("Claims are reported for approved members only."))
    errors: dict[str, str] = {}
    claim_kind = ClaimKind[str(kind)] if kind in ClaimKind.codes() else None
    if claim_kind is None:
        errors["kind"] = _("Choose the kind of claim.")
    day: dt.date | None = None
    try:
        day = _claim_day(member, claim_kind, incident_on)
    except Invalid as error:
        errors.update(error.errors)
    if errors or claim_kind is None or day is None:
        raise Invalid(errors)
    if open_claim(session, member.id or 0, claim_kind) is not None:
        raise Conflict(_("A claim of this kind is already being followed for this member."))
    covered = (member.id or 0) in dues.covered_in(session, [member.id or 0], month_start(day))
    if claim_kind is ClaimKind.meninggal and member.died_on is None:
        death.end_cover(session, actor, member, day)
    claim = Claim(
        member_id=member.id or 0, kind=claim_kind.value, incident_on=day, covered=covered, reported_by_id=actor.id
    )
    session.add(claim)
    session.flush()
    audit.record(
        session, actor, "claim_reported", "claim", claim.id, kind=claim.kind, date=day.isoformat(), covered=covered
    )
    session.commit()
    return claim


def open_claim(session: Session, member_id: int, kind: ClaimKind) -> Claim | None:
    return session.exec(
        select(Claim).where(
            Claim.member_id == member_id, Claim.kind == kind.value, col(Claim.status).in_([s.value for s in OPEN])
        )
    ).first()


def get_claim(session: Session, actor: Actor, claim_id: int, for_update: bool = False) -> tuple[Claim, Member]:
    """The claim and its member, or 404 when the member lies outside the actor's area."""
    query = (
        select(Claim, Member)
        .join(Member, col(Member.id) == Claim.member_id)
        .where(Claim.id == claim_id, village_clause(actor, Member.village_code))
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.exec(query).first()
    if row is None:
        raise NotFound(_("Claim not found."))
    return row[0], row[1]


def change_status(
    session: Session, actor: Actor, claim_id: int, status: Any, amount: Any = None, reason: Any = None
) -> Claim:
    """The branch officer moves a claim one step on: paid with its amount, refused with its reason."""
    claim, _member = get_claim(session, actor, claim_id, for_update=True)
    require_role(actor, Role.cabang.value)
    current = ClaimStatus[claim.status]
    if not NEXT_STEPS[current]:
        raise Conflict(_("This claim is closed: %(status)s.", status=current.label))
    wanted = ClaimStatus[str(status)] if status in ClaimStatus.codes() else None
    if wanted is None or wanted not in NEXT_STEPS[current]:
        steps = ", ".join(step.label for step in NEXT_STEPS[current])
        raise Invalid({"status": _("Choose the next step: %(steps)s.", steps=steps)})
    errors: dict[str, str] = {}
    paid: int | None = None
    text = ""
    if wanted is ClaimStatus.dibayar:
        paid = parse_rupiah(amount) if amount not in (None, "") else None
        if paid is None or not 1 <= paid <= MAX_AMOUNT:
            errors["amount"] = _("Enter the amount paid, in whole rupiah.")
    if wanted is ClaimStatus.ditolak:
        text, problem = reason_text(reason, _("Give the reason, in at least 5 characters."))
        if problem:
            errors["reason"] = problem
    if errors:
        raise Invalid(errors)
    claim.status = wanted.value
    claim.amount = paid
    claim.reason = text or None
    claim.updated_by_id = actor.id
    claim.updated_at = utcnow()
    session.add(claim)
    detail: dict[str, Any] = {"from": current.value, "to": wanted.value}
    if paid is not None:
        detail["amount"] = paid
    if text:
        detail["reason"] = text
    audit.record(session, actor, "claim_status", "claim", claim.id, **detail)
    session.commit()
    return claim


def member_claims(session: Session, member_id: int) -> list[Claim]:
    return list(session.exec(select(Claim).where(Claim.member_id == member_id).order_by(col(Claim.id).desc())).all())


def claims_list(session: Session, actor: Actor, open_only: bool = True, limit: int = 100) -> list[tuple[Claim, Member]]:
    """The claims of the actor's area, open ones first by age (the branch officer's work list)."""
    query = (
        select(Claim, Member)
        .join(Member, col(Member.id) == Claim.member_id)
        .where(village_clause(actor, Member.village_code))
    )
    if open_only:
        query = query.where(col(Claim.status).in_([s.value for s in OPEN]))
    return [(c, m) for c, m in session.exec(query.order_by(col(Claim.id)).limit(limit)).all()]


def counts(session: Session, member_clause) -> dict[str, int]:
    """Claims helped (all reported), open, paid and the amount paid, of the members `member_clause`
    selects (the dashboards' area)."""
    paid = col(Claim.status) == ClaimStatus.dibayar.value
    row = session.exec(
        select(
            func.count(),
            func.count().filter(col(Claim.status).in_([s.value for s in OPEN])),
            func.count().filter(paid),
            func.coalesce(func.sum(Claim.amount).filter(paid), 0),
        )
        .select_from(Claim)
        .join(Member, col(Member.id) == Claim.member_id)
        .where(member_clause)
    ).one()
    helped, still_open, paid_count, amount_paid = row
    return {"helped": helped, "open": still_open, "paid": paid_count, "amount_paid": int(amount_paid or 0)}
