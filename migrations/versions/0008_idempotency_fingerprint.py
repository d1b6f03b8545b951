"""idempotency keys keep a fingerprint of the request they answered

A key reused with another request (another member, another amount) was answered with the first
request's result. The fingerprint (sha256 hex of the action and the normalised inputs) tells them
apart. Keys claimed before this revision get "" and answer requests of their action as before: a
retry from a phone's outbox sent across the upgrade still finds its receipt.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_key") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_key") as batch:
        batch.drop_column("fingerprint")
