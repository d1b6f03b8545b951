"""Gap-tolerant counters for member and receipt numbers, safe under concurrency on both databases.

SQLite: a row of `counter` per name, advanced by an UPDATE ... RETURNING inside the caller's
transaction (the write lock, held from BEGIN IMMEDIATE, already orders every writer).

PostgreSQL: a sequence per name (`sequence_name`). A counter row would stay locked from the number's
UPDATE to the commit, and every payment of the region takes a receipt number: with four clients,
payments queued on that one row (measured: 1,6 backends waiting on it on average). `nextval` holds no
lock; a rolled-back transaction leaves a gap instead (numbers are unique and increasing, not
gapless; a payment claims its idempotency key before its number, so a repeated request takes none).
The sequence is made on a counter's first use on the database, starting after the `counter` row's
value: the numbers given before this version, or written by `duta generate` (which fills only a
database without members, so before any sequence was made). From then on the row no longer changes.
"""

import re

from sqlalchemy import BigInteger, ColumnElement, String, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlmodel import Field, Session, SQLModel

from app.core.db import Prepared

_NEXT = Prepared(text("UPDATE counter SET value = value + 1 WHERE name = :name RETURNING value"))
_CREATE = text("INSERT INTO counter (name, value) VALUES (:name, 1)")
_SEED = text("SELECT value FROM counter WHERE name = :name")
_UNIQUE_VIOLATION, _DUPLICATE_TABLE = "23505", "42P07"


class Counter(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


def sequence_name(name: str) -> str:
    """The PostgreSQL sequence of counter `name` ("receipt-2026": "counter_receipt_2026")."""
    return "counter_" + re.sub(r"[^a-z0-9]", "_", name.lower())


def next_value_of(parameter: str) -> ColumnElement:
    """SQL for the next value of the PostgreSQL sequence whose name (`sequence_name`) is bound to
    `parameter`, NULL before the counter's first use on the database: for a statement that takes the
    number together with other work. When it gives NULL, `next_value` makes the sequence and takes one."""
    return func.nextval(func.to_regclass(bindparam(parameter, type_=String)), type_=BigInteger)


# NULL when the sequence does not exist yet: no error, which would abort the caller's transaction.
_NEXTVAL = Prepared(select(next_value_of("sequence")))


def next_value(session: Session, name: str) -> int:
    """The next value of the counter, inside the caller's transaction (one statement once it exists)."""
    if session.get_bind().dialect.name == "postgresql":
        return _next_from_sequence(session, name)
    rows = _NEXT.execute(session, {"name": name})
    if rows:
        return rows[0][0]
    # First use of this counter: create it, in a savepoint. A concurrent creator makes one of us fail
    # the primary key (after waiting for the other's commit); that one takes the UPDATE path.
    try:
        with session.begin_nested():
            session.execute(_CREATE, {"name": name})
        return 1
    except IntegrityError:
        return _NEXT.execute(session, {"name": name})[0][0]


def _next_from_sequence(session: Session, name: str) -> int:
    sequence = sequence_name(name)
    value = _NEXTVAL.execute(session, {"sequence": sequence})[0][0]
    if value is not None:
        return value
    # First use on this database: create the sequence in a savepoint. A concurrent creator makes one
    # of us fail (after waiting for the other's commit, on the catalog's unique key, or finding the
    # relation there); that one then finds the sequence the other made.
    try:
        with session.begin_nested():
            seed = session.execute(_SEED, {"name": name}).scalar() or 0
            session.execute(text(f"CREATE SEQUENCE {sequence} START WITH {int(seed) + 1}"))
    except (IntegrityError, ProgrammingError) as error:
        if getattr(error.orig, "sqlstate", None) not in (_UNIQUE_VIOLATION, _DUPLICATE_TABLE):
            raise  # not a concurrent creation (no right to create it, say)
    return _NEXTVAL.execute(session, {"sequence": sequence})[0][0]
