"""Gap-tolerant counters for member and receipt numbers, safe under concurrency on both databases.

An UPDATE ... RETURNING takes the row lock on PostgreSQL and the write lock on SQLite, so two
transactions can never read the same value.
"""

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from app.core.db import Prepared

_NEXT = Prepared(text("UPDATE counter SET value = value + 1 WHERE name = :name RETURNING value"))
_CREATE = text("INSERT INTO counter (name, value) VALUES (:name, 1)")


class Counter(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


def next_value(session: Session, name: str) -> int:
    """The next value of the counter, inside the caller's transaction (one statement once it exists)."""
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
