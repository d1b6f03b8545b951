"""Member registration and queries, shared by the HTML pages and the JSON API."""

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, get_in_scope, get_village, require_role, village_clause
from app.core import audit, idempotency
from app.core.clock import today, utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.templating import mask_nik
from app.events.models import Event
from app.members import validation
from app.members.cover import CoverStatus, cover_clause
from app.members.models import Member, MemberStatus
from app.members.payment_code import member_number_of
from app.members.rules import (
    APPROVED_EDITABLE,
    fixed_field_errors,
    possible_duplicate_niks,
    refuse_unconfirmed_duplicate,
)
from app.rates import service as rates
from app.rates.service import Contribution
from app.regions import service as regions_service
from app.regions.models import Regency, Village


def status_counts(session: Session, actor: Actor, day: dt.date | None = None, village_code: str | None = None) -> dict:
    """Registrations by status and approved members by cover status, in one query within scope."""
    day = day or today()
    approved = col(Member.status) == MemberStatus.approved.value
    query = select(
        *(func.count().filter(col(Member.status) == status.value) for status in MemberStatus),
        *(
            func.count().filter(approved, cover_clause(Member.covered_until, status.value, day))
            for status in CoverStatus
        ),
    ).where(village_clause(actor, Member.village_code))
    if village_code:
        query = query.where(Member.village_code == village_code)
    # select() of columns given with * is typed as if it selected one; the row has one count per key.
    row = cast(tuple[int, ...], session.exec(query).one())
    keys = [status.value for status in MemberStatus] + [status.value for status in CoverStatus]
    return dict(zip(keys, row, strict=False))


# ---------------------------------------------------------------- registration

PAGE_SIZE = 20
CREATE_ACTION = "member_create"
# States in which the `duta` may still correct a registration, and send it for approval.
SUBMITTABLE_STATES = (MemberStatus.draft.value, MemberStatus.rejected.value)
# An approved member's details are kept up to date too, but only those of `rules.APPROVED_EDITABLE`.
EDITABLE_STATES = (*SUBMITTABLE_STATES, MemberStatus.approved.value)
# The fields a registration form or API call may set, in the order they are audited.
FIELDS = (
    "nik",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "rt",
    "rw",
    "village_code",
    "occupation",
    "monthly_income",
    "jht",
    "heir_name",
    "heir_relation",
    "event_id",
)


class NikTaken(Conflict):
    """A second registration of a NIK: names the village of the first, nothing personal."""

    field = "nik"


@dataclass
class Registration:
    member: Member
    warnings: list[str] = field(default_factory=list)
    # True when an idempotency key found the result of an earlier, identical request.
    replayed: bool = False
    # Read inside the registration's transaction, for the answer (after the commit a read would
    # open another transaction, on SQLite a write one).
    village_name: str | None = None


def registrable_villages(session: Session, actor: Actor) -> list[Village]:
    """The villages this actor may register members into (a `duta`'s own)."""
    if actor.role != Role.duta.value or not actor.village_codes:
        return []
    return list(
        session.exec(select(Village).where(col(Village.code).in_(actor.village_codes)).order_by(Village.name)).all()
    )


def contribution_for(session: Session, member: Member, day: dt.date | None = None) -> Contribution:
    return rates.monthly_contribution(
        session, member.monthly_income or 0, member.jht, member.occupation, day or today()
    )


def duplicate_warnings(session: Session, member: Member) -> list[str]:
    """Possible duplicates (`rules.possible_duplicate_niks`), as warnings that name nothing but the NIK."""
    return [
        _(
            "Possible duplicate: %(name)s, born %(date)s, is already registered in this village with NIK %(nik)s.",
            name=member.full_name,
            date=member.birth_date.strftime("%d/%m/%Y"),
            nik=mask_nik(nik),
        )
        for nik in possible_duplicate_niks(session, member)
    ]


def get_member(session: Session, actor: Actor, member_id: int, for_update: bool = False) -> Member:
    """The scoped loader: a member outside the actor's villages does not exist for it (404)."""
    member = get_in_scope(session, actor, Member, member_id, for_update=for_update)
    if member is None:
        raise NotFound(_("Member not found."))
    return member


def search_clause(text: str) -> ColumnElement[bool]:
    """What a search finds: four digits are the NIK's last four (what a member reads out from the KTP);
    other digits a NIK or member number (whole or its start), a payment code (its check digit right) or
    a mobile number in any usual form (normalised as registration stores it); anything else a part of
    the name (any case)."""
    digits = validation.clean_nik(text)
    if len(digits) == 4 and digits.isdigit():
        return col(Member.nik).endswith(digits, autoescape=True)
    found: list[ColumnElement[bool]] = []
    if digits.isdigit():
        found += [
            col(Member.nik).startswith(digits, autoescape=True),
            col(Member.member_number).startswith(digits, autoescape=True),
        ]
        number = member_number_of(digits)
        if number:
            found.append(col(Member.member_number) == number)
    with contextlib.suppress(validation.FieldError):  # not a mobile number
        found.append(col(Member.phone) == validation.normalise_phone(text))
    if not found:
        found.append(func.lower(Member.full_name).contains(" ".join(text.lower().split()), autoescape=True))
    return or_(*found)


