"""The package table in force on the payment day, the cover's end and its phases."""

import datetime as dt

import pytest

from app.pmi.rules import PACKAGE_TABLES, cover_until, packages_on, phases, price_on


def test_the_table_in_force_on_the_day():
    first = PACKAGE_TABLES[0].effective_from
    assert packages_on(first - dt.timedelta(days=1)) == (None, ())
    table, packages = packages_on(first)
    assert table is PACKAGE_TABLES[0] and table.source == "Permenaker 4/2023"
    # Permenaker 4/2023 article 18: before placement, then during and after by the contract's length.
    assert [(p.code, p.months, p.before, p.during_after, p.amount) for p in packages] == [
        ("6_bulan", 6, 37_500, 108_000, 145_500),
        ("12_bulan", 12, 37_500, 189_000, 226_500),
        ("24_bulan", 24, 37_500, 332_500, 370_000),
    ]
    assert table.extension_monthly == 13_500
    assert price_on(first - dt.timedelta(days=1), 24) is None


@pytest.mark.parametrize(
    "contract, package, extension, amount",
    [
        (24, "24_bulan", 0, 370_000),
        (6, "6_bulan", 0, 145_500),
        (3, "6_bulan", 0, 145_500),  # a short contract: the shortest package
        (30, "24_bulan", 6, 370_000 + 6 * 13_500),  # beyond the longest: each month more
        (9, "6_bulan", 3, 145_500 + 3 * 13_500),  # cheaper than the 12-month package
        (11, "6_bulan", 5, 145_500 + 5 * 13_500),  # 213.000: less than the 12-month package's 226.500
        (12, "12_bulan", 0, 226_500),  # 6 and 6 more (226.500) costs the same: the package itself
        (23, "24_bulan", 0, 370_000),  # 12 and 11 more (375.000) costs more than 24
        (60, "24_bulan", 36, 370_000 + 36 * 13_500),
    ],
)
def test_a_contract_pays_its_cheapest_cover(contract, package, extension, amount):
    priced = price_on(dt.date(2026, 12, 7), contract)
    assert priced is not None
    assert (priced.package.code, priced.extension_months, priced.amount) == (package, extension, amount)
    assert priced.months == max(contract, priced.package.months)


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
