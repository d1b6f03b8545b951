"""the duta's incentive rates

A table `incentive_rate`: from a month on (unique), an amount per member approved and a share of the
dues in basis points, set by the regional office. None at first: the incentive is zero.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incentive_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("per_member", sa.BigInteger(), nullable=False),
        sa.Column("dues_basis_points", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["set_by_id"], ["user.id"], name="fk_incentive_rate_set_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_incentive_rate"),
        sa.UniqueConstraint("effective_from", name="uq_incentive_rate_effective_from"),
    )


def downgrade() -> None:
    op.drop_table("incentive_rate")
