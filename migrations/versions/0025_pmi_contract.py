"""a PMI registration's work contract: `contract_months` and `extension_months`

The package paid follows the length of the work contract (Permenaker 4/2023, article 18: 6, 12 or 24
months, each month beyond at the monthly rate). Registrations made before paid the 24-month package.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pmi_registration") as batch:
        batch.add_column(sa.Column("contract_months", sa.Integer(), server_default="24", nullable=False))
        batch.add_column(sa.Column("extension_months", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("pmi_registration") as batch:
        batch.drop_column("extension_months")
        batch.drop_column("contract_months")
