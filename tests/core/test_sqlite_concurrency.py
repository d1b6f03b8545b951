"""Concurrent state-changing requests through the real `get_session` path, on a real database file.

A request's transaction reads first (scope, the member) and writes later. On SQLite a deferred
transaction cannot then wait for the write lock ("database is locked", HTTP 500); `get_session` begins
state-changing requests with BEGIN IMMEDIATE instead, which waits on busy_timeout. On PostgreSQL row
locks serialise the payments of one member. Each backend gets a fresh copy of the migrated test database, so the rows
committed here never reach other tests.
"""

import datetime as dt
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select
from starlette.requests import Request

from app.auth.deps import any_api_actor, optional_web_actor
from app.auth.service import start_web_session
from app.core import db as core_db
from app.core.clock import add_months, month_start, today
from app.core.security import issue_token
from app.dues import deposits
from app.dues import service as dues_service
from app.dues.models import Payment
from app.members.models import Member
from tests.factories import VILLAGE_A, actor_of, make_branch, make_member, make_user, valid_nik

MEMBERS = 4
PAYMENTS_EACH = 5  # months paid for one member by concurrent requests: none may be lost
REGISTRATIONS = 10


def _registration(n: int, village: str) -> dict:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=n)
    return {
        "nik": valid_nik(birth, "L", region=village.replace(".", "")[:6], serial=7000 + n),
        "full_name": f"Warga Serentak {n}",
        "sex": "L",
        "birth_date": birth.isoformat(),
        "phone": f"08127{n:07d}",
        "address": "Jl. Serentak No. 1",
        "village_code": village,
        "occupation": "petani",
        "monthly_income": 1_000_000,
        "jht": False,
        "heir_name": "Siti",
        "heir_relation": "istri",
        "consent": True,
    }


def test_concurrent_payments_and_registrations_all_succeed(server):
    base, app_engine = server
    with Session(app_engine, expire_on_commit=False) as session:
        duta = make_user(session, "duta", villages=(VILLAGE_A,))
        members = [make_member(session, duta, status="approved").id for _ in range(MEMBERS)]
        before = session.exec(select(func.count()).select_from(Member)).one()
    headers = {"Authorization": f"Bearer {issue_token(duta.id, duta.credentials_version)}"}

    jobs = [("pay", member_id) for member_id in members for _ in range(PAYMENTS_EACH)]
    jobs += [("register", n) for n in range(REGISTRATIONS)]
    start = threading.Barrier(len(jobs))

    def send(job):
        kind, value = job
        with httpx.Client(base_url=base, timeout=60) as client:
            request_headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            start.wait()  # everyone at once
            if kind == "pay":
                return kind, client.post(
                    f"/api/v1/members/{value}/payments", headers=request_headers, json={"months": 1, "channel": "tunai"}
                )
            return kind, client.post("/api/v1/members", headers=request_headers, json=_registration(value, VILLAGE_A))

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(send, jobs))

    failures = [
        (kind, response.status_code, response.text[:200]) for kind, response in answers if response.status_code != 201
    ]
    assert failures == []
    receipts = [response.json()["receipt_number"] for kind, response in answers if kind == "pay"]
    assert len(set(receipts)) == len(receipts) == MEMBERS * PAYMENTS_EACH

    this_month = month_start(today())
    with Session(app_engine) as session:
        for member_id in members:
            member = session.get(Member, member_id)
            # Five one-month payments from no cover: this month and the next four, none lost.
            assert member.covered_until == add_months(this_month, PAYMENTS_EACH - 1)
            spans = sorted(
                (p.cover_from, p.cover_to)
                for p in session.exec(select(Payment).where(Payment.member_id == member_id)).all()
            )
            assert spans == [(add_months(this_month, i), add_months(this_month, i)) for i in range(PAYMENTS_EACH)]
        assert session.exec(select(func.count()).select_from(Member)).one() == before + REGISTRATIONS


