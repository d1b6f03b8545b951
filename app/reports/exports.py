"""CSV and XLSX reports of one area: its members (NIK masked) and its villages.

Column names are Indonesian whatever the interface language (the files go to the regional office's
spreadsheets); rupiah and counts are numbers, dates real dates in XLSX. Every export is audit-logged
with its scope and row count, committed before the file is sent.

Text is never a formula: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets
a leading `'` in both formats (a name typed as `=HYPERLINK(…)` stays text), and XLSX text cells are
written as string cells. Characters XML cannot hold (control characters stored before they were
refused) become U+FFFD in XLSX rather than failing the file.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit
from app.core.clock import today
from app.core.db import begin_write
from app.core.i18n import in_locale
from app.core.labels import Labelled
from app.core.templating import mask_nik
from app.members.cover import CoverStatus, cover_clause, cover_status
from app.members.kpj import waiting_for_kpj
from app.members.models import Member, MemberStatus, Occupation, Sex
from app.programme.models import Stage, Target, TargetMetric
from app.regions.models import District, Regency, Village
from app.reports.scope import Scope, member_scope, parse_scope, percent

EXPORT_ROLES = (Role.cabang.value, Role.wilayah.value)
CHUNK = 1000

MEMBER_HEADERS = [
    "NIK",
    "Nama",
    "Jenis kelamin",
    "Tanggal lahir",
    "Desa",
    "Kecamatan",
    "Kabupaten/Kota",
    "Pekerjaan",
    "Penghasilan",
    "Status",
    "KPJ",
    "Status kepesertaan",
    "Iuran sampai",
]
VILLAGE_HEADERS = [
    "Kode",
    "Desa",
    "Kecamatan",
    "Kabupaten/Kota",
    "Tahap",
    "Perkiraan pekerja informal",
    "Peserta",
    "Aktif",
    "Jatuh tempo",
    "Nonaktif",
    "Cakupan (%)",
    "Peserta baru tahun ini",
    "Target peserta baru",
    "Target peserta aktif",
]
# What a spreadsheet reads as the start of a formula (or of something it may turn into one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Outside XML 1.0's characters: openpyxl refuses some (IllegalCharacterError), the XML parser the rest.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Cell kinds, so CSV and XLSX write the same row differently: dates as dd/mm/yyyy text or date cells.
DATE, MONTH = "date", "month"
MEMBER_KINDS = {3: DATE, 12: MONTH}


def _in_indonesian(kind: type[Labelled]) -> dict[str, str]:
    """The labels of an enum as the pages show them in Bahasa Indonesia, the language of the files."""
    with in_locale("id"):
        return kind.labels()


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# ------------------------------------------------------------------------------------------ members


def _member_query(actor: Actor, scope: Scope):
    return (
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            Member.id,
            Member.nik,
            Member.full_name,
            Member.sex,
            Member.birth_date,
            Village.name,
            District.name,
            Regency.name,
            Member.occupation,
            Member.monthly_income,
            Member.status,
            Member.kpj,
            Member.covered_until,
        )
        .join(Village, col(Village.code) == Member.village_code)
        .join(District, col(District.code) == Village.district_code)
        .join(Regency, col(Regency.code) == Village.regency_code)
        .where(member_scope(actor, scope))
    )


def _member_row(row, day: dt.date, labels: dict[type[Labelled], dict[str, str]]) -> list:
    (_id, nik, name, sex, birth, village, district, regency, occupation, income, status, number, covered_until) = row
    covered_until = _date(covered_until)
    approved = status == MemberStatus.approved.value
    cover = labels[CoverStatus][cover_status(covered_until, day).value] if approved else ""
    return [
        mask_nik(nik),
        name,
        labels[Sex].get(sex, sex),
        _date(birth),
        village,
        district,
        regency,
        labels[Occupation].get(occupation, occupation),
        int(income),
        labels[MemberStatus].get(status, status),
        number or "",
        cover,
        covered_until,
    ]


def _member_rows(session: Session, actor: Actor, scope: Scope, day: dt.date) -> Iterator[list]:
    """Keyset pages of CHUNK members: no cursor stays open between the pieces of a streamed file."""
    kinds: tuple[type[Labelled], ...] = (CoverStatus, Sex, Occupation, MemberStatus)
    labels = {kind: _in_indonesian(kind) for kind in kinds}
    last = 0
    while True:
        rows = session.exec(
            _member_query(actor, scope).where(col(Member.id) > last).order_by(Member.id).limit(CHUNK)
        ).all()
        for row in rows:
            yield _member_row(row, day, labels)
        if len(rows) < CHUNK:
            return
        last = rows[-1][0]


def log_export(session: Session, actor: Actor, report: str, scope: Scope, rows: int, fmt: str) -> None:
    # A GET writing at its end: on SQLite its read transaction could not wait for the write lock
    # ("database is locked" while a payment is being recorded), so the entry gets a write transaction.
    begin_write(session)
    audit.record(session, actor, "export", "report", report, scope=scope.key, rows=rows, format=fmt)
    session.commit()


def prepare_members(session: Session, actor: Actor, scope_text: str | None, fmt: str) -> tuple[Scope, int]:
    """Checks scope (404) and role (403), counts the rows and logs the export."""
    scope = parse_scope(session, actor, scope_text)
    require_role(actor, *EXPORT_ROLES)
    total = session.exec(select(func.count()).select_from(Member).where(member_scope(actor, scope))).one()
    log_export(session, actor, "members", scope, int(total), fmt)
    return scope, int(total)


# ----------------------------------------------------------------------------------------- villages


def village_rows(session: Session, actor: Actor, scope: Scope, day: dt.date) -> list[list]:
    """Every village of the scope with its stage, estimate, members, coverage and this year's targets:
    one query (members grouped by village, targets pivoted, both joined to the villages)."""
    approved = col(Member.status) == MemberStatus.approved.value
    this_year = dt.date(day.year, 1, 1)
    members = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            col(Member.village_code).label("code"),
            func.count().filter(approved).label("approved"),
            *(
                func.count().filter(approved, cover_clause(Member.covered_until, s.value, day)).label(s.value)
                for s in CoverStatus
            ),
            func.count().filter(approved, col(Member.first_covered) >= this_year).label("new_this_year"),
        )
        .where(member_scope(actor, scope))
        .group_by(Member.village_code)
        .subquery()
    )
    goals = (
        select(
            col(Target.scope_code).label("code"),
            func.max(case((col(Target.metric) == TargetMetric.new_members.value, Target.value))).label("new"),
            func.max(case((col(Target.metric) == TargetMetric.active_members.value, Target.value))).label("active"),
        )
        .where(Target.level == "village", Target.year == day.year)
        .group_by(Target.scope_code)
        .subquery()
    )
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            Village.code,
            Village.name,
            District.name,
            Regency.name,
            Village.stage,
            Village.estimated_informal_workers,
            members.c.approved,
            members.c.aktif,
            members.c.jatuh_tempo,
            members.c.nonaktif,
            members.c.new_this_year,
            goals.c.new,
            goals.c.active,
        )
        .join(District, col(District.code) == Village.district_code)
        .join(Regency, col(Regency.code) == Village.regency_code)
        .outerjoin(members, members.c.code == Village.code)
        .outerjoin(goals, goals.c.code == Village.code)
        .where(and_(village_clause(actor, Village.code), scope.villages()))
        .order_by(Village.code)
    ).all()
    stages = _in_indonesian(Stage)
    result = []
    for code, name, district, regency, stage, estimate, ok, aktif, due, lapsed, new, goal_new, goal_active in rows:
        aktif = int(aktif or 0)
        result.append(
            [
                code,
                name,
                district,
                regency,
                stages.get(stage, stage or ""),
                estimate,
                int(ok or 0),
                aktif,
                int(due or 0),
                int(lapsed or 0),
                percent(aktif, estimate) if estimate else None,
                int(new or 0),
                None if goal_new is None else int(goal_new),
                None if goal_active is None else int(goal_active),
            ]
        )
    return result


def prepare_villages(session: Session, actor: Actor, scope_text: str | None, fmt: str) -> tuple[Scope, list[list]]:
    scope = parse_scope(session, actor, scope_text)
    require_role(actor, *EXPORT_ROLES)
    rows = village_rows(session, actor, scope, today())
    log_export(session, actor, "villages", scope, len(rows), fmt)
    return scope, rows


# ------------------------------------------------------------------------------------------- writers


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as it is: a leading `'` before what would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value, kind: str | None):
    if value is None:
        return ""
    if kind == DATE:
        return value.strftime("%d/%m/%Y")
    if kind == MONTH:
        return value.strftime("%m/%Y")
    if isinstance(value, str):
        return safe_text(value)
    return value


def _xlsx_text(sheet, text: str) -> WriteOnlyCell:
    """Always a string cell (never a formula), with what XML cannot hold replaced."""
    cell = WriteOnlyCell(sheet, value=safe_text(_NOT_XML.sub("\ufffd", text)))
    cell.data_type = "s"
    return cell


def csv_lines(headers: list[str], rows, kinds: dict[int, str] | None = None) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so spreadsheet programs read the names right), one piece per line."""
    kinds = kinds or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([safe_text(name) for name in headers])
    yield ("\ufeff" + take()).encode("utf-8")
    for row in rows:
        writer.writerow([_csv_value(value, kinds.get(i)) for i, value in enumerate(row)])
        yield take().encode("utf-8")


