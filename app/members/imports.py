"""Many members at once: a group (a village's officials, a fishers' group, a cooperative's members)
typed into the XLSX template, or any CSV/XLSX with its header row, checked row by row with the
registration's own rules, then the right rows registered in one transaction.

A row whose NIK is a member of the village already says "exists", so the same file sent again creates
nothing twice."""

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from babel.support import LazyProxy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, get_village, require_role
from app.core import audit
from app.core.clock import today, utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import LOCALES, _, in_locale, lazy_gettext
from app.core.labels import Labelled
from app.core.templating import mask_nik
from app.core.uploads import read_rows
from app.members import rules, service, validation
from app.members.models import Member, Occupation, Sex
from app.rates import service as rates


@dataclass(frozen=True)
class Column:
    field: str
    header: LazyProxy
    # Kept as text in the template: a NIK as a number loses its last digits, a phone its leading 0.
    text: bool = False


# The template's columns, in its order; the reader finds them by these headers (in any of the app's
# languages) or by the field's name, in any order.
COLUMNS = (
    Column("nik", lazy_gettext("NIK (16 digits, from the KTP)"), text=True),
    Column("full_name", lazy_gettext("Full name (as on the KTP)")),
    Column("sex", lazy_gettext("Sex")),
    Column("birth_date", lazy_gettext("Birth date")),
    Column("phone", lazy_gettext("Mobile number (WhatsApp)"), text=True),
    Column("address", lazy_gettext("Address")),
    Column("rt", lazy_gettext("RT"), text=True),
    Column("rw", lazy_gettext("RW"), text=True),
    Column("occupation", lazy_gettext("Occupation")),
    Column("monthly_income", lazy_gettext("Monthly income (Rp)")),
    Column("jht", lazy_gettext("Old Age Savings (JHT): yes or no")),
    Column("heir_name", lazy_gettext("Heir's name (for the death benefit)")),
    Column("heir_relation", lazy_gettext("Heir's relation to the worker")),
    Column("consent", lazy_gettext("The worker agrees to the use of the data (yes)")),
    Column("confirm_not_duplicate", lazy_gettext("A different person from a namesake (yes)")),
)
HEADERS = {column.field: column.header for column in COLUMNS}
# Without these a file is not a list of people.
REQUIRED_COLUMNS = ("nik", "full_name")
# Who registers a group: the village's duta, or the branch officer for the branch's villages.
IMPORT_ROLES = (Role.duta.value, Role.cabang.value)
# Rows of the template whose text columns are formatted as text, ready for typing.
TEMPLATE_ROWS = 2_000


def _plain(text: object) -> str:
    return " ".join(str(text).split()).lower()


def _in_every_language(text: LazyProxy) -> set[str]:
    names = set()
    for locale in LOCALES:
        with in_locale(locale):
            names.add(_plain(text))
    return names


# ---------------------------------------------------------------- the template


