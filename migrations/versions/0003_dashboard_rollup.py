"""dashboard roll-up and indexes: village_month and regency_month, member (status, covered_until), held cash

- `village_month`: approved members covered, new and lapsed per village and month (app/dues/rollup.py),
  filled here from the existing data so an upgraded database is consistent at once.
- member (status, covered_until) and (village_code, status, covered_until): the dashboards' counts by
  status and cover read these indexes only, never the member rows.
- payment (deposit_id, holder_id, status, paid_on, amount) WHERE deposit_id IS NULL AND holder_id IS NOT NULL: cash held and not
  yet in a deposit, without scanning every cash payment ever taken (deposit_id first, so SQLite's planner,
  whose statistics average ix_payment_deposit_id to a few rows per value, still prefers it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = "deposit_id IS NULL AND holder_id IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "village_month",
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("covered", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("lapsed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["village_code"], ["village.code"]),
        sa.PrimaryKeyConstraint("village_code", "month"),
    )
    op.create_table(
        "regency_month",
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("covered", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("lapsed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["regency_code"], ["regency.code"]),
        sa.PrimaryKeyConstraint("regency_code", "month"),
    )
    op.create_index("ix_village_month_month", "village_month", ["month", "village_code", "covered", "new", "lapsed"])
    op.create_index("ix_member_status_covered", "member", ["status", "covered_until"])
    op.create_index("ix_member_village_status_covered", "member", ["village_code", "status", "covered_until"])
    op.create_index(
        "ix_payment_held",
        "payment",
        ["deposit_id", "holder_id", "status", "paid_on", "amount"],
        sqlite_where=sa.text(HELD),
        postgresql_where=sa.text(HELD),
    )
    _fill()


def _fill() -> None:
    """Existing members and payments into the roll-up (nothing to do on an empty database)."""
    from sqlmodel import Session

    from app.dues.rollup import rebuild

    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM member LIMIT 1")).first():
        return
    session = Session(bind=bind)
    rebuild(session, commit=False)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_payment_held", table_name="payment")
    op.drop_index("ix_member_village_status_covered", table_name="member")
    op.drop_index("ix_member_status_covered", table_name="member")
    op.drop_index("ix_village_month_month", table_name="village_month")
    op.drop_table("regency_month")
    op.drop_table("village_month")
