"""Refused logins from many workers at once: one audit entry for the minute, every refusal counted.

Real committed transactions in threads, on a SQLite file and a PostgreSQL database of their own (the
rows must not reach the rolled-back databases of the other tests)."""

import datetime as dt
import threading

import pytest
from sqlmodel import Session, select

from app.auth import service
from app.auth.models import LoginAttempt
from app.core import audit
from app.core.audit import AuditEntry
from app.core.db import writer_engine
from app.core.errors import TooManyAttempts
from tests.conftest import migrated_database

WORKERS = 8
ATTEMPTS_EACH = 5


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_engine(request, tmp_path_factory):
    with migrated_database(request.param, "duta_login", tmp_path_factory) as engine:
        yield engine


def test_concurrent_refusals_make_one_entry_with_every_attempt_counted(committed_engine, monkeypatch):
    minute = dt.datetime(2026, 12, 7, 10, 0, 30, tzinfo=dt.UTC)  # no minute boundary inside the test
    monkeypatch.setattr(audit, "utcnow", lambda: minute)
    with Session(committed_engine) as session:
        session.add_all(LoginAttempt(username="ghost", ip="10.0.0.1", succeeded=False) for _ in range(5))
        session.commit()
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []

    def worker():
        barrier.wait()
        for _ in range(ATTEMPTS_EACH):
            # As the login route does: a state-changing request's session (BEGIN IMMEDIATE on SQLite).
            with Session(writer_engine(committed_engine)) as session:
                try:
                    service.authenticate(session, "ghost", "guess", "10.0.0.2")
                except TooManyAttempts:
                    outcomes.append("refused")
                except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                    outcomes.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["refused"] * WORKERS * ATTEMPTS_EACH
    with Session(committed_engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "login_locked")).all()
    assert [entry.times for entry in entries] == [WORKERS * ATTEMPTS_EACH]
