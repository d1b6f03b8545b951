"""Migration 0016: the payments recorded before payers existed are the members' own (`self`)."""

import uuid

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from app.core import migrate
from app.core.db import make_engine
from tests.conftest import _drop_postgres_database, _postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'payer.sqlite3'}"
        return
    name = f"duta_payer_{uuid.uuid4().hex[:10]}"
    url = _postgres_database(name)
    if url is None:
        pytest.skip("PostgreSQL is not reachable (required in CI)")
    yield url
    _drop_postgres_database(name)


def test_earlier_payments_become_the_members_own(fresh_url):
    from app.demo import load_demo
    from app.dues.models import Payment

    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as session:
            load_demo(session)
            session.execute(text("UPDATE payment SET payer = 'sponsor', payer_name = 'CSR'"))
            session.commit()
            payments = session.exec(select(func.count()).select_from(Payment)).one()
        assert payments > 0
        migrate.downgrade(fresh_url, "0015")  # the payer columns gone, the payments kept
        migrate.upgrade(fresh_url)
        with Session(engine) as session:
            rows = session.execute(text("SELECT payer, payer_name, count(*) FROM payment GROUP BY payer, payer_name"))
            assert [tuple(row) for row in rows] == [("self", None, payments)]
    finally:
        engine.dispose()
