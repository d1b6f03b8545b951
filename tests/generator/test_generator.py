"""The data generator at small size, on a fresh SQLite file and a fresh PostgreSQL database: the data
it writes obeys the same rules as data entered through the app."""

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

import app.generator as generator_package
from app.core.clock import month_start, to_wib
from app.core.clock import today as wib_today
from app.core.sequences import next_value
from app.demo import DEMO_MEMBERS, DEMO_VILLAGE, load_demo
from app.dues.cover import CoverInput, replay
from app.dues.receipts import format_receipt_number, receipt_counter
from app.generator import generate
from app.members.validation import check_nik, nik_agreement
from app.rates.service import monthly_contribution
from app.workflows.approvals import MEMBER_NUMBER_COUNTER, format_member_number
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


def test_planner_statistics_fresh(generated):
    """The load ends with ANALYZE: without statistics PostgreSQL took the 2 million payments for a few
    and read them all for one member's payments (100 ms a payment at 200.000 members)."""
    engine, connection, _report = generated
    if engine.dialect.name == "sqlite":
        analysed = {row[0] for row in rows(connection, "SELECT tbl FROM sqlite_stat1")}
    else:
        analysed = {
            row[0] for row in rows(connection, "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        }
    assert {"member", "payment", "deposit"} <= analysed


def test_niks_unique_and_valid(generated):
    """Each NIK passes the registration form's checks (app.members.validation) against the member's
    sex and birth date, at the age the member registered."""
    _engine, connection, _report = generated
    members = rows(connection, "SELECT nik, sex, birth_date, village_code, created_at FROM member")
    niks = [m[0] for m in members]
    assert len(set(niks)) == len(niks)
    for nik, sex, birth, village, created in members:
        checked = check_nik(nik, DAY)
        assert nik[:6] == village.replace(".", "")[:6]
        assert checked.province_code in ("11", "12")
        assert nik_agreement(checked, sex, as_date(birth), as_date(created)) == {}


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
    """Every member's cover and each payment's span are what app.dues.cover.replay makes of the member's
    valid payments (in the app's order: payment date, then id)."""
    _engine, connection, _report = generated
    history = defaultdict(list)
    for member_id, paid_on, months, cover_from, cover_to, payment_id in rows(
        connection,
        "SELECT member_id, paid_on, months, cover_from, cover_to, id FROM payment WHERE status = 'valid' "
        "ORDER BY member_id, paid_on, id",
    ):
        history[member_id].append(
            (CoverInput(as_date(paid_on), months, payment_id), (as_date(cover_from), as_date(cover_to)))
        )
    members = rows(connection, "SELECT id, status, covered_until, first_covered FROM member")
    assert history, "no payments"
    for member_id, status, covered_until, first_covered in members:
        payments = history.get(member_id, [])
        if status != "approved":
            assert payments == []
        until, spans = replay(p[0] for p in payments)
        assert (as_date(covered_until) if covered_until else None) == until
        assert (as_date(first_covered) if first_covered else None) == (spans[0][0] if spans else None)
        assert [p[1] for p in payments] == spans
        assert all(p[0].paid_on <= DAY for p in payments)
        paid_days = [p[0].paid_on for p in payments]
        assert len(set(paid_days)) == len(paid_days)


def test_amounts_are_the_apps_contribution(generated):
    """Each payment's monthly amount is app.rates' contribution for the member in the payment's month."""
    engine, connection, _report = generated
    with Session(engine) as session:
        for income, jht, occupation, paid_on, monthly, months, amount in rows(
            connection,
            "SELECT m.monthly_income, m.jht, m.occupation, p.paid_on, p.monthly_amount, p.months, p.amount "
            "FROM payment p JOIN member m ON m.id = p.member_id",
        ):
            expected = monthly_contribution(session, income, bool(jht), occupation, month_start(as_date(paid_on)))
            assert monthly == expected.total
            assert amount == months * monthly
            assert 1 <= months <= 12


def test_receipts_member_numbers_and_deposits(generated):
    """Receipt numbers are the app's (year of recording, that year's counter), member numbers are the
    approvals' (year of decision, region-wide counter), and the counters stand at the last ones."""
    _engine, connection, _report = generated
    receipts = rows(connection, "SELECT receipt_number, recorded_at FROM payment")
    assert len({r[0] for r in receipts}) == len(receipts)
    counters = dict(rows(connection, "SELECT name, value FROM counter"))
    last = defaultdict(int)
    for number, recorded_at in receipts:
        year = to_wib(recorded_at if isinstance(recorded_at, dt.datetime) else dt.datetime.fromisoformat(recorded_at))
        serial = int(number.rsplit("-", 1)[1])
        assert number == format_receipt_number(year.year, serial)
        last[year.year] = max(last[year.year], serial)
    assert {receipt_counter(year): serial for year, serial in last.items()}.items() <= counters.items()
    numbers = rows(connection, "SELECT member_number, decided_at FROM member WHERE member_number IS NOT NULL")
    for number, decided_at in numbers:
        decided = to_wib(decided_at if isinstance(decided_at, dt.datetime) else dt.datetime.fromisoformat(decided_at))
        assert number == format_member_number(decided.year, int(number[2:]))
    assert counters[MEMBER_NUMBER_COUNTER] == max(int(n[2:]) for n, _ in numbers) == len(numbers)
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


def test_refuses_a_database_generated_into(generated):
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
        assert next_value(session, MEMBER_NUMBER_COUNTER) > max(members)
        session.rollback()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_generates_after_the_demo(kind, tmp_path_factory):
    """`duta demo --members N`: the demo's accounts, members and numbers first (on PostgreSQL its numbers
    made the counters' sequences), then generated data going round them; the app's next numbers follow."""
    with migrated_database(kind, "duta_gen_demo", tmp_path_factory) as engine:
        with Session(engine) as session:
            load_demo(session)
            session.commit()
        report = generate(engine, 80, seed=3)
        with engine.connect() as connection:
            assert rows(connection, "SELECT count(*) FROM member")[0][0] == 80 + len(DEMO_MEMBERS) == report.members + 8
            receipts = [r[0] for r in rows(connection, "SELECT receipt_number FROM payment")]
            assert len(set(receipts)) == len(receipts)
            numbers = [
                int(n[2:])
                for (n,) in rows(connection, "SELECT member_number FROM member WHERE member_number IS NOT NULL")
            ]
            assert len(set(numbers)) == len(numbers)
            stages = rows(
                connection,
                "SELECT stage, count(*) FROM stage_change WHERE village_code = :v GROUP BY stage",
                v=DEMO_VILLAGE,
            )
            assert all(count == 1 for _stage, count in stages)
        with Session(engine) as session:
            year = wib_today().year
            assert next_value(session, receipt_counter(year)) > max(
                int(r.rsplit("-", 1)[1]) for r in receipts if r.startswith(f"KW-{year}-")
            )
            assert next_value(session, MEMBER_NUMBER_COUNTER) > max(numbers)
            session.rollback()


def test_writes_through_sqlalchemy_only():
    """No DBAPI cursor, COPY or SQL text in the generator: it writes with Core statements through the session."""
    for path in Path(generator_package.__file__).parent.glob("*.py"):
        source = path.read_text()
        for banned in (
            r"raw_connection",
            r"driver_connection",
            r"\bcursor\b",
            r"\bCOPY\b",
            r"\btext\(",
            r"exec_driver",
        ):
            assert not re.search(banned, source), (path.name, banned)


def test_officials_rosters_behind_the_stage(generated):
    """A village at `perangkat_terlindungi` or beyond has a roster: its head and secretary first, each an
    approved member of that village, as the stage's evidence names them."""
    _engine, connection, _report = generated
    villages = rows(
        connection,
        "SELECT code FROM village WHERE stage IN ('perangkat_terlindungi', 'diresmikan')",
    )
    checked = 0
    for (code,) in villages:
        roster = rows(
            connection,
            "SELECT o.position, o.name, m.member_number, m.status, m.village_code FROM village_official o"
            " JOIN member m ON m.id = o.member_id WHERE o.village_code = :code ORDER BY o.rank",
            code=code,
        )
        if not roster:
            continue  # the demo's village or a village staged before the load keeps its own history
        assert [r[0] for r in roster[:2]] == ["kepala_desa", "sekretaris_desa"]
        assert all(r[3] == "approved" and r[4] == code for r in roster)
        (evidence,) = rows(
            connection,
            "SELECT evidence FROM stage_change WHERE village_code = :code AND stage = 'perangkat_terlindungi'",
            code=code,
        )[0]
        named = [o["member_number"] for o in json.loads(evidence)["officials"]]
        assert named == [r[2] for r in roster]
        checked += 1
    assert checked > 0
