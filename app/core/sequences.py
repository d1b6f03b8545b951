"""Gap-tolerant counters for member and receipt numbers, safe under concurrency on both databases.

SQLite: a row of `counter` per name, advanced by an UPDATE ... RETURNING inside the caller's
transaction (the write lock, held from BEGIN IMMEDIATE, already orders every writer).

PostgreSQL: a sequence per name (`sequence_name`). A counter row would stay locked from the number's
UPDATE to the commit, and every payment of the region takes a receipt number, so concurrent payments
would queue on that one row. `nextval` holds no lock; a rolled-back transaction leaves a gap instead
(numbers are unique and increasing, not gapless; a payment claims its idempotency key before its
number, so a repeated request takes none).
The sequence is made on a counter's first use on the database, starting after the `counter` row's
value: the numbers given before this version, or written by a bulk load (`duta generate`). A bulk
load that gives numbers itself reads `last_value` first and calls `advance_to` after, which moves the
row and, where it exists already, the sequence.
"""

import re

from sqlalchemy import BigInteger, func, insert, select, update
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.schema import CreateSequence, Sequence
from sqlmodel import Field, Session, SQLModel, col

_UNIQUE_VIOLATION, _DUPLICATE_TABLE = "23505", "42P07"


class Counter(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


def sequence_name(name: str) -> str:
    """The PostgreSQL sequence of counter `name` ("receipt-2026": "counter_receipt_2026")."""
    return "counter_" + re.sub(r"[^a-z0-9]", "_", name.lower())


def next_value(session: Session, name: str) -> int:
    """The next value of the counter, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        return _next_from_sequence(session, name)
    advance = (
        update(Counter).where(col(Counter.name) == name).values(value=Counter.value + 1).returning(col(Counter.value))
    )
    value = session.execute(advance).scalar()
    if value is not None:
        return value
    # First use of this counter: create it, in a savepoint. A concurrent creator makes one of us fail
    # the primary key (after waiting for the other's commit); that one takes the UPDATE path.
    try:
        with session.begin_nested():
            session.execute(insert(Counter).values(name=name, value=1))
        return 1
    except IntegrityError:
        return session.execute(advance).scalar_one()


def _next_from_sequence(session: Session, name: str) -> int:
    sequence = sequence_name(name)
    # NULL while the sequence does not exist yet: no error, which would abort the caller's transaction.
    take = select(func.nextval(func.to_regclass(sequence), type_=BigInteger))
    value = session.execute(take).scalar()
    if value is not None:
        return value
    # First use on this database: create the sequence in a savepoint. A concurrent creator makes one
    # of us fail (after waiting for the other's commit, on the catalog's unique key, or finding the
    # relation there); that one then finds the sequence the other made.
    try:
        with session.begin_nested():
            seed = session.execute(select(col(Counter.value)).where(col(Counter.name) == name)).scalar() or 0
            session.execute(CreateSequence(Sequence(sequence, start=seed + 1)))
    except (IntegrityError, ProgrammingError) as error:
        if getattr(error.orig, "sqlstate", None) not in (_UNIQUE_VIOLATION, _DUPLICATE_TABLE):
            raise  # not a concurrent creation (no right to create it, say)
    return session.execute(take).scalar_one()


def last_value(session: Session, name: str) -> int:
    """The last number the counter gave (0 before its first use)."""
    value = session.execute(select(col(Counter.value)).where(col(Counter.name) == name)).scalar() or 0
    if session.get_bind().dialect.name == "postgresql":
        # NULL when the sequence does not exist or has given nothing yet (it then starts after the row).
        given = session.execute(
            select(func.pg_sequence_last_value(func.to_regclass(sequence_name(name)), type_=BigInteger))
        ).scalar()
        value = max(value, given or 0)
    return value


def advance_to(session: Session, name: str, value: int) -> None:
    """Numbers up to `value` were given outside `next_value` (a bulk load): the counter continues after them."""
    if value <= last_value(session, name):
        return
    if session.exec(update(Counter).where(col(Counter.name) == name).values(value=value)).rowcount == 0:
        session.execute(insert(Counter).values(name=name, value=value))
    if session.get_bind().dialect.name == "postgresql":
        # A NULL regclass (no sequence yet: it will start after the row) makes setval a no-op.
        session.execute(select(func.setval(func.to_regclass(sequence_name(name)), value, type_=BigInteger)))
