"""Rows of an uploaded spreadsheet (CSV or XLSX), as text, bounded: the files partners and the core
system send (KPJ numbers, settlements, groups of members)."""

import csv
import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from app.core.errors import Invalid
from app.core.i18n import _

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
MAX_COLUMNS = 30


def read_rows(filename: str, content: bytes, field: str = "file") -> list[list[str]]:
    """Every row of the file's first sheet as stripped text cells, the header row included."""
    if not content:
        raise Invalid({field: _("Choose a file.")})
    if len(content) > MAX_BYTES:
        raise Invalid({field: _("The file is larger than %(n)s MB.", n=MAX_BYTES // 1_000_000)})
    name = (filename or "").lower()
    try:
        rows = _xlsx_rows(content) if name.endswith(".xlsx") else _csv_rows(content)
    except (ValueError, KeyError, zipfile.BadZipFile, csv.Error, UnicodeDecodeError):
        raise Invalid({field: _("The file cannot be read: send it as CSV or XLSX.")}) from None
    if len(rows) > MAX_ROWS + 1:
        raise Invalid({field: _("At most %(n)s rows in one file.", n=MAX_ROWS)})
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed in a spreadsheet cell: 12345678901.0
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()  # a date cell: openpyxl reads every date as a datetime at midnight
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
    rows = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append([_cell(value) for value in row[:MAX_COLUMNS]])
        if len(rows) > MAX_ROWS + 1:
            break
    return [row for row in rows if any(row)]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return [row for row in rows if any(row)]
    finally:
        workbook.close()
