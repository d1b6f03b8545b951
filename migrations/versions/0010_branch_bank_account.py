"""the branch's bank account, printed on the duta's deposit slip

Three nullable columns on `branch`: the bank's name, the account number and the account holder. The
service sets all three or none, so a slip shows a whole account or says none is on file.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("branch") as batch:
        batch.add_column(sa.Column("bank_name", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("bank_account_number", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("bank_account_holder", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("branch") as batch:
        batch.drop_column("bank_account_holder")
        batch.drop_column("bank_account_number")
        batch.drop_column("bank_name")
