"""member.changed_at: what the duta's phone must fetch again

A column `member.changed_at`, set on every update of a member row, and an index (village_code,
changed_at) so that "what changed in these villages since the last sync" reads the index. Rows older
than the column keep NULL: a phone gets them in its first (full) sync.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("member", sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index("ix_member_village_changed", "member", ["village_code", "changed_at"])


def downgrade() -> None:
    op.drop_index("ix_member_village_changed", table_name="member")
    # SQLite copies the table to drop a column, and its copy cannot carry the expression index of 0006.
    op.drop_index("ix_member_regency_status_covered", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("changed_at")
    op.create_index(
        "ix_member_regency_status_covered",
        "member",
        [sa.text("substr(village_code, 1, 5)"), "status", "covered_until"],
        postgresql_include=["village_code"],
    )
