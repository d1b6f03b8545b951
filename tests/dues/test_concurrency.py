"""Concurrent payments for one member on PostgreSQL, with real committed transactions in threads.

These run in a throw-away PostgreSQL database of their own (dropped afterwards): committed rows and
the append-only audit log must not leak into the rolled-back databases of the other tests.
"""

import threading
import uuid

import pytest
from sqlmodel import Session, select

from app.core.clock import add_months, month_start, today
from app.dues import service
from app.dues.cover import replay, sort_key
from app.dues.models import Payment
from app.members.models import Member
from app.regions.service import load_regions
from tests.conftest import throwaway_postgres
from tests.factories import VILLAGE_A, actor_of, make_branch, make_member, make_user


@pytest.fixture(scope="module")
def pg_engine():
    with throwaway_postgres("duta_conc") as engine:
        with Session(engine) as session:
            load_regions(session)
        yield engine


@pytest.fixture
def setup(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        branch = make_branch(session, regencies=("12.07",))
        duta = make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
        member = make_member(session, duta, status="approved")
        actor = actor_of(session, duta)
    return actor, member.id


def _run_in_threads(pg_engine, calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def worker(index, call):
        with Session(pg_engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                results[index] = call(session)
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_concurrent_payments_for_one_member_lose_no_month(pg_engine, setup):
    actor, member_id = setup
    months = [1, 2, 3, 1, 2, 3]
    calls = [
        (lambda session, n=n: service.record_payment(session, actor, member_id, n, "tunai").payment.receipt_number)
        for n in months
    ]
    receipts = _run_in_threads(pg_engine, calls)
    assert len(set(receipts)) == len(months)
    with Session(pg_engine) as session:
        member = session.get(Member, member_id)
        payments = sorted(session.exec(select(Payment).where(Payment.member_id == member_id)).all(), key=sort_key)
        this_month = month_start(today())
        # Every month paid for is covered, one after the other, starting this month.
        assert member.covered_until == add_months(this_month, sum(months) - 1)
        assert [(p.cover_from, p.cover_to) for p in payments] == replay(payments)[1]
        covered = [
            m
            for p in payments
            for m in range(p.cover_from.year * 12 + p.cover_from.month, p.cover_to.year * 12 + p.cover_to.month + 1)
        ]
        assert len(covered) == len(set(covered)) == sum(months)


def test_concurrent_double_submit_records_once(pg_engine, setup):
    actor, member_id = setup
    key = f"double-{uuid.uuid4().hex}"
    calls = [
        (
            lambda session: (
                service.record_payment(
                    session, actor, member_id, 2, "tunai", idempotency_key=key
                ).payment.receipt_number
            )
        )
        for _ in range(3)
    ]
    receipts = _run_in_threads(pg_engine, calls)
    assert len(set(receipts)) == 1
    with Session(pg_engine) as session:
        assert len(session.exec(select(Payment).where(Payment.member_id == member_id)).all()) == 1
        member = session.get(Member, member_id)
        assert member.covered_until == add_months(month_start(today()), 1)


def test_concurrent_void_and_payment_keep_cover_right(pg_engine):
    """A void and a new payment at once: each replays with the other's change (the member row lock)."""
    with Session(pg_engine, expire_on_commit=False) as session:
        branch = make_branch(session, regencies=("12.07",))
        duta = make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
        cabang = make_user(session, "cabang", branch_code=branch.code)
        duta_actor, cabang_actor = actor_of(session, duta), actor_of(session, cabang)
        members = [make_member(session, duta, status="approved").id for _ in range(5)]
        first = [service.record_payment(session, duta_actor, m, 2, "tunai").payment.receipt_number for m in members]
    for member_id, receipt in zip(members, first, strict=False):
        _run_in_threads(
            pg_engine,
            [
                lambda session, r=receipt: service.void_payment(session, cabang_actor, r, "salah"),
                lambda session, m=member_id: service.record_payment(session, duta_actor, m, 3, "bank", reference="X"),
            ],
        )
    with Session(pg_engine) as session:
        for member_id in members:
            member = session.get(Member, member_id)
            valid = sorted(
                session.exec(select(Payment).where(Payment.member_id == member_id, Payment.status == "valid")).all(),
                key=sort_key,
            )
            assert len(valid) == 1
            assert member.covered_until == replay(valid)[0]
            assert (valid[0].cover_from, valid[0].cover_to) == replay(valid)[1][0]
