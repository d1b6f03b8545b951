"""audit log append-only: triggers refusing UPDATE/DELETE

The application never updates or deletes audit entries (no route or service does); these triggers
make the database refuse it too, so a bug, a stray script or a console session cannot rewrite
history. On SQLite a batch-mode table rebuild of `audit_entry` would drop the triggers: a later
migration that alters this table must create them again (see `_sqlite_triggers`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit log is append-only"


def _sqlite_triggers() -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )


def _postgresql_triggers() -> None:
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
