"""cash held per duta: the running table `cash_held`, filled from the payments; drop ix_payment_held

- `cash_held` (holder_id, village_code, total, payments, oldest_paid_on): cash payments held by a duta
  (app/dues/custody.py has the one definition: channel tunai, a holder, in no deposit, status valid or
  refund_due), per member village so every dashboard scope filters it; kept in the transaction of every
  payment, void, refund and deposit created or returned. Filled here from the existing payments.
- `ix_payment_held` (migration 0003) served the dashboards' scan of held payments, which now read
  `cash_held`; the recomputation of one duta's row uses ix_payment_holder_deposit.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = "deposit_id IS NULL AND holder_id IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "cash_held",
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("oldest_paid_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["holder_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["village_code"], ["village.code"]),
        sa.PrimaryKeyConstraint("holder_id", "village_code"),
    )
    op.create_index("ix_cash_held_village", "cash_held", ["village_code", "holder_id"])
    # The same definition as app.dues.custody.held_clause, in plain SQL so this revision stays as it is.
    op.execute(
        """
        INSERT INTO cash_held (holder_id, village_code, total, payments, oldest_paid_on)
        SELECT p.holder_id, m.village_code, SUM(p.amount), COUNT(*), MIN(p.paid_on)
        FROM payment p JOIN member m ON m.id = p.member_id
        WHERE p.channel = 'tunai' AND p.holder_id IS NOT NULL AND p.deposit_id IS NULL
          AND p.status IN ('valid', 'refund_due')
        GROUP BY p.holder_id, m.village_code
        """
    )
    op.drop_index("ix_payment_held", table_name="payment")


def downgrade() -> None:
    op.create_index(
        "ix_payment_held",
        "payment",
        ["deposit_id", "holder_id", "status", "paid_on", "amount"],
        sqlite_where=sa.text(HELD),
        postgresql_where=sa.text(HELD),
    )
    op.drop_index("ix_cash_held_village", table_name="cash_held")
    op.drop_table("cash_held")