def test_reads_stay_deferred_and_writes_begin_immediate(engine):
    """The begin listener: a state-changing session takes SQLite's write lock at BEGIN; a read does not."""
    if engine.dialect.name != "sqlite":
        assert core_db.writer_engine(engine) is engine  # PostgreSQL: plain transactions and row locks
        return
    writer = core_db.writer_engine(engine)
    assert core_db.writer_engine(engine) is writer
    probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    try:
        for bind, holds_write_lock in ((engine, False), (writer, True)):
            with Session(bind) as session:
                session.execute(text("SELECT 1"))
                try:
                    probe.execute("BEGIN IMMEDIATE")
                    probe.execute("ROLLBACK")
                    locked = False
                except sqlite3.OperationalError:
                    locked = True
                assert locked is holds_write_lock
                with session.begin_nested():  # savepoints inside an IMMEDIATE transaction
                    session.execute(text("SELECT 1"))
                session.rollback()
    finally:
        probe.close()


def test_begin_write_turns_a_read_into_a_write_transaction(engine):
    """A GET that writes at its end (an export's audit entry) asks for the write lock first."""
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        core_db.begin_write(session)
        if engine.dialect.name == "sqlite":
            probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError):
                    probe.execute("BEGIN IMMEDIATE")
            finally:
                probe.close()
        core_db.begin_write(session)  # already writing: nothing changes
        assert session.in_transaction()
        session.rollback()


def _lock_probe(url: str):
    """Whether another connection could take SQLite's write lock right now (it waits for nothing)."""
    probe = sqlite3.connect(make_url(url).database, timeout=0, isolation_level=None)

    def lock_is_free() -> bool:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        probe.execute("ROLLBACK")
        return True

    return probe, lock_is_free


def test_the_acting_user_is_loaded_without_keeping_the_write_lock(database_copy_url):
    """The dependencies loading the acting user end their transaction: FastAPI then hops to another
    worker thread for the endpoint, and a write lock held across that hop starved the other threads."""
    if not database_copy_url.startswith("sqlite"):
        return  # PostgreSQL: no database-wide write lock
    engine = core_db.make_engine(database_copy_url)
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "wilayah")
        session_id = start_web_session(session, user)
    probe, lock_is_free = _lock_probe(database_copy_url)
    try:
        with Session(core_db.writer_engine(engine), expire_on_commit=False) as session:
            assert any_api_actor({"uid": user.id, "cv": user.credentials_version}, session).id == user.id
            assert lock_is_free()
            request = Request({"type": "http", "session": {"sid": session_id}, "headers": []})
            assert optional_web_actor(request, session).id == user.id
            assert lock_is_free()
    finally:
        probe.close()
        engine.dispose()


def test_a_replayed_request_lets_go_of_the_write_lock(database_copy_url):
    """A replay (a payment or deposit sent again with its key) writes nothing, so it ends its transaction
    before answering: kept open until the session closed, it held SQLite's write lock while the answer
    was serialised on a worker thread, and under load every worker was waiting for that lock."""
    if not database_copy_url.startswith("sqlite"):
        return  # PostgreSQL: no database-wide write lock
    engine = core_db.make_engine(database_copy_url)
    with Session(engine, expire_on_commit=False) as session:
        branch = make_branch(session, regencies=("12.07",))
        duta = make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
        member_id = make_member(session, duta, status="approved").id
        actor = actor_of(session, duta)
    writer = core_db.writer_engine(engine)
    probe, lock_is_free = _lock_probe(database_copy_url)

    def pay(session):
        return dues_service.record_payment(session, actor, member_id, 1, "tunai", idempotency_key="p1")

    def hand_in(session):
        return deposits.create_deposit(session, actor, [receipt], idempotency_key="d1")

    try:
        with Session(writer, expire_on_commit=False) as session:
            receipt = pay(session).payment.receipt_number
        with Session(writer, expire_on_commit=False) as session:
            hand_in(session)
        for call in (pay, hand_in):
            with Session(writer, expire_on_commit=False) as session:
                assert call(session).replayed
                assert lock_is_free()
    finally:
        probe.close()
        engine.dispose()
