"""The package table in force on the payment day, the cover's end and its phases."""

import datetime as dt

from app.pmi.rules import PACKAGE_TABLES, cover_until, package_on, packages_on, phases


def test_the_table_in_force_on_the_day():
    first = PACKAGE_TABLES[0].effective_from
    assert packages_on(first - dt.timedelta(days=1)) == (None, ())
    table, packages = packages_on(first)
    assert table is PACKAGE_TABLES[0] and table.source == "Permenaker 4/2023"
    package = package_on("24_bulan", dt.date(2026, 12, 7))
    assert package is not None
    assert (package.months, package.before, package.during_after, package.amount) == (24, 37_500, 332_500, 370_000)
    assert package_on("24_bulan", first - dt.timedelta(days=1)) is None


def test_cover_runs_the_package_months_from_the_payment_day():
    assert cover_until(dt.date(2026, 12, 7), 24) == dt.date(2028, 12, 6)
    # A day the later month lacks: up to that month's last day, less one.
    assert cover_until(dt.date(2026, 2, 28), 24) == dt.date(2028, 2, 27)
    assert cover_until(dt.date(2025, 12, 31), 2) == dt.date(2026, 2, 27)


def test_phases_before_and_from_departure():
    paid, leaving, until = dt.date(2026, 12, 7), dt.date(2027, 1, 10), dt.date(2028, 12, 6)
    before, during = phases(paid, leaving, until)
    assert (before.start, before.end) == (paid, dt.date(2027, 1, 9))
    assert (during.start, during.end) == (leaving, until)
    # Leaving on the payment day: no time before placement.
    (only,) = phases(paid, paid, until)
    assert only.start == paid
