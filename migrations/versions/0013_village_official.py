"""a village's officials (perangkat desa)

A table `village_official`: the position, the name, the member record once registered, the roster's
order. The stage `perangkat_terlindungi` is computed from it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "village_official",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_village_official_member_id_member"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name="fk_village_official_updated_by_id_user"),
        sa.ForeignKeyConstraint(["village_code"], ["village.code"], name="fk_village_official_village_code_village"),
        sa.PrimaryKeyConstraint("id", name="pk_village_official"),
    )
    op.create_index("ix_village_official_village_code", "village_official", ["village_code"])


def downgrade() -> None:
    op.drop_index("ix_village_official_village_code", table_name="village_official")
    op.drop_table("village_official")
