"""the KPJ number of a member, issued by BPJS Ketenagakerjaan's core system

A nullable column `member.kpj` (11 digits) with a unique index, recorded by the branch; until then the member
shows "KPJ menunggu" and the app's own member number is an internal reference only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A unique index, not a constraint: SQLite adds neither a constraint nor a column without copying
    # the table, and the copy of a table other tables point to fails once members are stored.
    op.add_column("member", sa.Column("kpj", sa.String(length=11), nullable=True))
    op.create_index("ix_member_kpj", "member", ["kpj"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_member_kpj", table_name="member")
    # SQLite copies the table to drop a column, and its copy cannot carry the expression index of 0006.
    op.drop_index("ix_member_regency_status_covered", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("kpj")
    op.create_index(
        "ix_member_regency_status_covered",
        "member",
        [sa.text("substr(village_code, 1, 5)"), "status", "covered_until"],
        postgresql_include=["village_code"],
    )
