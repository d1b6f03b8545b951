"""prospective migrant workers (PMI) registered with their protection package paid

A table `pmi_registration`: the worker (NIK, name, passport, destination, placement agency, planned
departure), the village where the worker lives, the serving branch, and the one payment of the package
with its receipt and the last day covered. Listed by village and by branch; counted by payment day.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pmi_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("passport_number", sa.String(length=9), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("departure_on", sa.Date(), nullable=False),
        sa.Column("branch_code", sa.String(length=20), nullable=False),
        sa.Column("package", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("receipt_number", sa.String(length=20), nullable=False),
        sa.Column("cover_until", sa.Date(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["village_code"], ["village.code"], name="fk_pmi_registration_village_code_village"),
        sa.ForeignKeyConstraint(["branch_code"], ["branch.code"], name="fk_pmi_registration_branch_code_branch"),
        sa.ForeignKeyConstraint(["registered_by_id"], ["user.id"], name="fk_pmi_registration_registered_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_pmi_registration"),
        sa.UniqueConstraint("receipt_number", name="uq_pmi_registration_receipt_number"),
    )
    op.create_index("ix_pmi_registration_village_code", "pmi_registration", ["village_code", "id"])
    op.create_index("ix_pmi_registration_branch_code", "pmi_registration", ["branch_code", "id"])
    op.create_index("ix_pmi_registration_paid_on", "pmi_registration", ["paid_on"])


def downgrade() -> None:
    op.drop_index("ix_pmi_registration_paid_on", table_name="pmi_registration")
    op.drop_index("ix_pmi_registration_branch_code", table_name="pmi_registration")
    op.drop_index("ix_pmi_registration_village_code", table_name="pmi_registration")
    op.drop_table("pmi_registration")
