"""Engine, sessions and the metadata every model shares."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from fastapi import Request
from sqlalchemy import BigInteger, ColumnElement, MetaData, bindparam, event, func, insert, inspect
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapper, configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.schema import ColumnDefault
from sqlalchemy.sql.base import Executable
from sqlmodel import Session, SQLModel, create_engine, select

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
T = TypeVar("T", bound=SQLModel)


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a committed payment survives a power cut too (NORMAL may lose the last commits), the same
    # promise as PostgreSQL's default synchronous_commit.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Execution option naming the SQLite transaction mode that `_sqlite_begin` emits ("IMMEDIATE"; "AUTOCOMMIT":
# no BEGIN at all).
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
    if mode == "AUTOCOMMIT":
        return  # no BEGIN: each statement is a transaction of its own (`read_ahead`)
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


@contextmanager
def read_ahead(session: Session) -> Iterator[None]:
    """For what a state-changing request reads before its work (who is acting, one statement): on
    SQLite, a transaction of its own (the statement's, without BEGIN), so that the write lock is taken
    by the work's first statement, in the endpoint's thread. Taken here, it would be held across the hop
    back to the event loop and on to the endpoint while other writers wait for it (measured with four
    clients: about 4 % fewer payments and 7 % fewer registrations per second). Nothing changes inside an
    open transaction, for a read request, or on PostgreSQL."""
    if session.in_transaction() or session.get_bind().get_execution_options().get(SQLITE_BEGIN) != "IMMEDIATE":
        yield
        return
    # The commit has nothing to end on SQLite: it hands the connection back; the next statement
    # begins IMMEDIATE.
    session.connection(execution_options={SQLITE_BEGIN: "AUTOCOMMIT"})
    yield
    session.commit()


@contextmanager
def session_scope() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


class Prepared:
    """A fixed Core statement of a hot path (every request's actor, a payment's member, receipt number,
    row and side tables, a registration's row, key and audit entry), compiled once per dialect and run
    on the session's DBAPI cursor, inside the session's transaction.

    SQLAlchemy's work around one execution (cache key, execution context, result metadata) costs about
    ten times the statement itself on SQLite (callgrind: some 220.000 instructions against 23.000), and
    a payment runs ten statements. What matters of that work is kept: values and rows go through the
    column types' own processors (dates stored as SQLAlchemy stores them), database errors are raised as
    SQLAlchemy's (`IntegrityError` ...), and `before_cursor_execute` listeners see the statement.

    Every bind needs a value (or a fixed one in the statement): column defaults are not filled in, so
    an INSERT names all its columns. `execute` takes one dict of values, or a list of them (executemany,
    no rows back); it returns the rows."""

    def __init__(self, statement: Executable):
        self.statement = statement
        self._columns = tuple(getattr(statement, "exported_columns", ()))  # RETURNING or SELECT columns
        self._forms: dict[tuple, tuple] = {}

    def _form(self, dialect: Dialect, keys: tuple[str, ...]) -> tuple:
        key = (type(dialect), dialect.paramstyle, keys)
        form = self._forms.get(key)
        if form is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(keys))
            binds = {
                name: processor
                for name, bind in compiled.binds.items()
                if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
            }
            results = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in self._columns]
            order = tuple(compiled.positiontup) if dialect.positional else None
            form = self._forms[key] = (compiled, compiled.string, binds, order, results if any(results) else None)
        return form

    def execute(self, session: Session, values: dict | list[dict]) -> list[tuple]:
        connection = session.connection()
        dialect = connection.dialect
        many = isinstance(values, list)
        if many and not values:
            return []
        rows = values if many else [values]
        compiled, sql, binds, order, results = self._form(dialect, tuple(rows[0]))
        arguments = []
        for row in rows:
            params = compiled.construct_params(row)
            for name, processor in binds.items():
                params[name] = processor(params[name])
            arguments.append(tuple(params[name] for name in order) if order is not None else params)
        waiting = session.info.get(_WAITING)
        if waiting is not None:
            if not self._columns:  # a write nobody reads: sent with the others at the end of the block
                waiting.extend((sql, params) for params in arguments)
                return []
            _send_waiting(session, waiting)  # a statement with rows runs after the writes before it
        fetched = _run(connection, sql, arguments if many else arguments[0], many)
        if results is None:
            return fetched
        return [
            tuple(value if process is None else process(value) for process, value in zip(results, row, strict=False))
            for row in fetched
        ]


def _run(connection: Connection, sql: str, arguments, many: bool) -> list:
    """Run `sql` on the connection's DBAPI cursor, as SQLAlchemy would: listeners see it, a driver error
    is raised as SQLAlchemy's; the raw rows when it has any (none for executemany)."""
    dialect = connection.dialect
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if connection.dispatch.before_cursor_execute:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, arguments, None, many)
        if many:
            cursor.executemany(sql, arguments)
            return []
        cursor.execute(sql, arguments)
        return cursor.fetchall() if cursor.description is not None else []
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
    finally:
        cursor.close()


# Session.info key of the writes `sent_together` holds back: a list of (SQL, parameters).
_WAITING = "duta_sent_together"
_PARAMETER = re.compile(r"(?<!%)%\((\w+)\)s")  # psycopg's named placeholder, %(name)s


@contextmanager
def sent_together(session: Session) -> Iterator[None]:
    """Writes run inside (`Prepared` statements without RETURNING) go to PostgreSQL at the end of the
    block as one statement, each a data-modifying WITH query of it: one round trip, one statement for
    the server and for psycopg, instead of one each. For writes whose results nobody reads, such as a
    payment's audit entry, roll-up and cash rows: the rows shared by every payment of the village are then
    locked for that one statement and the commit. They run with one snapshot, so none may read or write a
    row another of them writes (each writes its own rows); a `Prepared` statement with rows run inside is
    sent after the writes before it, while ORM queries inside do not see them. A database error is
    raised at the end of the block as SQLAlchemy's, and spoils the transaction (the caller rolls back,
    as after any failed statement). On SQLite statements run one by one as usual: they are calls in this
    process, with nothing to save."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or connection.dialect.positional or _WAITING in session.info:
        yield
        return
    session.flush()  # pending ORM changes first, in their own statements
    waiting = session.info[_WAITING] = []
    try:
        yield
    finally:
        del session.info[_WAITING]
    _send_waiting(session, waiting)


_COMBINED: dict[tuple[str, ...], str] = {}


def _send_waiting(session: Session, waiting: list[tuple[str, dict]]) -> None:
    """Run the writes `sent_together` held back as one statement, and forget them."""
    if not waiting:
        return
    statements = tuple(sql for sql, _params in waiting)
    sql = _COMBINED.get(statements)
    if sql is None:
        # Parameters take the number of their WITH query (w0_name, w1_name ...), as the SQL names them.
        sql = _COMBINED[statements] = (
            "WITH "
            + ", ".join(
                f"w{i} AS ({_PARAMETER.sub(lambda name, i=i: f'%(w{i}_{name[1]})s', statement)})"
                for i, statement in enumerate(statements)
            )
            + " SELECT 1"
        )
    arguments = {f"w{i}_{name}": value for i, (_sql, params) in enumerate(waiting) for name, value in params.items()}
    waiting.clear()
    _run(session.connection(), sql, arguments, many=False)


_LOCKED: dict[type, tuple] = {}


def get_locked(session: Session, model: type[T], key) -> T | None:
    """The row of `model` with primary key `key`, locked until commit (PostgreSQL; a SQLite write
    transaction holds the lock from BEGIN IMMEDIATE) and re-read even when the session holds a copy
    (that copy is brought up to date and returned); None when there is none. A payment's first
    statement: run as `Prepared`, the row set on the object as a query would load it."""
    prebuilt = _LOCKED.get(model)
    if prebuilt is None:
        keys, columns, mapper = _mapped(model)
        primary_key = mapper.primary_key[0]
        statement = Prepared(select(*columns).where(primary_key == bindparam("key")).with_for_update())
        position = next(i for i, column in enumerate(columns) if column is primary_key)
        prebuilt = _LOCKED[model] = (statement, keys, position, mapper)
    statement, keys, position, mapper = prebuilt
    rows = statement.execute(session, {"key": key})
    if not rows:
        return None
    held = session.identity_map.get(mapper.identity_key_from_primary_key([rows[0][position]]))
    if held is None:
        return _as_loaded(session, mapper, keys, rows[0])
    for name, value in zip(keys, rows[0], strict=False):
        set_committed_value(held, name, value)
    return held


_INSERTS: dict[type, tuple] = {}


def insert_row(session: Session, model: type[T], values: dict) -> T:
    """INSERT one row, handed back as a persistent `model` object built as a query would load it. The
    hot paths (a registration, a payment) write this way: SQLAlchemy's ORM bulk insert and the model's
    own constructor each cost more than the statement itself. Columns left out take their model
    defaults. Database errors (a unique key taken) raise as from any INSERT.

    Without the primary key in `values`, the INSERT returns every column (the key the database gives).
    With it (taken beforehand, `next_row_id`), every column is known here: the INSERT returns nothing,
    so inside `sent_together` it is a write like the others, sent with them at the end of the block."""
    prebuilt = _INSERTS.get(model)
    if prebuilt is None:
        keys, columns, mapper = _mapped(model)
        defaults = [(column.key, column.default) for column in columns if isinstance(column.default, ColumnDefault)]
        primary_key = mapper.primary_key[0].key
        server_defaults = frozenset(column.key for column in columns if column.server_default is not None)
        prebuilt = _INSERTS[model] = (
            Prepared(insert(model.__table__).returning(*columns)),
            Prepared(insert(model.__table__)),
            keys,
            defaults,
            primary_key,
            server_defaults,
            mapper,
        )
    returning, plain, keys, defaults, primary_key, server_defaults, mapper = prebuilt
    # `Prepared` fills in no defaults: the model's own (a value, or a function such as `utcnow`).
    row = {
        **values,
        **{
            key: default.arg if default.is_scalar else default.arg(None)
            for key, default in defaults
            if key not in values
        },
    }
    if row.get(primary_key) is None:
        row.pop(primary_key, None)
        return _as_loaded(session, mapper, keys, returning.execute(session, row)[0])
    # Every column named (NULL for those without a default), so the object holds what the row holds.
    if server_defaults - row.keys():
        raise TypeError(
            f"{model.__name__}: the database's defaults of {sorted(server_defaults - row.keys())} "
            "are known only from RETURNING: insert without the primary key"
        )
    row = {key: row.get(key) for key in keys}
    plain.execute(session, row)
    return _as_loaded(session, mapper, keys, tuple(row.values()))


def next_row_id(table) -> ColumnElement:
    """SQL for the primary key the next row of `table` will get (PostgreSQL: its serial column's
    sequence), for `insert_row` with a known key."""
    return func.nextval(func.pg_get_serial_sequence(table.name, table.primary_key.columns[0].name), type_=BigInteger)


def _mapped(model: type) -> tuple[list[str], list, Mapper]:
    """The model's attribute names and columns, and its mapper."""
    configure_mappers()  # attribute instrumentation is complete only once the mappers are configured
    mapper = inspect(model)
    pairs = [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]
    return [key for key, _column in pairs], [column for _key, column in pairs], mapper


def _as_loaded(session: Session, mapper: Mapper, keys: list[str], row: tuple):
    """A persistent object of `row` (values of `keys`), in the session, as a query would have loaded it."""
    instance = mapper.class_manager.new_instance()
    instance_state(instance).dict.update(zip(keys, row, strict=False))
    make_transient_to_detached(instance)  # the row exists: its identity is known, nothing to flush
    # An object of a rolled-back transaction may still hold this key (SQLite hands a rolled-back row
    # id out again); it stands for no row, so the new one takes its place.
    stale = session.identity_map.get(instance_state(instance).key)
    if stale is not None:
        session.expunge(stale)
    session.add(instance)
    return instance
