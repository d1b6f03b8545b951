"""The KPJ number: issued by BPJS Ketenagakerjaan's core system, recorded here by the branch officer when
approving a registration or later (one at a time, or from the core system's file of NIK and KPJ)."""

import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit
from app.core.errors import Conflict, Invalid
from app.core.i18n import _
from app.core.uploads import read_rows
from app.members.models import Member, MemberStatus
from app.members.service import get_member

KPJ_DIGITS = 11


def clean_kpj(value) -> str:
    """The KPJ as digits (spaces, dots and dashes typed between them dropped)."""
    return re.sub(r"[\s.\-]", "", str(value or ""))


def kpj_problem(kpj: str) -> str | None:
    if not kpj:
        return _("Enter the KPJ number.")
    if not kpj.isdigit() or len(kpj) != KPJ_DIGITS:
        return _("A KPJ number has %(n)s digits.", n=KPJ_DIGITS)
    return None


def _held_by_another(session: Session, member: Member, kpj: str) -> bool:
    return (
        session.exec(select(col(Member.id)).where(Member.kpj == kpj, col(Member.id) != member.id)).first() is not None
    )


def assign_kpj(session: Session, actor: Actor, member: Member, raw) -> str:
    """Check and set the member's KPJ inside the caller's transaction (approval, or `record_kpj`)."""
    kpj = clean_kpj(raw)
    problem = kpj_problem(kpj)
    if problem:
        raise Invalid({"kpj": problem})
    if _held_by_another(session, member, kpj):
        raise Conflict(_("KPJ %(kpj)s belongs to another member already.", kpj=kpj), field="kpj")
    previous = member.kpj
    member.kpj = kpj
    session.add(member)
    audit.record(session, actor, "kpj_recorded", "member", member.id, kpj=kpj, previous=previous)
    return kpj


def record_kpj(session: Session, actor: Actor, member_id: int, raw) -> Member:
    """The branch officer records (or corrects) an approved member's KPJ."""
    member = get_member(session, actor, member_id, for_update=True)
    require_role(actor, Role.cabang.value)
    if member.status != MemberStatus.approved.value:
        raise Conflict(_("A KPJ number is recorded for an approved member."))
    assign_kpj(session, actor, member, raw)
    session.commit()
    return member


def _waiting(actor: Actor):
    return (
        Member.status == MemberStatus.approved.value,
        col(Member.kpj).is_(None),
        village_clause(actor, Member.village_code),
    )


def waiting_for_kpj(session: Session, actor: Actor, limit: int | None = None) -> list[Member]:
    """Approved members of the actor's area without a KPJ yet, the longest waiting first."""
    query = select(Member).where(*_waiting(actor)).order_by(col(Member.decided_at), col(Member.id))
    return list(session.exec(query.limit(limit) if limit else query).all())


def waiting_count(session: Session, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(Member).where(*_waiting(actor))).one()


@dataclass
class ImportRow:
    row: int
    nik: str
    kpj: str
    status: str  # "ok", "exists" (already recorded so) or "error"
    errors: list[str] = field(default_factory=list)


def kpj_file_rows(filename: str, content: bytes) -> list[tuple[str, str]]:
    """(NIK, KPJ) of each row of the core system's file: the columns found by their header (NIK, KPJ,
    in any order and case), the header row left out."""
    rows = read_rows(filename, content)
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "nik" not in header or "kpj" not in header:
        raise Invalid({"file": _("The first row must name the columns NIK and KPJ.")})
    nik_at, kpj_at = header.index("nik"), header.index("kpj")
    return [(row[nik_at] if nik_at < len(row) else "", row[kpj_at] if kpj_at < len(row) else "") for row in rows[1:]]


def import_kpj(session: Session, actor: Actor, rows: list[tuple[str, str]], dry_run: bool = False) -> list[ImportRow]:
    """The core system's file (NIK, KPJ per row, the header row excluded): every row checked first; then,
    unless a dry run or any row is wrong, the good rows recorded in one transaction. A file sent again
    changes nothing (its rows say "exists")."""
    require_role(actor, Role.cabang.value)
    result: list[ImportRow] = []
    seen: dict[str, int] = {}
    niks = [re.sub(r"\D", "", str(nik or ""))[:16] for nik, _kpj in rows]
    members = {
        m.nik: m
        for m in session.exec(
            select(Member).where(col(Member.nik).in_(niks), village_clause(actor, Member.village_code))
        ).all()
    }
    for number, ((_raw_nik, raw_kpj), nik) in enumerate(zip(rows, niks, strict=True), start=2):
        kpj = clean_kpj(raw_kpj)
        line = ImportRow(number, nik, kpj, "ok")
        member = members.get(nik)
        problem = kpj_problem(kpj)
        if member is None:
            line.errors.append(_("No member of your area has this NIK."))
        elif member.status != MemberStatus.approved.value:
            line.errors.append(_("The registration is not approved."))
        if problem:
            line.errors.append(problem)
        elif kpj in seen:
            line.errors.append(_("The same KPJ is on row %(row)s.", row=seen[kpj]))
        elif member is not None and member.kpj == kpj:
            line.status = "exists"
        elif member is not None and member.kpj:
            line.errors.append(_("This member has KPJ %(kpj)s already.", kpj=member.kpj))
        elif member is not None and _held_by_another(session, member, kpj):
            line.errors.append(_("KPJ %(kpj)s belongs to another member already.", kpj=kpj))
        seen.setdefault(kpj, number)
        if line.errors:
            line.status = "error"
        result.append(line)
    if dry_run or any(line.status == "error" for line in result):
        session.rollback()
        return result
    for line in result:
        if line.status == "ok":
            assign_kpj(session, actor, members[line.nik], line.kpj)
    session.commit()
    return result
