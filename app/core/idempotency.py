"""Idempotency keys for actions that create members or money.

The key row is inserted in the same transaction as the thing it creates, so a resubmitted form
(double tap, retry after a dropped connection) finds the first result instead of creating another.
"""

import datetime as dt

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from app.core.clock import utcnow


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=80)
    action: str = Field(max_length=40)
    result_id: str = Field(max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow)


# The result of a key claimed before its result exists (`settle` writes it in the same transaction).
PENDING = ""


def find(session: Session, user_id: int, key: str, action: str) -> str | None:
    row = session.exec(
        select(IdempotencyKey.action, IdempotencyKey.result_id).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    ).first()
    if row is None:
        return None
    stored_action, result_id = row
    if stored_action != action:
        raise ValueError("idempotency key reused for another action")
    return result_id


def claim(session: Session, user_id: int, key: str, action: str, result_id: object) -> bool:
    """Record the key inside the open transaction; False when a concurrent request won the race.

    After False the transaction is spoiled (PostgreSQL aborts it at the unique-key error): the caller
    rolls back and shows the winner's result, which every caller does. No savepoint is needed for that.
    On SQLite the race cannot happen (state-changing requests hold the write lock from BEGIN).
    """
    try:
        session.execute(
            insert(IdempotencyKey).values(
                user_id=user_id, key=key, action=action, result_id=str(result_id), created_at=utcnow()
            )
        )
    except IntegrityError:
        return False
    return True


def settle(session: Session, user_id: int, key: str, result_id: object) -> None:
    """The result of a key claimed with `PENDING`, in the same transaction."""
    session.execute(
        update(IdempotencyKey)
        .where(col(IdempotencyKey.user_id) == user_id, col(IdempotencyKey.key) == key)
        .values(result_id=str(result_id))
    )
