"""The schema comes only from Alembic: up to head on a fresh database, down to nothing, up again,
on SQLite and on PostgreSQL. Uses its own fresh databases, not the shared test engine."""

import uuid

import pytest
from sqlalchemy import inspect

import app.models  # noqa: F401  (the whole metadata)
from app.core import migrate
from app.core.db import make_engine, metadata
from tests.conftest import _drop_postgres_database, _postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    name = f"duta_migrate_{uuid.uuid4().hex[:10]}"
    url = _postgres_database(name)
    if url is None:
        pytest.skip("PostgreSQL is not reachable (required in CI)")
    yield url
    _drop_postgres_database(name)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(fresh_url):
    expected = set(metadata.tables)
    migrate.upgrade(fresh_url)
    assert expected <= _tables(fresh_url)
    migrate.downgrade(fresh_url, "base")
    assert _tables(fresh_url) <= {"alembic_version"}
    migrate.upgrade(fresh_url)
    assert expected <= _tables(fresh_url)


def test_down_and_up_again_with_members_and_payments(fresh_url):
    """A database in use holds members and the payments pointing to them: migrating it down to the
    start of this series and up again keeps them (SQLite copies a table to alter it)."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from app.demo import load_demo
    from app.dues.models import Payment

    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as session:
            load_demo(session)
            payments = session.exec(select(func.count()).select_from(Payment)).one()
        assert payments > 0
        migrate.downgrade(fresh_url, "0010")
        migrate.upgrade(fresh_url)
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Payment)).one() == payments
    finally:
        engine.dispose()


def test_migrations_match_the_models(fresh_url):
    """No model change without a migration: autogenerate finds nothing to do at head."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_single_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()
