"""the KPJ number of a member, issued by BPJS Ketenagakerjaan's core system

A nullable, unique column `member.kpj` (11 digits), recorded by the branch; until then the member
shows "KPJ menunggu" and the app's own member number is an internal reference only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("kpj", sa.String(length=11), nullable=True))
        batch.create_unique_constraint("uq_member_kpj", ["kpj"])


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_constraint("uq_member_kpj", type_="unique")
        batch.drop_column("kpj")
