"""The PMI protection package (a dated table: the one in force on the payment day applies) and the
phases of cover it buys.

From Permenaker 4/2023, as the issue gives it: one payment of Rp370.000 covers 24 months in all,
Rp37.500 of it for before placement and Rp332.500 for during and after placement. The regulation also
has shorter packages and a monthly extension; their figures are not in this table until someone with the
regulation's text adds them (a row each, beside this one). The table's start day is the first of the
month the regulation was issued (March 2023), not a day read from its text."""

import datetime as dt
from dataclasses import dataclass

from babel.support import LazyProxy

from app.core.i18n import lazy_gettext


@dataclass(frozen=True)
class Package:
    code: str
    months: int
    before: int  # whole rupiah, before placement
    during_after: int  # whole rupiah, during and after placement

    @property
    def amount(self) -> int:
        return self.before + self.during_after


@dataclass(frozen=True)
class PackageTable:
    effective_from: dt.date
    source: str
    packages: tuple[Package, ...]


PACKAGE_TABLES: tuple[PackageTable, ...] = (
    PackageTable(dt.date(2023, 3, 1), "Permenaker 4/2023", (Package("24_bulan", 24, 37_500, 332_500),)),
)


def packages_on(day: dt.date) -> tuple[PackageTable | None, tuple[Package, ...]]:
    """The table in force on the day and its packages (none before the first table)."""
    tables = [table for table in PACKAGE_TABLES if table.effective_from <= day]
    if not tables:
        return None, ()
    table = max(tables, key=lambda t: t.effective_from)
    return table, table.packages


def package_on(code: str, day: dt.date) -> Package | None:
    return next((package for package in packages_on(day)[1] if package.code == code), None)


def cover_until(paid_on: dt.date, months: int) -> dt.date:
    """The last day covered: the day before the same day `months` later (the month's last day when
    that month is shorter)."""
    index = paid_on.year * 12 + paid_on.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(paid_on.day, last)) - dt.timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")  # pragma: no cover


@dataclass(frozen=True)
class Phase:
    label: LazyProxy
    start: dt.date
    end: dt.date  # the last day covered


def phases(paid_on: dt.date, departure_on: dt.date, cover_until: dt.date) -> tuple[Phase, ...]:
    """Before placement from the payment day to the day before departure; during and after placement
    from departure to the end of the package (the contract's end, which splits the two, is not kept)."""
    all_phases = (
        Phase(lazy_gettext("Before placement"), paid_on, departure_on - dt.timedelta(days=1)),
        Phase(lazy_gettext("During and after placement"), departure_on, cover_until),
    )
    return tuple(phase for phase in all_phases if phase.start <= phase.end)  # leaving on the payment day: none before
