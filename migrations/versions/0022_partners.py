"""partners (mitra), their API clients, and the partner of a payment and of an event

Tables `partner`, `partner_regency` (the regencies it serves) and `partner_client` (client id, hashed
secret, the `mitra` account it acts through); `payment.partner_id` with a unique index on
(partner_id, reference): a partner's reference names one payment; `event.partner_id`.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_partner"),
        sa.UniqueConstraint("name", name="uq_partner_name"),
    )
    op.create_table(
        "partner_regency",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], name="fk_partner_regency_partner_id_partner"),
        sa.ForeignKeyConstraint(["regency_code"], ["regency.code"], name="fk_partner_regency_regency_code_regency"),
        sa.PrimaryKeyConstraint("partner_id", "regency_code", name="pk_partner_regency"),
    )
    op.create_index("ix_partner_regency_regency_code", "partner_regency", ["regency_code"])
    op.create_table(
        "partner_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("rotated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], name="fk_partner_client_partner_id_partner"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_partner_client_user_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_partner_client"),
        sa.UniqueConstraint("client_id", name="uq_partner_client_client_id"),
        sa.UniqueConstraint("user_id", name="uq_partner_client_user_id"),
    )
    op.create_index("ix_partner_client_partner_id", "partner_client", ["partner_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("payment", "event"):
        fk = f"fk_{table}_partner_id_partner"
        if sqlite:
            # SQLite adds a column with its reference in place, without copying the table (alembic
            # would want a batch copy of every payment to add the constraint separately).
            op.execute(f"ALTER TABLE {table} ADD COLUMN partner_id INTEGER CONSTRAINT {fk} REFERENCES partner (id)")
        else:
            op.add_column(table, sa.Column("partner_id", sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, "partner", ["partner_id"], ["id"])
        op.create_index(f"ix_{table}_partner_id", table, ["partner_id"])
    op.create_index("uq_payment_partner_reference", "payment", ["partner_id", "reference"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_payment_partner_reference", table_name="payment")
    for table in ("payment", "event"):
        op.drop_index(f"ix_{table}_partner_id", table_name=table)
        # Its foreign key goes with it (PostgreSQL drops it with the column, SQLite's copy leaves it out).
        with op.batch_alter_table(table) as batch:
            batch.drop_column("partner_id")
    op.drop_index("ix_partner_client_partner_id", table_name="partner_client")
    op.drop_table("partner_client")
    op.drop_index("ix_partner_regency_regency_code", table_name="partner_regency")
    op.drop_table("partner_regency")
    op.drop_table("partner")
