"""audit log indexes: by object and by actor name, newest first

Creating indexes does not rebuild the table, so the append-only triggers of 0002 stay in place.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_entry_object", "audit_entry", ["object_type", "object_id", "at"])
    op.create_index("ix_audit_entry_actor_name_at", "audit_entry", ["actor_name", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_actor_name_at", table_name="audit_entry")
    op.drop_index("ix_audit_entry_object", table_name="audit_entry")
