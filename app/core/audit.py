"""Append-only audit log, written in the same transaction as the action it records."""

import datetime as dt
import json
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, Index, Session, SQLModel

from app.core.clock import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # The audit page filters by object or by actor, newest first.
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id", "at"),
        Index("ix_audit_entry_actor_name_at", "actor_name", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # Kept as text too: failed logins have no user row, and names outlive renames.
    actor_name: str = Field(max_length=64)
    action: str = Field(max_length=40, index=True)
    object_type: str = Field(max_length=20)
    object_id: str = Field(max_length=40)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


def record(
    session: Session,
    actor: Any | None,
    action: str,
    object_type: str,
    object_id: object,
    actor_name: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an entry to the caller's transaction; the caller commits it with the action itself."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or getattr(actor, "username", "-"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=json.dumps(detail, default=str, ensure_ascii=False),
    )
    session.add(entry)
    return entry