def xlsx_bytes(title: str, headers: list[str], rows, kinds: dict[int, str] | None = None) -> bytes:
    return xlsx_sheets([(title, headers, rows, kinds or {})])


def xlsx_sheets(sheets: list[tuple[str, list[str], Any, dict[int, str]]]) -> bytes:
    """A workbook of one sheet per (title, headers, rows, kinds)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows, kinds in sheets:
        sheet = workbook.create_sheet(title)
        header_cells = []
        for name in headers:
            cell = _xlsx_text(sheet, name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells = []
            for i, value in enumerate(row):
                kind = kinds.get(i)
                if kind and value is not None:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "DD/MM/YYYY" if kind == DATE else "MM/YYYY"
                    cells.append(cell)
                elif isinstance(value, str):
                    cells.append(_xlsx_text(sheet, value))
                else:
                    cells.append(value)
            sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def members_csv(session: Session, actor: Actor, scope: Scope) -> Iterator[bytes]:
    return csv_lines(MEMBER_HEADERS, _member_rows(session, actor, scope, today()), MEMBER_KINDS)


def members_xlsx(session: Session, actor: Actor, scope: Scope) -> bytes:
    return xlsx_bytes("Peserta", MEMBER_HEADERS, _member_rows(session, actor, scope, today()), MEMBER_KINDS)


# ------------------------------------------------------------------------------ waiting for a KPJ

# Approved members without a KPJ, for the branch to enter in the core system: the whole NIK (the branch
# officer sees it), as the core system's own import expects.
KPJ_WAITING_HEADERS = [
    "NIK",
    "Nama",
    "Jenis kelamin",
    "Tanggal lahir",
    "Desa",
    "Nomor HP",
    "Nomor internal",
    "Disetujui",
]
KPJ_WAITING_KINDS = {3: DATE, 7: DATE}


def kpj_waiting_rows(session: Session, actor: Actor, fmt: str) -> list[list]:
    """The branch's approved members waiting for a KPJ, oldest approval first; the export is audited."""
    require_role(actor, Role.cabang.value)
    members = waiting_for_kpj(session, actor)
    names = dict(
        session.exec(
            select(Village.code, Village.name).where(col(Village.code).in_({m.village_code for m in members}))
        ).all()
    )
    sexes = _in_indonesian(Sex)
    rows = [
        [
            m.nik,
            m.full_name,
            sexes.get(m.sex, m.sex),
            m.birth_date,
            names.get(m.village_code, m.village_code),
            m.phone,
            m.member_number,
            _date(m.decided_at),
        ]
        for m in members
    ]
    log_export(session, actor, "kpj_waiting", parse_scope(session, actor, None), len(rows), fmt)
    return rows


def kpj_waiting_csv(rows: list[list]) -> Iterator[bytes]:
    return csv_lines(KPJ_WAITING_HEADERS, rows, KPJ_WAITING_KINDS)


def kpj_waiting_xlsx(rows: list[list]) -> bytes:
    return xlsx_bytes("Menunggu KPJ", KPJ_WAITING_HEADERS, rows, KPJ_WAITING_KINDS)


def villages_csv(rows: list[list]) -> Iterator[bytes]:
    return csv_lines(VILLAGE_HEADERS, rows)


def villages_xlsx(rows: list[list]) -> bytes:
    return xlsx_bytes("Desa", VILLAGE_HEADERS, rows)


def filename(report: str, scope: Scope, extension: str) -> str:
    area = "wilayah" if scope.kind == "region" else f"{scope.kind}-{scope.code.replace('.', '').replace(',', '_')}"
    return f"{report}-{area}-{today().isoformat()}.{extension}"
