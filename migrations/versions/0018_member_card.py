"""the member card's version, which its QR codes are signed with

A column `member.card_version` (1 for every member): the verification link of a member card signs the
member's id with this number, and revoking the card ("Cabut kartu") raises it, so the QR codes shared
before show "Kartu tidak berlaku".

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("member", sa.Column("card_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    # SQLite copies the table to drop a column, and its copy cannot carry the expression index of 0006.
    op.drop_index("ix_member_regency_status_covered", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("card_version")
    op.create_index(
        "ix_member_regency_status_covered",
        "member",
        [sa.text("substr(village_code, 1, 5)"), "status", "covered_until"],
        postgresql_include=["village_code"],
    )
