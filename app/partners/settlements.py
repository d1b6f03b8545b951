"""Reconciling a partner's settlement file: the branch officer uploads what the partner took (CSV or XLSX:
date, payment code, amount, reference per line); each matched line becomes a payment of channel `mitra`,
the rest wait in the branch's list to be matched by hand, refunded or set aside.

A line matches when its code names an approved member of the officer's branch, its amount is whole
months of that member's contribution on its date, and its reference is new to the partner. The partner's
reference is unique per partner for payments and for waiting lines alike, so a file uploaded again
creates nothing twice: its paid lines find their payments, its waiting lines the lines already listed.
One upload is one transaction (nothing is kept from a file that cannot be read), uploads for one partner
run one after the other, and a dry run checks every line and keeps nothing."""

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Partner, PartnerRegency, Role
from app.auth.scope import Actor, branch_clause, branch_regencies, require_role, village_clause
from app.core import audit
from app.core.bounds import MAX_AMOUNT
from app.core.clock import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.money import parse_rupiah
from app.core.text import text_errors, text_problem
from app.core.uploads import read_rows
from app.dues import partner_payments
from app.dues.models import Payment
from app.members.models import Member, MemberStatus
from app.members.payment_code import member_by_payment_code, parse_payment_code
from app.members.validation import FieldError, parse_date
from app.partners.models import (
    CODE_LENGTH,
    NOTE_LENGTH,
    REFERENCE_LENGTH,
    Resolution,
    Settlement,
    SettlementLine,
    UnmatchedReason,
)

# The columns by their header, in English or Indonesian, in any order and case.
COLUMNS = {
    "paid_on": ("date", "tanggal", "tanggal bayar"),
    "code": ("code", "payment code", "kode", "kode bayar"),
    "amount": ("amount", "jumlah", "nominal"),
    "reference": ("reference", "referensi", "ref", "no referensi"),
}
# Rows named in the file's message: the rest are counted, not listed.
ROWS_TOLD = 10
FILENAME_LENGTH = 120


@dataclass(frozen=True)
class FileLine:
    row: int
    paid_on: dt.date
    code: str
    amount: int
    reference: str


@dataclass
class Outcome:
    """What an upload gave: lines that are payments (`created` of them new) and lines waiting."""

    matched: int = 0
    created: int = 0
    unmatched: list[SettlementLine] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    dry_run: bool = False


def _serving_the_branch(actor: Actor):
    """A WHERE clause keeping the partners that serve a regency of the officer's branch."""
    served = select(PartnerRegency.partner_id).where(
        col(PartnerRegency.regency_code).in_(branch_regencies(actor.branch_code or ""))
    )
    return col(Partner.id).in_(served)


def partners_of_branch(session: Session, actor: Actor) -> list[Partner]:
    """The partners whose files the officer's branch reconciles."""
    require_role(actor, Role.cabang.value)
    return list(session.exec(select(Partner).where(_serving_the_branch(actor)).order_by(Partner.name)).all())


def partner_of_branch(session: Session, actor: Actor, partner_id: int, for_update: bool = False) -> Partner:
    """The partner, if it serves the officer's branch (404 otherwise: another branch's partner is unknown
    here). Locked for an upload, so that two uploads of one partner's files run one after the other."""
    require_role(actor, Role.cabang.value)
    query = select(Partner).where(Partner.id == partner_id, _serving_the_branch(actor))
    partner = session.exec(query.with_for_update() if for_update else query).first()
    if partner is None:
        raise NotFound(_("Partner not found."))
    return partner


