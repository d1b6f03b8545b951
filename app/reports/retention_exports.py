"""The retention report as files: the cohort table as CSV; the cohorts, the villages with the highest lapse
rate, and the lapse rates by kind of event and by channel as the sheets of one XLSX workbook.

Column names and labels are Indonesian whatever the interface language, as the other exports
(app/reports/exports.py: the same writers, formula neutralisation and audit entry)."""

import datetime as dt
from collections.abc import Iterator

from sqlmodel import Session

from app.auth.scope import Actor, require_role
from app.core.i18n import in_locale
from app.dues.models import Channel
from app.events.models import EventKind
from app.reports.exports import EXPORT_ROLES, MONTH, csv_lines, log_export, xlsx_sheets
from app.reports.retention import HORIZONS, NONE, retention
from app.reports.scope import Scope, parse_scope

COHORT_HEADERS = [
    "Bulan pertama terlindungi",
    "Peserta",
    *(f"Aktif setelah {n} bulan" for n in HORIZONS),
    *(f"Aktif setelah {n} bulan (%)" for n in HORIZONS),
]
COHORT_KINDS = {0: MONTH}
LAPSE_HEADERS = ["Peserta", "Nonaktif", "Tingkat nonaktif (%)"]
VILLAGE_HEADERS = ["Kode", "Desa", "Kecamatan", *LAPSE_HEADERS]
EVENT_HEADERS = ["Jenis kegiatan", *LAPSE_HEADERS]
CHANNEL_HEADERS = ["Cara bayar pertama", *LAPSE_HEADERS]
NO_EVENT = "Tanpa kegiatan"


def _event_kind(kind: str, kinds: dict[str, str]) -> str:
    return NO_EVENT if kind == NONE else kinds.get(kind, kind)


def cohort_rows(data: dict) -> list[list]:
    rows = []
    for row in data["cohorts"]:
        month = dt.date.fromisoformat(row["month"] + "-01")
        counts = [row["active_after"][str(n)] for n in HORIZONS]
        shares = [row["percent_after"][str(n)] for n in HORIZONS]
        rows.append([month, row["members"], *counts, *shares])
    return rows


def _lapse(row: dict) -> list:
    return [row["members"], row["lapsed"], row["percent"]]


def prepare(session: Session, actor: Actor, scope_text: str | None, fmt: str) -> tuple[Scope, dict]:
    """Checks scope (404) and role (403), computes the report and logs the export (rows: cohorts)."""
    scope = parse_scope(session, actor, scope_text)
    require_role(actor, *EXPORT_ROLES)
    data = retention(session, actor, scope.key)
    log_export(session, actor, "retention", scope, len(data["cohorts"]), fmt)
    return scope, data


def retention_csv(data: dict) -> Iterator[bytes]:
    return csv_lines(COHORT_HEADERS, cohort_rows(data), COHORT_KINDS)


def retention_xlsx(data: dict) -> bytes:
    with in_locale("id"):  # the files' language, whatever the page's
        kinds, channels = EventKind.labels(), Channel.labels()
    return xlsx_sheets(
        [
            ("Kohort", COHORT_HEADERS, cohort_rows(data), COHORT_KINDS),
            (
                "Desa",
                VILLAGE_HEADERS,
                [[row["code"], row["name"], row["district"], *_lapse(row)] for row in data["by_village"]],
                {},
            ),
            (
                "Jenis kegiatan",
                EVENT_HEADERS,
                [[_event_kind(r["kind"], kinds), *_lapse(r)] for r in data["by_event_kind"]],
                {},
            ),
            (
                "Cara bayar",
                CHANNEL_HEADERS,
                [[channels.get(r["channel"], r["channel"]), *_lapse(r)] for r in data["by_channel"]],
                {},
            ),
        ]
    )
