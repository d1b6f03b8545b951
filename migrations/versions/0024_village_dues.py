"""running totals of dues per village and regency: `village_dues`, `regency_dues`

Approved members' valid payments summed per village (the member's), month of payment, payer, channel
and partner (0: none), and the same per regency: what the dashboard's dues splits read rather than
every payment of the year. Filled here from the payments; kept by app/dues/rollup.py afterwards.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 01:10:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("month", "payer", "channel", "partner_id")


def _create(name: str, place: str, length: int, references: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column(place, sa.String(length=length), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint([place], [f"{references}.code"], name=f"fk_{name}_{place}_{references}"),
        sa.PrimaryKeyConstraint(place, *KEY, name=f"pk_{name}"),
    )


def upgrade() -> None:
    villages = _create("village_dues", "village_code", 13, "village")
    regencies = _create("regency_dues", "regency_code", 5, "regency")
    op.create_index("ix_village_dues_month", "village_dues", ["month", "village_code"])

    payment = sa.table(
        "payment",
        sa.column("member_id"),
        sa.column("paid_on"),
        sa.column("payer"),
        sa.column("channel"),
        sa.column("partner_id"),
        sa.column("amount"),
        sa.column("status"),
    )
    member = sa.table("member", sa.column("id"), sa.column("village_code"), sa.column("status"))
    year, month = sa.extract("year", payment.c.paid_on), sa.extract("month", payment.c.paid_on)
    partner = sa.func.coalesce(payment.c.partner_id, 0)
    rows = (
        op.get_bind()
        .execute(
            sa.select(
                member.c.village_code,
                year,
                month,
                payment.c.payer,
                payment.c.channel,
                partner,
                sa.func.count(),
                sa.func.sum(payment.c.amount),
            )
            .join(member, member.c.id == payment.c.member_id)
            .where(payment.c.status == "valid", member.c.status == "approved")
            .group_by(member.c.village_code, year, month, payment.c.payer, payment.c.channel, partner)
        )
        .all()
    )
    by_village, by_regency = [], {}
    for village, y, m, payer, channel, partner_id, count, amount in rows:
        key = (dt.date(int(y), int(m), 1), payer, channel, int(partner_id))
        by_village.append(
            {"village_code": village, **dict(zip(KEY, key, strict=True)), "payments": count, "amount": amount}
        )
        total = by_regency.setdefault((village[:5], *key), [0, 0])
        total[0] += int(count)
        total[1] += int(amount)
    regency_rows = [
        {"regency_code": key[0], **dict(zip(KEY, key[1:], strict=True)), "payments": c, "amount": a}
        for key, (c, a) in by_regency.items()
    ]
    for table, values in ((villages, by_village), (regencies, regency_rows)):
        for start in range(0, len(values), 5000):
            op.bulk_insert(table, values[start : start + 5000])


def downgrade() -> None:
    op.drop_table("regency_dues")
    op.drop_table("village_dues")
