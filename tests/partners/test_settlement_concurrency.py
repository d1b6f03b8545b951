"""One partner's file uploaded twice at the same moment on PostgreSQL (two officers of the branch, a
double tap): the partner is locked for the upload, so the second finds the first's payments and lines
and nothing is paid twice, in real committed transactions (a throw-away database of its own)."""

import threading

import pytest
from sqlmodel import Session, func, select

from app.core.clock import today
from app.dues.models import Payment
from app.members.payment_code import payment_code
from app.partners import service as partners
from app.partners import settlements
from app.partners.models import SettlementLine
from app.regions.service import load_regions
from tests.conftest import throwaway_postgres
from tests.factories import VILLAGE_A, actor_of, make_branch, make_member, make_user
from tests.partners.test_settlements import _file, _unknown_code


@pytest.fixture(scope="module")
def pg_engine():
    with throwaway_postgres("duta_settle_conc") as engine:
        with Session(engine) as session:
            load_regions(session)
        yield engine


def test_one_file_uploaded_twice_at_once_pays_each_line_once(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        branch = make_branch(session, regencies=("12.07",))
        duta = make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
        member = make_member(session, duta, status="approved")
        wilayah = actor_of(session, make_user(session, "wilayah"))
        partner = partners.create_partner(session, wilayah, "bank", "Bank Uji Serentak", "", ["12.07"])
        officers = [actor_of(session, make_user(session, "cabang", branch_code=branch.code)) for _ in range(2)]
        session.commit()
        day = today().isoformat()
        content = _file((day, payment_code(member), 16_800, "C-1"), (day, _unknown_code(), 16_800, "C-2"))
    barrier = threading.Barrier(2)
    created: list[int] = []

    def upload(actor):
        with Session(pg_engine, expire_on_commit=False) as session:
            barrier.wait()
            created.append(settlements.upload_settlement(session, actor, partner.id, "s.csv", content).created)

    threads = [threading.Thread(target=upload, args=(actor,)) for actor in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [0, 1]
    with Session(pg_engine) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
        assert session.exec(select(func.count()).select_from(SettlementLine)).one() == 1
