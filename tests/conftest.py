"""Test fixtures: every database test runs on SQLite and on PostgreSQL, each test inside a transaction
that is rolled back. Schemas come from the Alembic migrations, never from `create_all`."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.core import migrate
from app.core.db import get_session, make_engine
from app.main import app as fastapi_app
from app.regions.service import load_regions
from tests.factories import VILLAGE_A, VILLAGE_B, make_branch, make_user

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("DUTA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_database(tmp_name: str) -> str | None:
    """Create a throw-away database next to the configured one; None when PostgreSQL is unreachable."""
    admin_engine = make_engine(POSTGRES_URL)
    try:
        with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}"'))
            connection.execute(text(f'CREATE DATABASE "{tmp_name}"'))
    except Exception as error:  # noqa: BLE001 (any connection failure means "no PostgreSQL here")
        if IN_CI:
            raise RuntimeError(f"PostgreSQL is required in CI: {error}") from error
        return None
    finally:
        admin_engine.dispose()
    return make_url(POSTGRES_URL).set(database=tmp_name).render_as_string(hide_password=False)


def _drop_postgres_database(tmp_name: str) -> None:
    admin_engine = make_engine(POSTGRES_URL)
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)'))
    admin_engine.dispose()


@contextmanager
def migrated_database(kind: str, prefix: str, tmp_path_factory=None) -> Iterator[Engine]:
    """A migrated database of its own: a SQLite file (`kind` "sqlite"), or a PostgreSQL database
    dropped afterwards (skipped where PostgreSQL is unreachable, an error in CI)."""
    name = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(prefix) / f'{prefix}.sqlite3'}"
    else:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        url = _postgres_database(name)
        if url is None:
            pytest.skip("PostgreSQL is not reachable (required in CI)")
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        if name:
            _drop_postgres_database(name)


def throwaway_postgres(prefix: str):
    """A migrated PostgreSQL database of its own, dropped afterwards: for tests that commit for real
    (threads, sequences), whose rows must not reach the rolled-back databases of the others."""
    return migrated_database("postgresql", prefix)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    """A migrated database with the region's geography loaded, one per backend for the whole run."""
    with migrated_database(request.param, "duta_test", tmp_path_factory) as engine:
        with Session(engine) as session:
            load_regions(session)
        yield engine


@pytest.fixture
def db(engine):
    """A session whose commits land in savepoints of one outer transaction, rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def client(db):
    def session_override():
        yield db

    fastapi_app.dependency_overrides[get_session] = session_override
    with TestClient(fastapi_app, base_url="http://testserver") as test_client:
        yield test_client
    fastapi_app.dependency_overrides.clear()


# A branch of Deli Serdang with the duta of two of its villages and its branch officer: the people most
# domain tests need (a directory or module with other needs defines its own fixture of the same name).


@pytest.fixture
def branch(db):
    return make_branch(db, regencies=("12.07",))


@pytest.fixture
def duta(db, branch):
    return make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)


@pytest.fixture
def duta_b(db, branch):
    return make_user(db, "duta", villages=(VILLAGE_B,), branch_code=branch.code)


@pytest.fixture
def cabang(db, branch):
    return make_user(db, "cabang", branch_code=branch.code)
