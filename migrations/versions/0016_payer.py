"""who pays: a payment's payer, group payments

Columns `payment.payer` (`self`, `apbdes`, `sponsor`; every earlier payment is the member's own:
`self`) and `payment.payer_name` (the sponsor or village budget named on the receipt).

A table `group_payment`: one bank transfer paying the same months for several members of a village,
waiting for the branch officer's confirmation (listed through the status index); `group_receipt`
links it to each member's own receipt (a payment is in one group at most: its primary key).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payment", sa.Column("payer", sa.String(length=10), nullable=False, server_default="self"))
    op.add_column("payment", sa.Column("payer_name", sa.String(length=120), nullable=True))
    op.create_table(
        "group_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("payer_name", sa.String(length=120), nullable=True),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["village_code"], ["village.code"], name="fk_group_payment_village_code_village"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"], name="fk_group_payment_recorded_by_id_user"),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user.id"], name="fk_group_payment_confirmed_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_group_payment"),
        sa.UniqueConstraint("number", name="uq_group_payment_number"),
    )
    op.create_index("ix_group_payment_village_code", "group_payment", ["village_code"])
    op.create_index("ix_group_payment_status", "group_payment", ["status"])
    op.create_table(
        "group_receipt",
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("group_payment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name="fk_group_receipt_payment_id_payment"),
        sa.ForeignKeyConstraint(
            ["group_payment_id"], ["group_payment.id"], name="fk_group_receipt_group_payment_id_group_payment"
        ),
        sa.PrimaryKeyConstraint("payment_id", name="pk_group_receipt"),
    )
    op.create_index("ix_group_receipt_group_payment_id", "group_receipt", ["group_payment_id"])


def downgrade() -> None:
    op.drop_index("ix_group_receipt_group_payment_id", table_name="group_receipt")
    op.drop_table("group_receipt")
    op.drop_index("ix_group_payment_status", table_name="group_payment")
    op.drop_index("ix_group_payment_village_code", table_name="group_payment")
    op.drop_table("group_payment")
    with op.batch_alter_table("payment") as batch:
        batch.drop_column("payer_name")
        batch.drop_column("payer")