def list_members(
    session: Session,
    actor: Actor,
    village_code: str | None = None,
    status: str | None = None,
    cover_status: str | None = None,
    q: str | None = None,
    page: int = 1,
    day: dt.date | None = None,
) -> tuple[list[Member], int]:
    """Members in scope, newest first, one page of PAGE_SIZE, and the total matching.

    `cover_status` counts approved members only, as the dashboards do; `q` as `search_clause` reads it.
    """
    errors = {}
    if status and status not in {s.value for s in MemberStatus}:
        errors["status"] = _("Unknown status.")
    if cover_status and cover_status not in {s.value for s in CoverStatus}:
        errors["cover_status"] = _("Unknown cover status.")
    if errors:
        raise Invalid(errors)
    conditions = [village_clause(actor, Member.village_code)]
    if village_code:
        get_village(session, actor, village_code)
        conditions.append(col(Member.village_code) == village_code)
    if status:
        conditions.append(col(Member.status) == status)
    if cover_status:
        conditions.append(col(Member.status) == MemberStatus.approved.value)
        conditions.append(cover_clause(Member.covered_until, cover_status, day or today()))
    text = (q or "").strip()
    if text:
        conditions.append(search_clause(text))
    total = session.exec(select(func.count()).select_from(Member).where(*conditions)).one()
    page = max(1, int(page or 1))
    items = session.exec(
        select(Member)
        .where(*conditions)
        .order_by(col(Member.created_at).desc(), col(Member.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return list(items), total


# A partner's client (`mitra`) registers workers of its partner's regencies, as a duta those of its villages.
REGISTERING_ROLES = (Role.duta.value, Role.mitra.value)


def _resolve_village(session: Session, actor: Actor, code: Any) -> str:
    """The code of the village to register into. Scope first (404 outside one's area), then the role
    (403: only a `duta` or a partner's client registers). A `duta`'s own villages are known without a query."""
    code = str(code or "").strip()
    if not code and actor.role == Role.duta.value and len(actor.village_codes) == 1:
        code = actor.village_codes[0]
    if code and code not in actor.village_codes:
        # 404 outside the actor's area: a `duta`'s own villages, a partner client's regencies.
        get_village(session, actor, code)
    require_role(actor, *REGISTERING_ROLES)
    if not code:
        raise Invalid({"village_code": _("Choose the village.")})
    return code


def _nik_owner(session: Session, nik: str, exclude_id: int | None = None) -> str | None:
    """The village name of an earlier registration of this NIK, anywhere in the system."""
    query = select(Village.name).join(Member, col(Member.village_code) == Village.code).where(Member.nik == nik)
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    return session.exec(query.limit(1)).first()


# NIKs asked about in one IN list: well below every database's limit of bound parameters.
NIK_CHUNK = 500


def registered_niks(session: Session, niks: list[str]) -> dict[str, tuple[str, str]]:
    """Which of these NIKs are registered already, anywhere: the village code and name of each, one query
    per NIK_CHUNK (an import asks about thousands at once)."""
    found: dict[str, tuple[str, str]] = {}
    unique = sorted(set(niks))
    for start in range(0, len(unique), NIK_CHUNK):
        rows = session.exec(
            select(Member.nik, Member.village_code, Village.name)
            .join(Village, col(Member.village_code) == Village.code)
            .where(col(Member.nik).in_(unique[start : start + NIK_CHUNK]))
        ).all()
        found.update({nik: (code, name) for nik, code, name in rows})
    return found


def nik_taken(village_name: str) -> NikTaken:
    return NikTaken(_("This NIK is already registered, in the village of %(village)s.", village=village_name))


def _check_event(session: Session, event_id: int | None, village_code: str) -> str | None:
    """An event the member came from: one in this village, or one of its branch or of the region."""
    if event_id is None:
        return None
    event = session.get(Event, event_id)
    if event is None:
        return _("Unknown event.")
    if event.village_code is not None:
        return None if event.village_code == village_code else _("This event was not held in this village.")
    if event.branch_code is not None:
        branch = session.exec(
            select(Regency.branch_code)
            .join(Village, col(Village.regency_code) == Regency.code)
            .where(Village.code == village_code)
        ).first()
        if branch != event.branch_code:
            return _("This event was not held in this village.")
    return None


def registration_problems(
    session: Session, raw: Mapping[str, Any], village_code: str, complete: bool, minimum_income: int | None = None
) -> tuple[dict, dict[str, str]]:
    """The cleaned values and a message for each wrong field: every check of a registration but the
    NIK's uniqueness (the caller's). `minimum_income`: the rate's, when the caller read it once for many."""
    day = today()
    if minimum_income is None:
        minimum_income = rates.minimum_income(session, day)
    values, errors = validation.clean_registration(raw, today=day, minimum_income=minimum_income, complete=complete)
    if "event_id" not in errors:
        message = _check_event(session, values["event_id"], village_code)
        if message:
            errors["event_id"] = message
    return values, errors


def _validate(session: Session, raw: dict, village_code: str, complete: bool) -> dict:
    """The cleaned values, or Invalid with a message for each wrong field. The NIK's uniqueness is
    checked by the caller."""
    values, errors = registration_problems(session, raw, village_code, complete)
    if errors:
        raise Invalid(errors)
    return values


def refuse_taken_nik(session: Session, nik: str, exclude_id: int) -> None:
    owner = _nik_owner(session, nik, exclude_id)
    if owner is not None:
        raise nik_taken(owner)


def _prior(session: Session, actor: Actor, key: str | None, request: str) -> Registration | None:
    if not key:
        return None
    result_id = idempotency.find(session, actor.id, key, CREATE_ACTION, request)
    if result_id is None:
        return None
    member = session.get(Member, int(result_id))
    if member is None:  # pragma: no cover (members are never deleted)
        return None
    return Registration(member=member, warnings=duplicate_warnings(session, member), replayed=True)


def _apply(member: Member, values: dict) -> None:
    for name in FIELDS:
        if name in values and name != "village_code":
            setattr(member, name, values[name])


def new_registration(actor: Actor, values: dict, village_code: str, *, submit: bool, now: dt.datetime) -> Member:
    """A registration of checked `values` (`registration_problems`), a draft or submitted, not yet added
    to the session: what the form, the API and an import create alike."""
    return Member(
        **{k: v for k, v in values.items() if k in FIELDS and k != "village_code"},
        village_code=village_code,
        registered_by_id=actor.id,
        consent_at=now,
        created_at=now,
        updated_at=now,
        status=MemberStatus.submitted.value if submit else MemberStatus.draft.value,
        submitted_at=now if submit else None,
    )


def record_created(session: Session, actor: Actor, member: Member) -> None:
    """The audit entry of a registration (flushed: it has its id)."""
    audit.record(
        session,
        actor,
        "member_created",
        "member",
        member.id,
        village=member.village_code,
        status=member.status,
        nik=mask_nik(member.nik),
    )


def create(
    session: Session, actor: Actor, data: dict, *, submit: bool = True, idempotency_key: str | None = None
) -> Registration:
    """Register a member as a draft or submitted; a repeated idempotency key returns the first result."""
    key = idempotency.clean_key(idempotency_key)
    village_code = _resolve_village(session, actor, data.get("village_code"))
    values = _validate(session, data, village_code, complete=submit)
    # The cleaned values: the same registration typed with other spacing or an 08… phone is the same request.
    request = idempotency.fingerprint(CREATE_ACTION, {"values": values, "village_code": village_code, "submit": submit})
    prior = _prior(session, actor, key, request)
    if prior is not None:
        return prior
    owner = _nik_owner(session, values["nik"])
    if owner is not None:
        raise nik_taken(owner)
    member = new_registration(actor, values, village_code, submit=submit, now=utcnow())
    if submit:
        refuse_unconfirmed_duplicate(session, member, validation.as_bool(data.get("confirm_not_duplicate")))
    session.add(member)
    try:
        session.flush()
    except IntegrityError:
        # A concurrent registration of the same NIK committed first (PostgreSQL; SQLite's writers
        # take turns): the same request repeated finds its first result, another one gets the 409.
        session.rollback()
        prior = _prior(session, actor, key, request)
        if prior is not None:
            return prior
        owner = _nik_owner(session, values["nik"])
        if owner is not None:
            raise nik_taken(owner) from None
        raise
    if key and not idempotency.claim(session, actor.id, key, CREATE_ACTION, request, member.id):
        session.rollback()
        prior = _prior(session, actor, key, request)
        if prior is not None:
            return prior
        raise Conflict(_("This request key was already used for another action."))  # pragma: no cover
    record_created(session, actor, member)
    warnings = duplicate_warnings(session, member)
    village_name = regions_service.village_name(session, village_code)
    session.commit()
    return Registration(member=member, warnings=warnings, village_name=village_name)


def _as_raw(member: Member) -> dict:
    raw = {name: getattr(member, name) for name in FIELDS}
    raw["consent"] = member.consent_at is not None
    return raw


def _audit_value(name: str, value: Any) -> Any:
    if name == "nik" and isinstance(value, str):
        return mask_nik(value)
    return value


def update(session: Session, actor: Actor, member_id: int, changes: dict, *, submit: bool = False) -> Registration:
    """Correct a draft or a rejected registration (and, with `submit`, send it in the same step), or
    update an approved member's details (`update_approved`)."""
    member = get_member(session, actor, member_id, for_update=True)
    require_role(actor, Role.duta.value)
    if member.status == MemberStatus.approved.value and not submit:
        return update_approved(session, actor, member, changes)
    if member.status not in SUBMITTABLE_STATES:
        raise Conflict(_("Only drafts and rejected registrations can be corrected."))
    raw = _as_raw(member)
    raw.update({name: value for name, value in changes.items() if name in (*FIELDS, "consent")})
    village_code = member.village_code
    if str(raw.get("village_code") or "") != member.village_code:
        village_code = _resolve_village(session, actor, raw.get("village_code"))
    complete = submit or member.status != MemberStatus.draft.value
    values = _validate(session, raw, village_code, complete=complete)
    refuse_taken_nik(session, values["nik"], member_id)
    values["village_code"] = village_code
    changed = {
        name: [_audit_value(name, getattr(member, name)), _audit_value(name, values[name])]
        for name in FIELDS
        if name in values and getattr(member, name) != values[name]
    }
    _apply(member, values)
    member.village_code = village_code
    now = utcnow()
    member.updated_at = now
    if member.consent_at is None:
        member.consent_at = now
    if changed:
        audit.record(session, actor, "member_updated", "member", member.id, changes=changed)
    if submit:
        _mark_submitted(session, actor, member, now)
    session.add(member)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        owner = _nik_owner(session, values["nik"], member_id)
        if owner is not None:
            raise nik_taken(owner) from None
        raise
    warnings = duplicate_warnings(session, member)
    session.commit()
    return Registration(member=member, warnings=warnings)


def update_approved(session: Session, actor: Actor, member: Member, changes: dict) -> Registration:
    """An approved member's contact, heir, occupation, income and JHT, checked as at registration; any
    other field sent with a new value is refused beside it (the identity: by a change request). The
    member row is locked by the caller."""
    sent = [name for name in APPROVED_EDITABLE if name in changes]
    errors = fixed_field_errors(
        member, {name: value for name, value in changes.items() if name in (*FIELDS, "consent")}
    )
    raw = _as_raw(member)
    raw.update({name: changes[name] for name in sent})
    day = today()
    values, problems = validation.clean_registration(
        raw, today=day, minimum_income=rates.minimum_income(session, day), complete=True
    )
    # Only what changes is judged: a stored value the rules have since outgrown (a minimum income
    # raised) does not block a new phone number sent with it.
    errors.update({name: problems[name] for name in sent if name in problems and values[name] != getattr(member, name)})
    if errors:
        raise Invalid(errors)
    changed = {name: [getattr(member, name), values[name]] for name in sent if getattr(member, name) != values[name]}
    if changed:
        for name in changed:
            setattr(member, name, values[name])
        member.updated_at = utcnow()
        audit.record(session, actor, "member_updated", "member", member.id, changes=changed)
        session.add(member)
    session.commit()
    return Registration(member=member)


def _mark_submitted(session: Session, actor: Actor, member: Member, now: dt.datetime) -> None:
    previous = member.status
    member.status = MemberStatus.submitted.value
    member.submitted_at = now
    member.updated_at = now
    audit.record(session, actor, "member_submitted", "member", member.id, previous=previous)


def submit(session: Session, actor: Actor, member_id: int) -> Member:
    """Send a draft (or a corrected rejection) for approval; everything must be complete by now."""
    member = get_member(session, actor, member_id, for_update=True)
    require_role(actor, Role.duta.value)
    if member.status not in SUBMITTABLE_STATES:
        raise Conflict(_("Only drafts and rejected registrations can be submitted."))
    values = _validate(session, _as_raw(member), member.village_code, complete=True)
    refuse_taken_nik(session, values["nik"], member_id)
    _mark_submitted(session, actor, member, utcnow())
    session.add(member)
    session.commit()
    return member


def rejected_registrations(session: Session, actor: Actor, limit: int = 20) -> list[Member]:
    """For the `duta` home page: rejected registrations of its villages to correct, newest first."""
    if actor.role != Role.duta.value:
        return []
    return list(
        session.exec(
            select(Member)
            .where(Member.status == MemberStatus.rejected.value, village_clause(actor, Member.village_code))
            .order_by(col(Member.decided_at).desc(), col(Member.id).desc())
            .limit(limit)
        ).all()
    )
