"""Idempotency keys for actions that create members or money.

The key row is inserted in the same transaction as the thing it creates, so a resubmitted form
(double tap, retry after a dropped connection) finds the first result instead of creating another.
The key keeps a fingerprint of the request it answered: the same key with another request (another
member, another amount) is refused rather than answered with someone else's receipt.
"""

import datetime as dt
import hashlib
import json
import uuid

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from app.core.clock import utcnow
from app.core.errors import Invalid
from app.core.i18n import _

MAX_KEY_LENGTH = 80


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=80)
    action: str = Field(max_length=40)
    # sha256 hex of the action and the request's normalised inputs; "" for keys claimed before
    # fingerprints were kept (those answer their action's requests as they did then).
    fingerprint: str = Field(default="", max_length=64)
    result_id: str = Field(max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow)


# The result of a key claimed before its result exists (`settle` writes it in the same transaction).
PENDING = ""


def clean_key(raw: str | None) -> str | None:
    """The key as sent, without surrounding spaces; a longer one than is stored is refused (cutting it
    made two long keys the same key)."""
    key = (raw or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise Invalid({"idempotency_key": _("The request key is longer than %(n)s characters.", n=MAX_KEY_LENGTH)})
    return key or None


def key_to_show_again(key: str | None, errors: dict[str, str]) -> str:
    """The key a refused form carries: the same one (sent again, it is the same request), or a new one
    when the key itself was refused, so that sending the form again works."""
    return str(uuid.uuid4()) if "idempotency_key" in errors or not key else key


def fingerprint(action: str, inputs: dict) -> str:
    """The request's identity: the action and its normalised inputs (dates and the like as text)."""
    payload = json.dumps([action, inputs], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def find(session: Session, user_id: int, key: str, action: str, request: str) -> str | None:
    """The result of the key's first request, None for a new key; `Invalid` when the key answered
    another request (`request`: its `fingerprint`)."""
    row = session.exec(
        select(IdempotencyKey.action, IdempotencyKey.fingerprint, IdempotencyKey.result_id).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    ).first()
    if row is None:
        return None
    stored_action, stored_fingerprint, result_id = row
    if stored_action != action or (stored_fingerprint and stored_fingerprint != request):
        raise Invalid(
            {
                "idempotency_key": _(
                    "This request key was already used for a different request; send this one with a new key."
                )
            }
        )
    return result_id


def claim(session: Session, user_id: int, key: str, action: str, request: str, result_id: object) -> bool:
    """Record the key inside the open transaction; False when a concurrent request won the race.

    After False the transaction is spoiled (PostgreSQL aborts it at the unique-key error): the caller
    rolls back and shows the winner's result, which every caller does. No savepoint is needed for that.
    On SQLite the race cannot happen (state-changing requests hold the write lock from BEGIN).
    """
    try:
        session.execute(
            insert(IdempotencyKey).values(
                user_id=user_id,
                key=key,
                action=action,
                fingerprint=request,
                result_id=str(result_id),
                created_at=utcnow(),
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
