"""Append-only audit log, written in the same transaction as the action it records."""

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Column, Text, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Index, Session, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext

# Every action written to the log (snake_case, object first), with what the audit page calls it.
ACTION_LABELS = {
    "login": lazy_gettext("Logged in"),
    "login_failed": lazy_gettext("Login failed"),
    "login_locked": lazy_gettext("Login refused: locked"),
    "login_throttled": lazy_gettext("Login refused: too soon after a failure"),
    "user_created": lazy_gettext("Account created"),
    "user_activated": lazy_gettext("Account activated"),
    "user_deactivated": lazy_gettext("Account deactivated"),
    "password_reset": lazy_gettext("Password reset"),
    "password_changed": lazy_gettext("Password changed"),
    "password_change_failed": lazy_gettext("Password change refused: wrong current password"),
    "client_login_failed": lazy_gettext("Partner client sign-in failed"),
    "partner_created": lazy_gettext("Partner added"),
    "partner_updated": lazy_gettext("Partner changed"),
    "partner_client_created": lazy_gettext("Partner API client created"),
    "partner_client_rotated": lazy_gettext("Partner API client secret replaced"),
    "partner_client_revoked": lazy_gettext("Partner API client revoked"),
    "settlement_uploaded": lazy_gettext("Partner settlement file uploaded"),
    "settlement_line_resolved": lazy_gettext("Settlement line resolved"),
    "branch_created": lazy_gettext("Branch office created"),
    "branch_updated": lazy_gettext("Branch office changed"),
    "member_created": lazy_gettext("Member registered"),
    "members_imported": lazy_gettext("Members registered from a file"),
    "member_updated": lazy_gettext("Registration corrected"),
    "member_submitted": lazy_gettext("Registration submitted"),
    "member_approved": lazy_gettext("Registration approved"),
    "members_approved": lazy_gettext("Registrations approved together"),
    "member_rejected": lazy_gettext("Registration rejected"),
    "kpj_recorded": lazy_gettext("KPJ number recorded"),
    "identity_change_requested": lazy_gettext("Identity change requested"),
    "identity_change_approved": lazy_gettext("Identity change approved"),
    "identity_change_rejected": lazy_gettext("Identity change rejected"),
    "member_move_requested": lazy_gettext("Move to another village recorded"),
    "member_moved": lazy_gettext("Move to another village confirmed"),
    "member_move_rejected": lazy_gettext("Move to another village refused"),
    "member_died": lazy_gettext("Death recorded"),
    "claim_reported": lazy_gettext("Claim reported"),
    "claim_status": lazy_gettext("Claim moved to its next step"),
    "pmi_registered": lazy_gettext("Migrant worker registered, package paid"),
    "incentive_rate_set": lazy_gettext("Duta incentive rate set"),
    "card_revoked": lazy_gettext("Member card revoked"),
    "contact_recorded": lazy_gettext("Contact with a member noted"),
    "payment_recorded": lazy_gettext("Payment recorded"),
    "payment_voided": lazy_gettext("Payment voided"),
    "payment_refund_due": lazy_gettext("Payment to refund"),
    "payment_refunded": lazy_gettext("Payment refunded"),
    "deposit_created": lazy_gettext("Cash handed in"),
    "deposit_confirmed": lazy_gettext("Deposit confirmed"),
    "deposit_returned": lazy_gettext("Deposit sent back"),
    "group_payment_recorded": lazy_gettext("Group payment recorded"),
    "group_payment_confirmed": lazy_gettext("Group payment confirmed"),
    "discount_added": lazy_gettext("Rate discount added"),
    "stage_changed": lazy_gettext("Desa Sadar stage changed"),
    "officials_set": lazy_gettext("Village officials roster kept"),
    "estimate_set": lazy_gettext("Estimate of informal workers set"),
    "event_created": lazy_gettext("Event recorded"),
    "target_set": lazy_gettext("Target set"),
    "baseline_set": lazy_gettext("Baseline set"),
    "export": lazy_gettext("Report exported"),
    "roster_synced": lazy_gettext("Members kept on the phone (full sync)"),
}


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # The audit page filters by object or by actor, newest first.
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id", "at"),
        Index("ix_audit_entry_actor_name_at", "actor_name", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    # Kept as text too: failed logins have no user row, and names outlive renames.
    actor_name: str = Field(max_length=64)
    action: str = Field(max_length=40, index=True)
    object_type: str = Field(max_length=20)
    object_id: str = Field(max_length=40)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    # How many times it happened: above 1 only for an entry of `record_repeats`, the one change the
    # database lets happen to an entry (migration 0011). The fold key names the entry's minute.
    times: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    fold_key: str | None = Field(default=None, max_length=64, unique=True, index=True)


def _values(actor: Any | None, action: str, object_type: str, object_id: object, actor_name: str | None, detail: dict):
    if action not in ACTION_LABELS:  # a programming error: the audit page must be able to name it
        raise ValueError(f"unknown audit action {action!r}: add it to ACTION_LABELS")
    return {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": actor_name or getattr(actor, "username", "-"),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "detail": json.dumps(detail, default=str, ensure_ascii=False),
    }


def record(
    session: Session,
    actor: Any | None,
    action: str,
    object_type: str,
    object_id: object,
    actor_name: str | None = None,
    **detail: Any,
) -> None:
    """Add an entry to the caller's transaction (the caller commits it with the action itself)."""
    # A Core INSERT rather than an ORM object: an entry is never read back or changed.
    session.execute(insert(AuditEntry).values(**_values(actor, action, object_type, object_id, actor_name, detail)))


def record_repeats(
    session: Session,
    actor: Any | None,
    action: str,
    object_type: str,
    object_id: object,
    actor_name: str | None = None,
    **detail: Any,
) -> None:
    """Like `record`, for what anyone can repeat at will (a refused login): the same action by the same
    actor on the same object with the same detail, within one clock minute, is one entry whose `times`
    grows, not a row per repeat.

    One upsert on the unique fold key: concurrent workers cannot both create the minute's entry (on
    PostgreSQL the second waits for the first to commit, then counts; SQLite writes one at a time)."""
    values = _values(actor, action, object_type, object_id, actor_name, detail)
    minute = values["at"].replace(second=0, microsecond=0).isoformat()
    parts = (action, object_type, values["object_id"], str(values["actor_id"]), values["actor_name"], values["detail"])
    values["fold_key"] = hashlib.sha256("\x1f".join((minute, *parts)).encode()).hexdigest()
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AuditEntry).values(**values)
    session.execute(statement.on_conflict_do_update(index_elements=["fold_key"], set_={"times": AuditEntry.times + 1}))