def template_workbook() -> bytes:
    """The XLSX to fill in: one header row (in Indonesian, whatever the user's language: the sheet is
    passed around the village), the allowed values on a second sheet, and lists to choose them from."""
    with in_locale("id"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook has its sheet
        sheet.title = _("Members")
        help_sheet = workbook.create_sheet(_("Instructions"))
        sheet.append([str(column.header) for column in COLUMNS])
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(12, len(str(column.header)) + 2)
            if column.text:
                for row in range(2, TEMPLATE_ROWS + 2):
                    sheet.cell(row=row, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
        lists = _instructions(help_sheet)
        for column_field, cells in lists.items():
            letter = sheet.cell(row=1, column=[c.field for c in COLUMNS].index(column_field) + 1).column_letter
            choose = DataValidation(type="list", formula1=cells, allow_blank=True)
            choose.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(choose)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet) -> dict[str, str]:
    """The instructions sheet; answers the cell range of each column's allowed values."""
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 30
    notes = (
        _("One row per worker, from the second row of the first sheet; keep the first row as it is."),
        _("Birth date: a date cell, or typed as dd/mm/yyyy."),
        _("Sex and occupation: choose from the list (the names below, or their codes)."),
        _("Consent: write yes (ya) only when the worker agreed to the use of the data."),
        _("Each row is checked as the registration form checks it; nothing is registered before you confirm."),
    )
    for note in notes:
        sheet.append([note])
    sheet.append([])
    lists: dict[str, str] = {}
    yes_no = [(_("yes"), "ya"), (_("no"), "tidak")]
    for column_field, choices in (
        ("sex", [(label, code) for code, label in Sex.labels().items()]),
        ("occupation", [(label, code) for code, label in Occupation.labels().items()]),
        ("jht", yes_no),
        ("consent", yes_no),
    ):
        sheet.append([str(HEADERS[column_field]), _("Code")])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        first = sheet.max_row + 1
        for label, code in choices:
            sheet.append([label, code])
        lists[column_field] = f"'{sheet.title}'!$A${first}:$A${sheet.max_row}"
        sheet.append([])
    return lists


# ---------------------------------------------------------------- reading a file


def _column_names() -> dict[str, str]:
    """Every header a column is known by (lower case, single spaces) -> its field."""
    names = {}
    for column in COLUMNS:
        for name in {column.field, *_in_every_language(column.header)}:
            names[name] = column.field
    return names


def _choices(kind: type[Labelled]) -> dict[str, str]:
    """A labelled value's codes and labels in every language (lower case) -> its code."""
    found = {code.lower(): code for code in kind.codes()}
    for locale in LOCALES:
        with in_locale(locale):
            found.update({_plain(label): code for code, label in kind.labels().items()})
    return found


def _as_code(text: str, choices: dict[str, str]) -> str:
    """The code of a label as users see it ("Petani", "perempuan") or of the code itself; anything else
    as typed, for the form's rule to refuse."""
    return choices.get(_plain(text), text)


def read_member_file(filename: str, content: bytes) -> list[dict[str, str]]:
    """Each row after the header as the registration form's fields (text), labels turned into codes."""
    rows = read_rows(filename, content)
    names = _column_names()
    header = [names.get(_plain(cell)) for cell in rows[0]] if rows else []
    missing = [HEADERS[name] for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise Invalid(
            {
                "file": _(
                    "The first row must name the columns, as in the template; missing: %(columns)s.",
                    columns=", ".join(str(header) for header in missing),
                )
            }
        )
    if len(rows) < 2:
        raise Invalid({"file": _("The file has no rows below the header.")})
    sexes, occupations = _choices(Sex), _choices(Occupation)
    found = []
    for row in rows[1:]:
        raw = {name: row[index] for index, name in enumerate(header) if name and index < len(row)}
        raw["sex"] = _as_code(raw.get("sex", ""), sexes)
        raw["occupation"] = _as_code(raw.get("occupation", ""), occupations)
        found.append(raw)
    return found


# ---------------------------------------------------------------- checking and registering


@dataclass
class ImportRow:
    row: int  # the row of the sheet, the header being row 1
    nik: str
    full_name: str
    status: str  # "ok" (registered, or to register), "exists" (a member of the village already) or "error"
    errors: dict[str, str] = field(default_factory=dict)  # field -> message, as the form shows them
    values: dict = field(default_factory=dict, repr=False)


@dataclass
class ImportReport:
    village_code: str
    rows: list[ImportRow]
    created: int = 0
    dry_run: bool = True

    def count(self, status: str) -> int:
        return sum(line.status == status for line in self.rows)


def import_village(session: Session, actor: Actor, village_code: str | None):
    """The village to register into: in the actor's area (404 outside it), for its duta or the branch."""
    code = str(village_code or "").strip()
    if not code:
        raise Invalid({"village_code": _("Choose the village.")})
    village = get_village(session, actor, code, field="village_code")
    require_role(actor, *IMPORT_ROLES)
    return village


def import_members(
    session: Session, actor: Actor, village_code: str | None, filename: str, content: bytes, *, dry_run: bool
) -> ImportReport:
    """Every row of the file checked as the registration form checks it; then, unless a dry run, the
    right rows registered (submitted for approval, as the form does) in one transaction, wrong rows left
    out. The village first: outside the actor's area the file is not even read (404)."""
    village = import_village(session, actor, village_code)
    rows = read_member_file(filename, content)
    report = ImportReport(village.code, _check(session, actor, village.code, rows), dry_run=dry_run)
    if dry_run:
        session.rollback()
        return report
    now = utcnow()
    members = [
        service.new_registration(actor, line.values, village.code, submit=True, now=now)
        for line in report.rows
        if line.status == "ok"
    ]
    session.add_all(members)
    try:
        session.flush()
    except IntegrityError:
        # Another upload registered some of these NIKs since they were checked (PostgreSQL; SQLite's
        # writers take turns): nothing of this one is kept, and sent again its rows say "exists".
        session.rollback()
        raise Conflict(
            _(
                "Some of these workers were registered by someone else at the same moment; nothing was "
                "registered. Send the file again: those rows will show as registered already."
            ),
            field="file",
        ) from None
    for member in members:
        service.record_created(session, actor, member)
    report.created = len(members)
    audit.record(
        session,
        actor,
        "members_imported",
        "village",
        village.code,
        rows=len(report.rows),
        created=report.created,
        already=report.count("exists"),
        wrong=report.count("error"),
    )
    session.commit()
    return report


def _check(session: Session, actor: Actor, village_code: str, rows: list[dict[str, str]]) -> list[ImportRow]:
    minimum = rates.minimum_income(session, today())
    checked = [
        (number, raw, *service.registration_problems(session, raw, village_code, True, minimum))
        for number, raw in enumerate(rows, start=2)
    ]
    registered = service.registered_niks(
        session, [values["nik"] for _n, _r, values, errors in checked if "nik" not in errors]
    )
    namesakes = _namesake_birth_dates(
        session, village_code, [values["birth_date"] for _n, _r, values, errors in checked if not errors]
    )
    seen: dict[str, int] = {}
    result = []
    for number, raw, values, errors in checked:
        nik = values["nik"]
        line = ImportRow(number, nik, values["full_name"], "ok", errors, values)
        result.append(line)
        if "nik" not in errors:
            owner = registered.get(nik)
            if nik in seen:
                errors["nik"] = _("The same NIK is on row %(row)s.", row=seen[nik])
            elif owner is not None and owner[0] == village_code:
                line.status, line.errors = "exists", {}
                continue
            elif owner is not None:
                errors["nik"] = service.nik_taken(owner[1]).message
            seen.setdefault(nik, number)
        if not errors and values["birth_date"] in namesakes:
            _refuse_namesake(session, actor, line, village_code, validation.as_bool(raw.get("confirm_not_duplicate")))
        if line.errors:
            line.status = "error"
    return result


def _namesake_birth_dates(session: Session, village_code: str, dates: Iterable[dt.date]) -> set[dt.date]:
    """Of these birth dates, those a member of the village has: only their rows can have a possible
    duplicate (one query per chunk instead of the duplicate check on every row)."""
    wanted = sorted(set(dates))
    found: set[dt.date] = set()
    for start in range(0, len(wanted), service.NIK_CHUNK):
        found.update(
            session.exec(
                select(col(Member.birth_date))
                .where(
                    Member.village_code == village_code,
                    col(Member.birth_date).in_(wanted[start : start + service.NIK_CHUNK]),
                )
                .distinct()
            ).all()
        )
    return found


def _refuse_namesake(session: Session, actor: Actor, line: ImportRow, village_code: str, confirmed: bool) -> None:
    """The registration's possible-duplicate rule (`rules.refuse_unconfirmed_duplicate`), its message
    pointing to the file's column instead of the form's box."""
    member = service.new_registration(actor, line.values, village_code, submit=True, now=utcnow())
    try:
        rules.refuse_unconfirmed_duplicate(session, member, confirmed)
    except rules.PossibleDuplicate as refused:
        line.errors["confirm_not_duplicate"] = _(
            "Already registered in this village with the same name and birth date, NIK %(niks)s. If this is "
            "a different person, write yes in the column “%(column)s”.",
            niks=", ".join(mask_nik(other.nik) for other in refused.others),
            column=HEADERS["confirm_not_duplicate"],
        )
