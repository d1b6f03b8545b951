"""partners' settlement files and their unmatched lines

Table `settlement` (one upload of a partner's file by a branch officer, with its counts) and
`settlement_line` (a line that matched no payment, unique per partner and reference, until resolved).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("branch_code", sa.String(length=20), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], name="fk_settlement_partner_id_partner"),
        sa.ForeignKeyConstraint(["branch_code"], ["branch.code"], name="fk_settlement_branch_code_branch"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], name="fk_settlement_uploaded_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_settlement"),
    )
    op.create_index("ix_settlement_partner_id", "settlement", ["partner_id"])
    op.create_table(
        "settlement_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("branch_code", sa.String(length=20), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("resolution", sa.String(length=12), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlement.id"], name="fk_settlement_line_settlement_id_settlement"
        ),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], name="fk_settlement_line_partner_id_partner"),
        sa.ForeignKeyConstraint(["branch_code"], ["branch.code"], name="fk_settlement_line_branch_code_branch"),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name="fk_settlement_line_payment_id_payment"),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["user.id"], name="fk_settlement_line_resolved_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_settlement_line"),
    )
    op.create_index("ix_settlement_line_settlement_id", "settlement_line", ["settlement_id"])
    op.create_index("ix_settlement_line_paid_on", "settlement_line", ["paid_on"])
    op.create_index("ix_settlement_line_branch_open", "settlement_line", ["branch_code", "resolution"])
    op.create_index("uq_settlement_line_partner_reference", "settlement_line", ["partner_id", "reference"], unique=True)


def downgrade() -> None:
    op.drop_table("settlement_line")
    op.drop_table("settlement")
