"""Engines, sessions and transactions, and the metadata every model shares."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData, Table, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from app.core.config import get_settings

# Stable constraint names, so Alembic migrations can alter them on SQLite (batch mode) and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model (`inspect(model).local_table`), for Core statements that skip
    the ORM's session bookkeeping: bulk inserts, upserts, updates of running totals."""
    table = inspect(model).local_table
    assert isinstance(table, Table)  # a table model maps exactly one table
    return table


def _sqlite_pragmas(dbapi_connection, _record):
    """Set on every new connection (SQLAlchemy's recipe for SQLite pragmas and transactions)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a committed payment survives a power cut too (NORMAL may lose the last commits), the same
    # promise as PostgreSQL's default synchronous_commit.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Execution option naming the SQLite transaction mode that `_sqlite_begin` emits ("IMMEDIATE").
SQLITE_BEGIN = "duta_sqlite_begin"
# Requests that do not change state: plain deferred transactions, so WAL readers never wait.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_begin(connection: Connection) -> None:
    """SQLAlchemy's BEGIN on SQLite (pysqlite's own transaction handling is off, see the pragmas).

    A deferred transaction that reads first and writes later cannot wait for the write lock: when
    another writer holds it (or committed since our read), SQLite answers "database is locked" at
    once. A request that changes state therefore begins with BEGIN IMMEDIATE, which takes the
    write lock up front and waits for it on busy_timeout; reads stay deferred and concurrent.
    """
    mode = connection.get_execution_options().get(SQLITE_BEGIN)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy issue BEGIN itself.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


_engine: Engine | None = None
_writer_engines: dict[Engine, Engine] = {}


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings().database_url)
    return _engine


def writer_engine(engine: Engine) -> Engine:
    """The engine for a state-changing unit of work: on SQLite its transactions BEGIN IMMEDIATE
    (same pool, same listeners); elsewhere the engine itself (PostgreSQL: row locks decide)."""
    if engine.dialect.name != "sqlite":
        return engine
    writer = _writer_engines.get(engine)
    if writer is None:
        writer = _writer_engines[engine] = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    return writer


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request; services commit their own transaction.

    State-changing requests (POST, PUT, PATCH, DELETE) write on SQLite through `writer_engine`, so
    their transactions take the write lock at BEGIN and wait for it instead of failing.
    """
    engine = get_engine()
    if request.method not in SAFE_METHODS:
        engine = writer_engine(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


def begin_write(session: Session) -> None:
    """For a read request that writes at its end (an export's audit entry, say): make what follows a
    write transaction. State-changing requests have one from the start (`get_session`).

    On SQLite a read transaction cannot wait for the write lock, so the read transaction is committed
    and the next one begins IMMEDIATE (waits on busy_timeout). Nothing changes on PostgreSQL, nor when
    the session's transaction is a write transaction already.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.connection().get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE":
            return
        session.commit()
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load: the query planner's statistics of every table, so it sees the tables as they
    now are. PostgreSQL's autovacuum may be off or not round yet (it would take a just-filled payment
    table for nearly empty); SQLite keeps none until asked. `ANALYZE` has no Core construct."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def end_dependency_reads(session: Session) -> None:
    """After a dependency's reads (the acting user), end a state-changing request's transaction.

    FastAPI runs a sync dependency and the endpoint on two worker threads, one after the other. On
    SQLite the transaction the dependency began holds the write lock (BEGIN IMMEDIATE), and it would
    hold it while the request waits for the second thread: under load the other threads are all
    waiting for that lock, until their busy_timeout ends in "database is locked". The endpoint's first
    statement begins the write transaction anew. Nothing changes for reads, nor on PostgreSQL.
    """
    if session.in_transaction() and session.connection().get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE":
        session.commit()


@contextmanager
def session_scope() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


# The request's session, for route signatures: `session: SessionDep`.
SessionDep = Annotated[Session, Depends(get_session)]
