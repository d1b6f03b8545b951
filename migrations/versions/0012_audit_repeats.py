"""audit entries that count repeats: `times` and `fold_key`

Anonymous callers can repeat some actions at will (a login refused while locked or throttled): each
repeat used to add a row. Now the repeats of one action, by one actor, on one object, with the same
detail, within one clock minute, share an entry (`fold_key`, unique) whose `times` grows.

The log stays append-only, with one exception: the database lets `times` of a folded entry grow, and
nothing else. On PostgreSQL the trigger function compares the whole row but `times`; on SQLite the
UPDATE trigger lists the columns it guards (`UPDATE OF`), so a later migration adding a column to
`audit_entry` must add it to that list (tests/audit/test_append_only.py checks every column).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit log is append-only"
GUARDED = "id, at, actor_id, actor_name, action, object_type, object_id, detail, fold_key"


def _postgresql_function(allow_growing_times: bool) -> None:
    allowance = (
        """
            IF TG_OP = 'UPDATE' THEN
                IF OLD.fold_key IS NOT NULL AND NEW.times > OLD.times
                   AND to_jsonb(NEW) - 'times' = to_jsonb(OLD) - 'times' THEN
                    RETURN NEW;
                END IF;
            END IF;"""
        if allow_growing_times
        else ""
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN{allowance}
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("times", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("audit_entry", sa.Column("fold_key", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_entry_fold_key", "audit_entry", ["fold_key"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_function(allow_growing_times=True)
        return
    op.execute("DROP TRIGGER audit_entry_no_update")
    op.execute(
        f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OF {GUARDED} ON audit_entry "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_times_grow BEFORE UPDATE OF times ON audit_entry "
        "WHEN OLD.fold_key IS NULL OR NEW.times IS NULL OR NEW.times <= OLD.times "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        _postgresql_function(allow_growing_times=False)
    else:
        # SQLite drops no column a trigger names; the triggers of 0002 come back afterwards.
        op.execute("DROP TRIGGER audit_entry_times_grow")
        op.execute("DROP TRIGGER audit_entry_no_update")
        op.execute("DROP TRIGGER audit_entry_no_delete")
    op.drop_index("ix_audit_entry_fold_key", table_name="audit_entry")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("fold_key")
        batch.drop_column("times")
    if not postgresql:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
