"""The data generator at small size, on a fresh SQLite file and a fresh PostgreSQL database: the data
it writes obeys the same rules as data entered through the app."""

import datetime as dt
import re
from collections import defaultdict

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.core.sequences import next_value
from app.generator import MEMBER_COUNTER, generate, receipt_counter, replay_cover
from tests.conftest import migrated_database

MEMBERS = 300
DAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def generated(request, tmp_path_factory):
    with migrated_database(request.param, "duta_gen", tmp_path_factory) as engine:
        report = generate(engine, MEMBERS, seed=7, day=DAY)
        with engine.connect() as connection:
            yield engine, connection, report


def rows(connection, sql, **params):
    return connection.execute(text(sql), params).all()


def as_date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_counts_as_requested(generated):
    _engine, connection, report = generated
    assert rows(connection, "SELECT count(*) FROM member")[0][0] == MEMBERS == report.members
    payments = rows(connection, "SELECT count(*) FROM payment")[0][0]
    assert payments == report.payments
    # About a dozen payments per member (lapses and restarts included).
    assert 8 * MEMBERS <= payments <= 16 * MEMBERS
    statuses = dict(rows(connection, "SELECT status, count(*) FROM member GROUP BY status"))
    assert statuses["approved"] > 0.8 * MEMBERS
    assert statuses == report.status_counts


def test_niks_unique_and_valid(generated):
    _engine, connection, _report = generated
    members = rows(connection, "SELECT nik, sex, birth_date, village_code, created_at FROM member")
    niks = [m[0] for m in members]
    assert len(set(niks)) == len(niks)
    for nik, sex, birth, village, created in members:
        birth = as_date(birth)
        assert re.fullmatch(r"\d{16}", nik)
        assert nik[:6] == village.replace(".", "")[:6]
        assert nik[:2] in ("11", "12")
        day = int(nik[6:8]) - (40 if sex == "P" else 0)
        assert (day, int(nik[8:10]), int(nik[10:12])) == (birth.day, birth.month, birth.year % 100)
        assert nik[12:] != "0000"
        registered = as_date(created)
        age = registered.year - birth.year - ((registered.month, registered.day) < (birth.month, birth.day))
        assert age >= 15


def test_member_fields_follow_the_rules(generated):
    _engine, connection, _report = generated
    for phone, income, occupation, status, number in rows(
        connection, "SELECT phone, monthly_income, occupation, status, member_number FROM member"
    ):
        assert re.fullmatch(r"\+628\d{8,11}", phone)
        assert income >= 1_000_000
        assert occupation in (
            "petani",
            "nelayan",
            "pedagang",
            "ojek",
            "buruh_harian",
            "pengrajin",
            "usaha_mikro",
            "lainnya",
        )
        assert (number is not None) == (status == "approved")
    # Each member registered by a duta account of its own village.
    strangers = rows(
        connection,
        """
        SELECT count(*) FROM member m JOIN "user" u ON u.id = m.registered_by_id
        WHERE u.role <> 'duta' OR NOT EXISTS (
            SELECT 1 FROM user_village uv WHERE uv.user_id = u.id AND uv.village_code = m.village_code)""",
    )
    assert strangers[0][0] == 0


def test_cover_is_the_replay_of_valid_payments(generated):
    _engine, connection, _report = generated
    history = defaultdict(list)
    for member_id, paid_on, months, cover_from, cover_to, _pid in rows(
        connection,
        "SELECT member_id, paid_on, months, cover_from, cover_to, id FROM payment WHERE status = 'valid' "
        "ORDER BY member_id, paid_on, id",
    ):
        history[member_id].append((as_date(paid_on), months, as_date(cover_from), as_date(cover_to)))
    members = rows(connection, "SELECT id, status, covered_until, first_covered FROM member")
    assert history, "no payments"
    for member_id, status, covered_until, first_covered in members:
        payments = history.get(member_id, [])
        if status != "approved":
            assert payments == []
        first, until, spans = replay_cover((p[0], p[1]) for p in payments)
        assert (as_date(covered_until) if covered_until else None) == until
        assert (as_date(first_covered) if first_covered else None) == first
        assert [(p[2], p[3]) for p in payments] == spans
        # Spans follow one another without overlapping.
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start > end
        assert all(p[0] <= DAY for p in payments)
        paid_days = [p[0] for p in payments]
        assert len(set(paid_days)) == len(paid_days)


