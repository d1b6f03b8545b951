"""Idempotency keys for actions that create members or money.

The key row is inserted in the same transaction as the thing it creates, so a resubmitted form
(double tap, retry after a dropped connection) finds the first result instead of creating another.
"""

import datetime as dt

from sqlalchemy import ColumnElement, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from app.core.clock import utcnow
from app.core.db import Prepared


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=80)
    action: str = Field(max_length=40)
    result_id: str = Field(max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow)


# Two columns by primary key, on every keyed request: a plain statement, no entity to build.
_FIND = select(IdempotencyKey.action, IdempotencyKey.result_id).where(
    IdempotencyKey.user_id == bindparam("user_id"), IdempotencyKey.key == bindparam("key")
)
_CLAIM = Prepared(insert(IdempotencyKey.__table__))
_KEYS = IdempotencyKey.__table__.c
_SETTLE = Prepared(
    update(IdempotencyKey.__table__)
    .where(_KEYS.user_id == bindparam("claimed_by"), _KEYS.key == bindparam("claimed_key"))
    .values(result_id=bindparam("result"))
)
# The result of a key claimed before its result exists (`settle` writes it in the same transaction).
PENDING = ""


def find(session: Session, user_id: int, key: str, action: str) -> str | None:
    row = session.execute(_FIND, {"user_id": user_id, "key": key}).first()
    if row is None:
        return None
    if row.action != action:
        raise ValueError("idempotency key reused for another action")
    return row.result_id


def claim(session: Session, user_id: int, key: str, action: str, result_id: object) -> bool:
    """Record the key inside the open transaction; False when a concurrent request won the race.

    After False the transaction is spoiled (PostgreSQL aborts it at the unique-key error): the caller
    rolls back and shows the winner's result, which every caller does. No savepoint is needed for that.
    On SQLite the race cannot happen (state-changing requests hold the write lock from BEGIN).
    """
    return claim_taking(session, _CLAIM, user_id, key, action, result_id) is not None


def claiming(*values: ColumnElement) -> Prepared:
    """A claim that takes `values` (SQL, such as a sequence's next value) in the same statement, for
    `claim_taking`: they are taken only when the key is claimed."""
    return Prepared(insert(IdempotencyKey.__table__).returning(*values))


def claim_taking(
    session: Session, statement: Prepared, user_id: int, key: str, action: str, result_id: object, **parameters
) -> tuple | None:
    """`claim` with a statement made by `claiming` (and the `parameters` its values need): the row of
    its values, or None when a concurrent request won the race (nothing taken)."""
    try:
        rows = statement.execute(
            session,
            {
                "user_id": user_id,
                "key": key,
                "action": action,
                "result_id": str(result_id),
                "created_at": utcnow(),
                **parameters,
            },
        )
    except IntegrityError:
        return None
    return tuple(rows[0]) if rows else ()


def settle(session: Session, user_id: int, key: str, result_id: object) -> None:
    """The result of a key claimed with `PENDING`, in the same transaction (no answer needed: it can
    be sent with other writes, `core.db.sent_together`)."""
    _SETTLE.execute(session, {"claimed_by": user_id, "claimed_key": key, "result": str(result_id)})
