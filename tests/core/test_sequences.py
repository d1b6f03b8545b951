"""Counters for receipt and member numbers (app/core/sequences.py): a counter row on SQLite, a sequence
seeded from it on PostgreSQL, which holds no lock until the commit."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session

from app.core.sequences import Counter, next_value, sequence_name
from tests.conftest import throwaway_postgres


def test_a_counter_goes_on_after_its_row(db):
    db.add(Counter(name="uji-lanjut", value=41))
    db.flush()
    assert [next_value(db, "uji-lanjut") for _ in range(3)] == [42, 43, 44]


def test_a_new_counter_starts_at_one(db):
    assert [next_value(db, "uji-baru") for _ in range(2)] == [1, 2]


def test_the_sequence_name_is_a_plain_identifier():
    assert sequence_name("receipt-2026") == "counter_receipt_2026"


@pytest.fixture(scope="module")
def pg_engine():
    """A throw-away PostgreSQL database: these tests commit, and a sequence outlives a rolled-back test."""
    with throwaway_postgres("duta_seq") as engine:
        yield engine


def test_a_number_holds_no_lock_until_commit(pg_engine):
    with Session(pg_engine) as session:
        next_value(session, "uji-kunci")  # the first use makes the sequence
        session.commit()
    with Session(pg_engine) as first, Session(pg_engine) as second:
        taken = next_value(first, "uji-kunci")  # not committed yet
        # A counter row would stay locked by `first` until its commit: `second` would wait and time out.
        second.execute(text("SET LOCAL lock_timeout = '1s'"))
        assert next_value(second, "uji-kunci") == taken + 1
        second.commit()
        first.rollback()


def test_the_first_use_at_once_by_several_gives_distinct_numbers(pg_engine):
    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def take():
        with Session(pg_engine) as session:
            barrier.wait()
            try:
                numbers.append(next_value(session, "uji-serentak"))
                session.commit()
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(numbers) == [1, 2, 3, 4]


def test_a_sequence_made_in_a_rolled_back_transaction_is_made_again(pg_engine):
    with Session(pg_engine) as session:
        session.add(Counter(name="uji-batal", value=9))
        session.commit()
        assert next_value(session, "uji-batal") == 10
        session.rollback()  # the sequence goes with the transaction that made it
        assert next_value(session, "uji-batal") == 10
        session.commit()
        assert next_value(session, "uji-batal") == 11


def test_a_refused_creation_is_not_taken_for_a_concurrent_one(pg_engine):
    with Session(pg_engine) as session:
        # May read the counter table, may not create anything in the schema (PostgreSQL 15's default
        # for PUBLIC, made explicit for older servers).
        session.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        session.execute(text("CREATE ROLE duta_uji_tanpa_hak"))
        session.execute(text("GRANT SELECT ON counter TO duta_uji_tanpa_hak"))
        session.execute(text("SET LOCAL ROLE duta_uji_tanpa_hak"))
        with pytest.raises(ProgrammingError, match="permission denied for schema"):
            next_value(session, "uji-tanpa-hak")
        session.rollback()
