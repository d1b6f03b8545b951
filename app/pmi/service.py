"""PMI protection: the `duta` or the branch officer registers a prospective migrant worker with the
one payment of the package in force on the payment day (app/pmi/rules.py); the receipt is numbered
from its year's sequence and the cover runs from the payment day for the package's months, before
placement until departure, during and after from departure. The serving branch is the setting
PMI_BRANCH (when that branch exists), else the branch of the worker's regency. Audited; an
Idempotency-Key answers a repeated request with the first registration."""

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, branch_clause, get_village, require_role, village_clause
from app.core import audit, idempotency
from app.core.clock import today
from app.core.config import get_settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.sequences import next_value
from app.core.templating import format_day
from app.dues.models import Channel
from app.members import validation
from app.members.models import Sex
from app.pmi import rules
from app.pmi.models import Destination, PmiRegistration
from app.regions.models import Branch, Regency

REGISTERING_ROLES = (Role.duta.value, Role.cabang.value)
ACTION = "pmi_registered"
# The potential the region sees each year (the interview): about 12.000 workers leave.
YEARLY_POTENTIAL = 12_000
# The first key of the transaction lock taken on a NIK being registered (the second: its last 9 digits).
NIK_LOCK_SPACE = 2024
# The planned departure: from today to a year ahead.
MAX_DAYS_AHEAD = 366
# An Indonesian passport: one letter and 7 digits; other forms up to 9 letters and digits.
_PASSPORT = re.compile(r"^[A-Z0-9]{6,9}$")
MAX_AGENCY = 120


def pmi_clause(actor: Actor):
    """The worker's village in the actor's area, or the actor's branch serving the worker."""
    return or_(village_clause(actor, PmiRegistration.village_code), branch_clause(actor, PmiRegistration.branch_code))


def _inputs(
    nik: Any,
    full_name: Any,
    sex: Any,
    birth_date: Any,
    phone: Any,
    village_code: Any,
    passport_number: Any,
    destination: Any,
    agency: Any,
    departure_on: Any,
    channel: Any,
    contract_months: Any = rules.DEFAULT_CONTRACT_MONTHS,
) -> dict[str, Any]:
    return {
        "nik": validation.clean_nik(nik),
        "full_name": validation.text_value(full_name),
        "sex": str(sex or "").strip().upper(),
        "birth_date": str(birth_date or "").strip(),
        "phone": str(phone or "").strip(),
        "village_code": str(village_code or "").strip(),
        "passport_number": re.sub(r"\s", "", str(passport_number or "")).upper(),
        "destination": str(destination or "").strip().upper(),
        "agency": validation.text_value(agency),
        "departure_on": str(departure_on or "").strip(),
        "channel": str(channel or "").strip(),
        "contract_months": str(contract_months if contract_months is not None else "").strip(),
    }