def test_amounts_receipts_and_deposits(generated):
    _engine, connection, _report = generated
    receipts = rows(connection, "SELECT receipt_number FROM payment")
    assert len({r[0] for r in receipts}) == len(receipts)
    bad = rows(
        connection,
        "SELECT count(*) FROM payment WHERE amount <> months * monthly_amount "
        "OR monthly_amount < 16800 OR months < 1 OR months > 12",
    )
    assert bad[0][0] == 0
    # The member's contribution: JKK 1 % + JKM Rp6.800 (+ JHT 2 %).
    for income, jht, monthly in rows(
        connection,
        "SELECT m.monthly_income, m.jht, p.monthly_amount FROM payment p JOIN member m ON m.id = p.member_id",
    ):
        assert monthly == (income * 100 + 5000) // 10000 + 6800 + ((income * 200 + 5000) // 10000 if jht else 0)
    mismatched = rows(
        connection,
        """
        SELECT count(*) FROM deposit d WHERE d.total <> (
            SELECT coalesce(sum(p.amount), 0) FROM payment p WHERE p.deposit_id = d.id)""",
    )
    assert mismatched[0][0] == 0
    assert (
        rows(connection, "SELECT count(*) FROM payment WHERE deposit_id IS NOT NULL AND channel <> 'tunai'")[0][0] == 0
    )
    counters = dict(rows(connection, "SELECT name, value FROM counter"))
    # Later receipts of the app (KW-<year>-<counter>) never collide with generated ones.
    for (number,) in receipts:
        _kw, year, serial = number.split("-")
        assert counters[receipt_counter(int(year))] >= int(serial)
    numbers = rows(connection, "SELECT member_number FROM member WHERE member_number IS NOT NULL")
    assert all(len(n) == 11 and n.isdigit() and int(n[2:]) <= counters[MEMBER_COUNTER] for (n,) in numbers)
    approved = rows(connection, "SELECT count(*) FROM member WHERE member_number IS NOT NULL")[0][0]
    assert counters[MEMBER_COUNTER] >= approved


def test_stages_events_and_targets(generated):
    _engine, connection, _report = generated
    order = ["calon", "sosialisasi", "duta", "perangkat_terlindungi", "diresmikan"]
    changes = defaultdict(list)
    for code, stage, reached in rows(
        connection, "SELECT village_code, stage, reached_on FROM stage_change ORDER BY village_code, id"
    ):
        changes[code].append((stage, as_date(reached)))
    assert changes
    for code, history in changes.items():
        assert [s for s, _ in history] == order[: len(history)]
        assert [d for _, d in history] == sorted(d for _, d in history)
        village = rows(connection, "SELECT stage FROM village WHERE code = :code", code=code)[0]
        assert village[0] == history[-1][0]
    assert rows(connection, "SELECT count(*) FROM event")[0][0] > 0
    assert rows(connection, "SELECT count(*) FROM target WHERE level = 'region'")[0][0] == 3
    assert rows(connection, "SELECT count(*) FROM village WHERE estimated_informal_workers IS NULL")[0][0] == 0


def test_refuses_a_database_with_members(generated):
    engine, _connection, _report = generated
    with pytest.raises(ValueError):
        generate(engine, 10, day=DAY)


def test_the_apps_next_numbers_follow_the_loaded_ones(generated):
    """On PostgreSQL the app's first number makes its sequence, starting after the counter the load set."""
    engine, connection, _report = generated
    last = defaultdict(int)
    for (number,) in rows(connection, "SELECT receipt_number FROM payment"):
        _kw, year, serial = number.split("-")
        last[int(year)] = max(last[int(year)], int(serial))
    members = [
        int(n[2:]) for (n,) in rows(connection, "SELECT member_number FROM member WHERE member_number IS NOT NULL")
    ]
    with Session(engine) as session:
        for year, serial in last.items():
            assert next_value(session, receipt_counter(year)) > serial
        assert next_value(session, MEMBER_COUNTER) > max(members)
        session.rollback()
