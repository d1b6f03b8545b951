"""identity change requests, moves and deaths of approved members

A table `identity_request`: the new NIK, name, sex and birth date a `duta` asks for (each optional),
the reason, and the branch officer's decision. Pending ones are listed per branch through the
(status, member_id) index, a member's latest through (member_id, id).

A table `move_request`: a member moving to another village, confirmed by the new village's branch;
pending ones listed through (status, to_village_code).

A column `member.died_on`: the day of a member's death, once recorded.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("full_name", sa.String(length=120), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_identity_request_member_id_member"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"], name="fk_identity_request_requested_by_id_user"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name="fk_identity_request_decided_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_identity_request"),
    )
    op.create_index("ix_identity_request_status_member", "identity_request", ["status", "member_id"])
    op.create_index("ix_identity_request_member_id", "identity_request", ["member_id", "id"])
    op.create_table(
        "move_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("from_village_code", sa.String(length=13), nullable=False),
        sa.Column("to_village_code", sa.String(length=13), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_move_request_member_id_member"),
        sa.ForeignKeyConstraint(
            ["from_village_code"], ["village.code"], name="fk_move_request_from_village_code_village"
        ),
        sa.ForeignKeyConstraint(["to_village_code"], ["village.code"], name="fk_move_request_to_village_code_village"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"], name="fk_move_request_requested_by_id_user"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name="fk_move_request_decided_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_move_request"),
    )
    op.create_index("ix_move_request_status_to_village", "move_request", ["status", "to_village_code"])
    op.create_index("ix_move_request_member_id", "move_request", ["member_id", "id"])
    op.add_column("member", sa.Column("died_on", sa.Date(), nullable=True))


def downgrade() -> None:
    # SQLite copies the table to drop a column, and its copy cannot carry the expression index of 0006.
    op.drop_index("ix_member_regency_status_covered", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("died_on")
    op.create_index(
        "ix_member_regency_status_covered",
        "member",
        [sa.text("substr(village_code, 1, 5)"), "status", "covered_until"],
        postgresql_include=["village_code"],
    )
    op.drop_index("ix_move_request_member_id", table_name="move_request")
    op.drop_index("ix_move_request_status_to_village", table_name="move_request")
    op.drop_table("move_request")
    op.drop_index("ix_identity_request_member_id", table_name="identity_request")
    op.drop_index("ix_identity_request_status_member", table_name="identity_request")
    op.drop_table("identity_request")
