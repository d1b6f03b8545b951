"""claims helped by the duta and followed by the branch officer

A table `claim`: an incident reported for a member (work accident or death), whether the member was
covered that day, and its steps to payment (with the amount) or refusal (with the reason). A
member's claims through (member_id, id), the open ones of an area through (status, member_id).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("incident_on", sa.Date(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_claim_member_id_member"),
        sa.ForeignKeyConstraint(["reported_by_id"], ["user.id"], name="fk_claim_reported_by_id_user"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name="fk_claim_updated_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_claim"),
    )
    op.create_index("ix_claim_member_id", "claim", ["member_id", "id"])
    op.create_index("ix_claim_status", "claim", ["status", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_status", table_name="claim")
    op.drop_index("ix_claim_member_id", table_name="claim")
    op.drop_table("claim")