def _column_indexes(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    found = {}
    for column, aliases in COLUMNS.items():
        at = next((names.index(alias) for alias in aliases if alias in names), None)
        if at is None:
            raise Invalid({"file": _("The first row must name the columns date, code, amount and reference.")})
        found[column] = at
    return found


def settled_amount(text: str) -> int | None:
    """Whole rupiah as a bank writes them: `16800`, `16.800`, `Rp16.800`, or with zero cents (`16800.00`,
    `16.800,00`); None for cents that are not zero or anything else. Without this, `16800.50` would read
    as 1.680.050 (a dot taken for a thousands separator)."""
    cents = re.fullmatch(r"(.+)[.,](\d{1,2})", text.strip())
    if cents:
        if int(cents.group(2)):
            return None
        text = cents.group(1)
    return parse_rupiah(text.replace(",", "."))


def _read_line(row: int, cells: dict[str, str]) -> FileLine | str:
    """The line, or what is wrong with it."""
    try:
        day = parse_date(cells["paid_on"])
    except FieldError:
        day = None
    if day is None:
        return _("the date cannot be read (use YYYY-MM-DD or dd/mm/yyyy)")
    code = cells["code"]
    if not code or len(code) > CODE_LENGTH or text_problem(code):
        return _("no payment code")
    amount = settled_amount(cells["amount"])
    if amount is None or not 0 < amount <= MAX_AMOUNT:
        return _("the amount is not whole rupiah")
    reference = cells["reference"]
    if not reference or len(reference) > REFERENCE_LENGTH or text_problem(reference):
        return _("the reference is missing or longer than %(n)s characters", n=REFERENCE_LENGTH)
    return FileLine(row, day, code, amount, reference)


def read_settlement_file(filename: str, content: bytes) -> list[FileLine]:
    """The file's lines, every one readable, or Invalid beside `file` naming the rows that are not: a
    partner's file is taken whole or sent again corrected."""
    rows = read_rows(filename, content)
    if not rows:
        raise Invalid({"file": _("The file has no lines under its header.")})
    at = _column_indexes(rows[0])
    lines, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        read = _read_line(number, {column: (row[i].strip() if i < len(row) else "") for column, i in at.items()})
        if isinstance(read, FileLine):
            lines.append(read)
        else:
            problems.append(_("row %(n)s: %(problem)s", n=number, problem=read))
    if problems:
        told = "; ".join(problems[:ROWS_TOLD])
        more = len(problems) - ROWS_TOLD
        message = _("The file cannot be taken: %(rows)s.", rows=told)
        if more > 0:
            message += " " + _("And %(n)s more rows.", n=more)
        raise Invalid({"file": message})
    if not lines:
        raise Invalid({"file": _("The file has no lines under its header.")})
    return lines


def _member_of_code(session: Session, actor: Actor, code: str) -> Member | None:
    """The member of the officer's branch the code names, approved or not; None for a code with a typing
    mistake or naming no member of the branch (the same answer as the API's 404)."""
    try:
        digits = parse_payment_code(code)
    except Invalid:
        return None
    return session.exec(
        select(Member).where(Member.member_number == digits[:-1], village_clause(actor, Member.village_code))
    ).first()


def _paid_already(payment: Payment, member: Member | None, line: FileLine) -> bool:
    return (
        member is not None
        and payment.member_id == member.id
        and payment.amount == line.amount
        and payment.paid_on == line.paid_on
    )


def _settle(session: Session, actor: Actor, settlement: Settlement, line: FileLine, outcome: Outcome) -> None:
    listed = session.exec(
        select(SettlementLine).where(
            SettlementLine.partner_id == settlement.partner_id, SettlementLine.reference == line.reference
        )
    ).first()
    if listed is not None:  # sent before: the line as it stands
        if listed.resolution == Resolution.matched.value:
            outcome.matched += 1
        else:
            outcome.unmatched.append(listed)
        return
    reason, detail = _pay_or_say_why(session, actor, settlement.partner_id, line, outcome)
    if not reason:
        return
    assert settlement.id is not None and actor.branch_code is not None  # flushed; a branch officer
    unmatched = SettlementLine(
        settlement_id=settlement.id,
        partner_id=settlement.partner_id,
        branch_code=actor.branch_code,
        row=line.row,
        paid_on=line.paid_on,
        code=line.code,
        amount=line.amount,
        reference=line.reference,
        reason=reason,
        detail=detail[:300],
    )
    session.add(unmatched)
    session.flush()  # the next line of the file with this reference finds it
    outcome.unmatched.append(unmatched)


def _pay_or_say_why(
    session: Session, actor: Actor, partner_id: int, line: FileLine, outcome: Outcome
) -> tuple[str, str]:
    """Pay the line (counted in `outcome`) and answer no reason, or answer why it pays nothing (and how)."""
    member = _member_of_code(session, actor, line.code)
    paid = session.exec(
        select(Payment).where(Payment.partner_id == partner_id, Payment.reference == line.reference)
    ).first()
    if paid is not None:
        if _paid_already(paid, member, line):
            outcome.matched += 1
            return "", ""
        detail = _("Receipt %(receipt)s has this reference.", receipt=paid.receipt_number)
        return UnmatchedReason.reference_seen.value, detail
    if member is None:
        return UnmatchedReason.unknown_code.value, ""
    if member.status != MemberStatus.approved.value or member.died_on is not None:
        return UnmatchedReason.not_approved.value, ""
    assert member.id is not None  # a stored member
    try:
        payment = partner_payments.record_settled(
            session, actor, partner_id, member.id, line.paid_on, line.amount, line.reference
        )
    except partner_payments.NotWholeMonths as refused:
        return UnmatchedReason.wrong_amount.value, refused.message
    except Invalid as refused:
        return UnmatchedReason.refused.value, "; ".join(refused.errors.values())
    outcome.matched += 1
    outcome.created += 1
    outcome.receipts.append(payment.receipt_number)
    return "", ""


def upload_settlement(
    session: Session, actor: Actor, partner_id: int, filename: str, content: bytes, dry_run: bool = False
) -> Outcome:
    """Reconcile a partner's file (see the module's docstring); with `dry_run`, nothing is kept."""
    partner = partner_of_branch(session, actor, partner_id, for_update=True)
    lines = read_settlement_file(filename, content)
    assert actor.branch_code is not None and partner.id is not None  # a branch officer, a stored partner
    settlement = Settlement(
        partner_id=partner.id,
        branch_code=actor.branch_code,
        uploaded_by_id=actor.id,
        filename=(filename or "")[:FILENAME_LENGTH],
        lines=len(lines),
        matched=0,
        created=0,
        unmatched=0,
    )
    session.add(settlement)
    session.flush()
    outcome = Outcome(dry_run=dry_run)
    for line in lines:
        _settle(session, actor, settlement, line, outcome)
    if dry_run:
        # Read what is shown before the rollback forgets it.
        waiting = [_detached_copy(line) for line in outcome.unmatched]
        session.rollback()
        outcome.unmatched = waiting
        return outcome
    settlement.matched, settlement.created, settlement.unmatched = (
        outcome.matched,
        outcome.created,
        len(outcome.unmatched),
    )
    session.add(settlement)
    audit.record(
        session,
        actor,
        "settlement_uploaded",
        "partner",
        partner.id,
        partner=partner.name,
        lines=len(lines),
        matched=outcome.matched,
        new_payments=outcome.created,
        unmatched=len(outcome.unmatched),
    )
    session.commit()
    return outcome


def _detached_copy(line: SettlementLine) -> SettlementLine:
    return SettlementLine.model_validate(line.model_dump())


def _waiting(actor: Actor):
    """Lines not yet resolved, of the actor's branch."""
    return col(SettlementLine.resolution).is_(None), branch_clause(actor, SettlementLine.branch_code)


def waiting_lines(session: Session, actor: Actor, limit: int | None = None) -> list[tuple[SettlementLine, str]]:
    """The branch's lines waiting to be resolved, oldest first, with their partner's name."""
    require_role(actor, Role.cabang.value, Role.wilayah.value, Role.admin.value)
    query = (
        select(SettlementLine, Partner.name)
        .join(Partner, col(Partner.id) == SettlementLine.partner_id)
        .where(*_waiting(actor))
        .order_by(col(SettlementLine.paid_on), col(SettlementLine.id))
    )
    return [(line, name) for line, name in session.exec(query.limit(limit) if limit else query).all()]


def waiting_count(session: Session, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(SettlementLine).where(*_waiting(actor))).one()


def get_line(session: Session, actor: Actor, line_id: int, for_update: bool = False) -> SettlementLine:
    """A line of the actor's branch (404 for another branch's)."""
    query = select(SettlementLine).where(SettlementLine.id == line_id, branch_clause(actor, SettlementLine.branch_code))
    line = session.exec(query.with_for_update() if for_update else query).first()
    if line is None:
        raise NotFound(_("Settlement line not found."))
    return line


def _open_line(session: Session, actor: Actor, line_id: int) -> SettlementLine:
    require_role(actor, Role.cabang.value)
    line = get_line(session, actor, line_id, for_update=True)
    if line.resolution is not None:
        raise Conflict(_("This line was resolved already: %(how)s.", how=Resolution.label_of(line.resolution)))
    return line


def _resolved(
    session: Session,
    actor: Actor,
    line: SettlementLine,
    resolution: Resolution,
    note: str | None,
    receipt: str | None = None,
) -> None:
    line.resolution = resolution.value
    line.note = note
    line.resolved_by_id = actor.id
    line.resolved_at = utcnow()
    session.add(line)
    audit.record(
        session,
        actor,
        "settlement_line_resolved",
        "settlement_line",
        line.id,
        resolution=resolution.value,
        reference=line.reference,
        amount=line.amount,
        note=note,
        receipt=receipt,
    )


def match_by_hand(session: Session, actor: Actor, line_id: int, code) -> Payment:
    """Pay the line to the member the officer names by payment code (any approved member of the branch:
    the worker may have paid at an agent outside the partner's regencies). Its amount must be whole months
    of that member's contribution on its date, else 409 with the right amount."""
    line = _open_line(session, actor, line_id)
    if line.reason == UnmatchedReason.reference_seen.value:
        raise Conflict(_("This reference already names a payment: refund the line or set it aside."), field="code")
    member = member_by_payment_code(session, actor, code)
    assert member.id is not None  # a stored member
    try:
        payment = partner_payments.record_settled(
            session, actor, line.partner_id, member.id, line.paid_on, line.amount, line.reference
        )
    except Invalid as refused:  # a rule about the line's date: said beside the code chosen for it
        raise Conflict("; ".join(refused.errors.values()), field="code") from None
    except Conflict as refused:
        raise Conflict(refused.message, field="code") from None
    line.payment_id = payment.id
    _resolved(session, actor, line, Resolution.matched, None, payment.receipt_number)
    session.commit()
    return payment


def _note(raw, required: bool) -> str | None:
    note = " ".join(str(raw or "").split())
    errors = text_errors({"note": note})
    if required and not note:
        errors["note"] = _("Say why the line is set aside.")
    elif len(note) > NOTE_LENGTH:
        errors["note"] = _("Use at most %(n)s characters.", n=NOTE_LENGTH)
    if errors:
        raise Invalid(errors)
    return note or None


def close_line(session: Session, actor: Actor, line_id: int, resolution, note) -> SettlementLine:
    """Close the line without a payment: `refunded` (the partner gives the money back to whoever paid it)
    or `set_aside` (for the reason given in `note`: a test line, a partner's mistake)."""
    line = _open_line(session, actor, line_id)
    chosen = str(resolution or "")
    if chosen not in (Resolution.refunded.value, Resolution.set_aside.value):
        raise Invalid({"resolution": _("Choose refunded or set aside.")})
    closing = Resolution.refunded if chosen == Resolution.refunded.value else Resolution.set_aside
    _resolved(session, actor, line, closing, _note(note, required=closing is Resolution.set_aside))
    session.commit()
    return line


def partner_name(session: Session, line: SettlementLine) -> str:
    partner = session.get(Partner, line.partner_id)
    return partner.name if partner is not None else ""
