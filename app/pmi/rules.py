"""The PMI protection package (a dated table: the one in force on the payment day applies) and the
phases of cover it buys.

From Permenaker 4/2023, article 18: Rp37.500 for before placement, and for during and after placement
by the length of the work contract, Rp332.500 for 24 months, Rp189.000 for 12 and Rp108.000 for 6;
each month of a contract beyond that length Rp13.500, paid at once with the rest. The table's start day
is the first of the month the regulation was issued (March 2023), not a day read from its text."""

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
    extension_monthly: int  # whole rupiah for each month of a contract beyond its package


PACKAGE_TABLES: tuple[PackageTable, ...] = (
    PackageTable(
        dt.date(2023, 3, 1),
        "Permenaker 4/2023",
        (
            Package("6_bulan", 6, 37_500, 108_000),
            Package("12_bulan", 12, 37_500, 189_000),
            Package("24_bulan", 24, 37_500, 332_500),
        ),
        13_500,
    ),
)
# A work contract abroad of at most five years: a longer one is a typing mistake.
MIN_CONTRACT_MONTHS, MAX_CONTRACT_MONTHS = 1, 60
# The usual contract, and what the API assumes when none is given (as before contracts were asked).
DEFAULT_CONTRACT_MONTHS = 24


@dataclass(frozen=True)
class Priced:
    """What a contract of some months pays: a package and the months beyond it at the monthly rate."""

    package: Package
    extension_months: int
    extension_amount: int

    @property
    def amount(self) -> int:
        return self.package.amount + self.extension_amount

    @property
    def months(self) -> int:
        """The months covered: the package's and those beyond it."""
        return self.package.months + self.extension_months


def price_on(day: dt.date, contract_months: int) -> Priced | None:
    """The cheapest cover of a contract of `contract_months` with the table in force on the day: a package
    at least as long, or a shorter one with the months beyond it at the monthly rate (a 30-month
    contract: 24 months and 6 more; 9 months: 6 and 3 more, cheaper than 12; 23: the 24-month package)."""
    table, packages = packages_on(day)
    if table is None:
        return None
    options = [
        Priced(package, extra, extra * table.extension_monthly)
        for package in packages
        for extra in [max(0, contract_months - package.months)]
    ]
    # At the same price, the package itself rather than a shorter one with months beyond it.
    return min(options, key=lambda option: (option.amount, option.extension_months))


def packages_on(day: dt.date) -> tuple[PackageTable | None, tuple[Package, ...]]:
    """The table in force on the day and its packages (none before the first table)."""
    tables = [table for table in PACKAGE_TABLES if table.effective_from <= day]
    if not tables:
        return None, ()
    table = max(tables, key=lambda t: t.effective_from)
    return table, table.packages


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
