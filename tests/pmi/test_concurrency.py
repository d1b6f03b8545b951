"""Two registrations of one worker at the same moment on PostgreSQL, by two officials with two keys: one
package is paid, the other is refused (the NIK is locked for the transaction), in real committed
transactions (a throw-away database of their own)."""

import threading

import pytest
from sqlmodel import Session, func, select

from app.core.errors import Conflict
from app.pmi import service
from app.pmi.models import PmiRegistration
from app.regions.service import load_regions
from tests.conftest import throwaway_postgres
from tests.factories import VILLAGE_A, actor_of, make_branch, make_user
from tests.pmi.conftest import body


@pytest.fixture(scope="module")
def pg_engine():
    with throwaway_postgres("duta_pmi_conc") as engine:
        with Session(engine) as session:
            load_regions(session)
        yield engine


def test_one_package_for_two_registrations_at_once(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        branch = make_branch(session, regencies=("12.07",))
        make_branch(session, code="MDN-UTARA", regencies=("12.71",))
        actors = [
            actor_of(session, make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)),
            actor_of(session, make_user(session, "cabang", branch_code=branch.code)),
        ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    worker = body()  # one worker, one NIK

    def register(actor, key):
        with Session(pg_engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                service.register(session, actor, idempotency_key=key, **worker)
                outcomes.append("registered")
            except Conflict:
                outcomes.append("refused")

    threads = [threading.Thread(target=register, args=(actor, f"k-{i}")) for i, actor in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "registered"]
    with Session(pg_engine) as session:
        assert session.exec(select(func.count()).select_from(PmiRegistration)).one() == 1
