"""what came of a duta's contact with a member

A table `member_contact`: the outcome (janji_bayar, belum_mampu, pindah, meninggal, tidak_terhubung),
a note, the day promised and the next contact day. The follow-up lists and the day's visits read a
member's last contact through the (member_id, id) index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("next_contact_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_member_contact_member_id_member"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"], name="fk_member_contact_recorded_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_member_contact"),
    )
    op.create_index("ix_member_contact_member_id", "member_contact", ["member_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_member_contact_member_id", table_name="member_contact")
    op.drop_table("member_contact")
