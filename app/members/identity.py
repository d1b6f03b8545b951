"""Changing an approved member's identity (NIK, name, sex, birth date): the `duta` asks with a reason,
the branch officer of the member's branch approves (the change is applied, checked as at registration)
or rejects with a reason. Requests are kept whatever the decision, and every step is audited."""

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit
from app.core.clock import today, utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.templating import mask_nik
from app.members import requests, service, validation
from app.members.models import IdentityRequest, Member, MemberStatus, RequestStatus
from app.members.requests import mark_decided, reason_text
from app.members.rules import IDENTITY_FIELDS
from app.rates import service as rates


def _identity(session: Session, member: Member, asked: dict[str, Any]) -> dict[str, Any]:
    """The member's identity with the values asked for, checked as a registration checks them (a valid
    NIK agreeing with the sex and birth date, a name); Invalid with a message beside each wrong field.
    The other fields are the member's own and are not judged here."""
    raw: dict[str, Any] = {name: getattr(member, name) for name in service.FIELDS}
    raw.update(asked, consent=True)
    day = today()
    values, problems = validation.clean_registration(
        raw, today=day, minimum_income=rates.minimum_income(session, day), complete=True
    )
    errors = {name: message for name, message in problems.items() if name in IDENTITY_FIELDS}
    if errors:
        raise Invalid(errors)
    return {name: values[name] for name in IDENTITY_FIELDS}


def _asked(request: IdentityRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in IDENTITY_FIELDS if getattr(request, name) is not None}


def _audit_pairs(member: Member, new: dict[str, Any]) -> dict[str, list]:
    """Each changed field's [before, after], the NIK masked (the log is read more widely)."""

    def shown(name: str, value: Any) -> Any:
        return mask_nik(value) if name == "nik" else value.isoformat() if isinstance(value, dt.date) else value

    return {name: [shown(name, getattr(member, name)), shown(name, value)] for name, value in new.items()}


def pending_for(session: Session, member_id: int) -> IdentityRequest | None:
    return session.exec(
        select(IdentityRequest).where(
            IdentityRequest.member_id == member_id, IdentityRequest.status == RequestStatus.pending.value
        )
    ).first()


def request_change(session: Session, actor: Actor, member_id: int, data: dict) -> IdentityRequest:
    """The `duta` asks to change an approved member's identity; only the values that differ are kept."""
    member = service.get_member(session, actor, member_id, for_update=True)  # one request at a time
    require_role(actor, Role.duta.value)
    if member.status != MemberStatus.approved.value:
        raise Conflict(_("Only an approved member's identity is changed by request; correct the registration."))
    sent = {name: data[name] for name in IDENTITY_FIELDS if data.get(name) not in (None, "")}
    errors: dict[str, str] = {}
    checked: dict[str, Any] = {}
    try:
        checked = _identity(session, member, sent)
    except Invalid as refused:
        errors.update(refused.errors)
    new = {name: value for name, value in checked.items() if name in sent and value != getattr(member, name)}
    if checked and not new:
        errors["nik"] = _("Enter at least one new value: the NIK, name, sex or birth date.")
    reason, problem = reason_text(data.get("reason"), _("Say why the identity must change (at least 5 characters)."))
    if problem:
        errors["reason"] = problem
    if errors:
        raise Invalid(errors)
    if "nik" in new:
        service.refuse_taken_nik(session, new["nik"], member_id)
    if pending_for(session, member_id) is not None:
        raise Conflict(_("A change of this member's identity is already waiting for the branch officer."))
    request = IdentityRequest(member_id=member_id, reason=reason, requested_by_id=actor.id, **new)
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor,
        "identity_change_requested",
        "member",
        member_id,
        changes=_audit_pairs(member, new),
        reason=reason,
    )
    session.commit()
    return request


def _decide(session: Session, actor: Actor, request_id: int) -> tuple[IdentityRequest, Member]:
    """The request and its member (locked), for the branch officer of the member's branch; 404 outside
    the actor's area, 409 once decided."""
    request = session.get(IdentityRequest, request_id)
    if request is None:
        raise NotFound(_("Request not found."))
    member = service.get_member(session, actor, request.member_id, for_update=True)
    require_role(actor, Role.cabang.value)
    session.refresh(request)  # as it stands now that the member is locked
    if request.status != RequestStatus.pending.value:
        raise Conflict(_("This request was already decided."))
    return request, member


def approve(session: Session, actor: Actor, request_id: int) -> IdentityRequest:
    """Apply the change, checked again (the NIK valid, agreeing, unique): the member may have changed
    since it was asked."""
    request, member = _decide(session, actor, request_id)
    try:
        checked = _identity(session, member, _asked(request))
    except Invalid as refused:
        raise Conflict(
            _("The request can no longer be applied: %(problems)s", problems="; ".join(refused.errors.values()))
        ) from None
    new = {name: value for name, value in checked.items() if value != getattr(member, name)}
    if "nik" in new:
        service.refuse_taken_nik(session, new["nik"], request.member_id)
    changes = _audit_pairs(member, new)
    for name, value in new.items():
        setattr(member, name, value)
    member.updated_at = utcnow()
    mark_decided(request, actor, RequestStatus.approved)
    session.add_all([member, request])
    try:
        session.flush()
    except IntegrityError:
        # Another member took the NIK meanwhile (PostgreSQL; SQLite's writers take turns).
        session.rollback()
        if "nik" in new:
            service.refuse_taken_nik(session, new["nik"], request.member_id)
        raise
    audit.record(session, actor, "identity_change_approved", "member", member.id, changes=changes)
    session.commit()
    return request


def reject(session: Session, actor: Actor, request_id: int, reason: Any) -> IdentityRequest:
    request, _member = _decide(session, actor, request_id)
    too_short = _("Say why the request is rejected (at least 5 characters).")
    requests.reject(session, actor, request, reason, too_short, "identity_change_rejected")
    return request


def pending_requests(session: Session, actor: Actor, limit: int = 100) -> list[tuple[IdentityRequest, Member]]:
    """For the branch officer: pending requests of its branch's members, oldest first."""
    require_role(actor, Role.cabang.value)
    rows = session.exec(
        select(IdentityRequest, Member)
        .join(Member, col(Member.id) == IdentityRequest.member_id)
        .where(IdentityRequest.status == RequestStatus.pending.value, village_clause(actor, Member.village_code))
        .order_by(col(IdentityRequest.requested_at), col(IdentityRequest.id))
        .limit(limit)
    ).all()
    return [(request, member) for request, member in rows]