def _check(session: Session, actor: Actor, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed values as stored, and a message per refused field."""
    errors: dict[str, str] = {}
    day = today()
    clean: dict[str, Any] = {}
    nik = None
    try:
        nik = validation.check_nik(given["nik"], day)
        clean["nik"] = nik.nik
    except validation.FieldError as error:
        errors["nik"] = error.message
    name = given["full_name"]
    if not 3 <= len(name) <= validation.TEXT_LIMITS["full_name"]:
        errors["full_name"] = _("Enter the full name, 3 to %(n)s characters.", n=validation.TEXT_LIMITS["full_name"])
    clean["full_name"] = name
    if given["sex"] not in Sex.codes():
        errors["sex"] = _("Choose the sex.")
    clean["sex"] = given["sex"]
    try:
        born = validation.parse_date(given["birth_date"])
        if born is None:
            errors["birth_date"] = _("Enter the birth date.")
        clean["birth_date"] = born
    except validation.FieldError as error:
        errors["birth_date"] = error.message
    if nik is not None and "sex" not in errors and "birth_date" not in errors:
        errors.update(validation.nik_agreement(nik, clean["sex"], clean["birth_date"], day))
    try:
        clean["phone"] = validation.normalise_phone(given["phone"])
    except validation.FieldError as error:
        errors["phone"] = error.message
    passport = given["passport_number"]
    if not passport:
        errors["passport_number"] = _("Enter the passport number.")
    elif not _PASSPORT.match(passport) or not passport.isascii():
        errors["passport_number"] = _("A passport number has 6 to 9 letters and digits, such as C1234567.")
    clean["passport_number"] = passport
    if given["destination"] not in Destination.codes():
        errors["destination"] = _("Choose the destination country.")
    clean["destination"] = given["destination"]
    agency = given["agency"]
    if not 3 <= len(agency) <= MAX_AGENCY:
        errors["agency"] = _("Enter the placement agency (P3MI), 3 to %(n)s characters.", n=MAX_AGENCY)
    clean["agency"] = agency
    try:
        departure = validation.parse_date(given["departure_on"])
        if departure is None:
            errors["departure_on"] = _("Enter the planned departure day.")
        elif not day <= departure <= day + dt.timedelta(days=MAX_DAYS_AHEAD):
            errors["departure_on"] = _("The planned departure is from today to a year ahead.")
        clean["departure_on"] = departure
    except validation.FieldError as error:
        errors["departure_on"] = error.message
    months = given["contract_months"]
    if not months.isdigit() or not rules.MIN_CONTRACT_MONTHS <= int(months) <= rules.MAX_CONTRACT_MONTHS:
        errors["contract_months"] = _(
            "The work contract lasts %(low)s to %(high)s months.",
            low=rules.MIN_CONTRACT_MONTHS,
            high=rules.MAX_CONTRACT_MONTHS,
        )
    else:
        clean["contract_months"] = int(months)
    if given["channel"] not in (Channel.tunai.value, Channel.bank.value):
        errors["channel"] = _("Choose how the package was paid: cash or bank.")
    clean["channel"] = given["channel"]
    if not given["village_code"]:
        errors["village_code"] = _("Choose the village where the worker lives.")
    else:
        try:
            clean["village"] = get_village(session, actor, given["village_code"], field="village_code")
        except NotFound as error:
            errors["village_code"] = error.message
    return clean, errors


def serving_branch(session: Session, regency_code: str) -> str | None:
    """PMI_BRANCH when that branch exists, else the branch of the regency (None when it has none)."""
    configured = get_settings().pmi_branch
    if configured and session.get(Branch, configured) is not None:
        return configured
    regency = session.get(Regency, regency_code)
    return regency.branch_code if regency else None


def register(session: Session, actor: Actor, idempotency_key: str | None = None, **typed: Any) -> PmiRegistration:
    """Register a prospective migrant worker with the package's payment made today (`typed`: the
    fields of `_inputs`)."""
    require_role(actor, *REGISTERING_ROLES)
    key = idempotency.clean_key(idempotency_key)
    given = _inputs(**typed)
    request = idempotency.fingerprint(ACTION, given)
    if key:
        earlier = _replayed(session, actor, key, request)
        if earlier is not None:
            return earlier
    clean, errors = _check(session, actor, given)
    if errors:
        raise Invalid(errors)
    paid_on = today()
    # One package at a time: a worker still covered is not charged again (a second tap, a second duta).
    # Two registrations of one NIK at the same moment wait for each other here (PostgreSQL; a SQLite
    # write transaction holds the database's write lock from its start), so the second sees the first.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(NIK_LOCK_SPACE, int(clean["nik"][-9:]))))
    covered = session.exec(
        select(col(PmiRegistration.cover_until)).where(
            PmiRegistration.nik == clean["nik"], col(PmiRegistration.cover_until) >= paid_on
        )
    ).first()
    if covered is not None:
        raise Conflict(
            _("This NIK is registered as a migrant worker already, covered until %(day)s.", day=format_day(covered)),
            field="nik",
        )
    priced = rules.price_on(paid_on, clean["contract_months"])
    village = clean["village"]
    branch_code = serving_branch(session, village.regency_code)
    if priced is None or branch_code is None:
        raise Conflict(_("No branch or no protection package is set for this worker; ask the branch office."))
    if key and not idempotency.claim(session, actor.id, key, ACTION, request, idempotency.PENDING):
        session.rollback()  # the same key came first: answer with its registration
        earlier = _replayed(session, actor, key, request)
        if earlier is None:
            raise Conflict(_("Please try again."))
        return earlier
    receipt = f"PMI-{paid_on.year}-{next_value(session, f'pmi-receipt-{paid_on.year}'):06d}"
    registration = PmiRegistration(
        nik=clean["nik"],
        full_name=clean["full_name"],
        sex=clean["sex"],
        birth_date=clean["birth_date"],
        phone=clean["phone"],
        village_code=village.code,
        passport_number=clean["passport_number"],
        destination=clean["destination"],
        agency=clean["agency"],
        departure_on=clean["departure_on"],
        branch_code=branch_code,
        package=priced.package.code,
        contract_months=clean["contract_months"],
        extension_months=priced.extension_months,
        amount=priced.amount,
        channel=clean["channel"],
        paid_on=paid_on,
        receipt_number=receipt,
        cover_until=rules.cover_until(paid_on, priced.months),
        registered_by_id=actor.id,
    )
    session.add(registration)
    session.flush()
    if key:
        idempotency.settle(session, actor.id, key, registration.id)
    audit.record(
        session,
        actor,
        ACTION,
        "pmi_registration",
        registration.id,
        village_code=village.code,
        branch_code=branch_code,
        destination=registration.destination,
        departure_on=registration.departure_on.isoformat(),
        package=priced.package.code,
        contract_months=registration.contract_months,
        extension_months=priced.extension_months,
        amount=priced.amount,
        channel=registration.channel,
        receipt_number=receipt,
    )
    session.commit()
    return registration


def _replayed(session: Session, actor: Actor, key: str, request: str) -> PmiRegistration | None:
    found = idempotency.find(session, actor.id, key, ACTION, request)
    if found is None:
        return None
    registration = session.get(PmiRegistration, int(found))
    session.commit()  # nothing to write: the write lock is not held while answering
    return registration


def get_registration(session: Session, actor: Actor, registration_id: int) -> PmiRegistration:
    registration = session.exec(
        select(PmiRegistration).where(PmiRegistration.id == registration_id, pmi_clause(actor))
    ).first()
    if registration is None:
        raise NotFound(_("Migrant worker not found."))
    return registration


def registrations(session: Session, actor: Actor, limit: int = 100) -> list[PmiRegistration]:
    """The actor's registrations, newest first."""
    query = select(PmiRegistration).where(pmi_clause(actor)).order_by(col(PmiRegistration.id).desc()).limit(limit)
    return list(session.exec(query).all())


def yearly_count(session: Session, village_clause_of, year: int) -> dict[str, int]:
    """Workers registered (each with the package paid) in the year, among the villages
    `village_clause_of(column)` keeps, against the yearly potential."""
    registered = session.exec(
        select(func.count())
        .select_from(PmiRegistration)
        .where(
            village_clause_of(PmiRegistration.village_code),
            col(PmiRegistration.paid_on) >= dt.date(year, 1, 1),
            col(PmiRegistration.paid_on) < dt.date(year + 1, 1, 1),
        )
    ).one()
    return {
        "registered": registered,
        "potential": YEARLY_POTENTIAL,
        "percent": round(100 * registered / YEARLY_POTENTIAL),
    }
