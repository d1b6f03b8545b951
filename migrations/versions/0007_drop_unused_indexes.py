"""four indexes no query uses, written on every registration or payment

Every registration and payment writes each index of the tables it touches (a payment moves the
member's `covered_until` in every index that holds it). No query reads these four:
- `ix_member_covered_until` and `ix_member_village_covered`: every query on the cover also asks for
  approved members, which `ix_member_status_covered`, `ix_member_village_status_covered` and
  `ix_member_regency_status_covered` serve (checked with EXPLAIN on the dashboards, the member list
  with a cover filter and the reminders).
- `ix_payment_recorded_by_id` and `ix_audit_entry_actor_id`: nothing selects payments or audit entries
  by that user id (the audit page filters by the actor's name, `ix_audit_entry_actor_name_at`), and
  accounts are never deleted, so the foreign keys need no index for a delete either.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_member_covered_until", table_name="member")
    op.drop_index("ix_member_village_covered", table_name="member")
    op.drop_index("ix_payment_recorded_by_id", table_name="payment")
    op.drop_index("ix_audit_entry_actor_id", table_name="audit_entry")


def downgrade() -> None:
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"])
    op.create_index("ix_payment_recorded_by_id", "payment", ["recorded_by_id"])
    op.create_index("ix_member_village_covered", "member", ["village_code", "covered_until"])
    op.create_index("ix_member_covered_until", "member", ["covered_until"])
