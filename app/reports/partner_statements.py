"""A partner's monthly statement: per partner with any activity in the actor's area that month, the
payments it took (channel `mitra`, valid, paid that month, members in the area) and the lines of its
settlement files dated that month that matched no payment (by branch): still open, refunded, set aside,
matched by hand. The branch officer sees its branch, the regional office and the administrator the region.

Column names of the files are Indonesian, as the other exports (app/reports/exports.py)."""

import datetime as dt
from dataclasses import asdict, dataclass, fields

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Partner, Role
from app.auth.scope import Actor, branch_clause, require_role, village_clause
from app.core.clock import add_months, month_start, today
from app.core.errors import Invalid
from app.core.i18n import _
from app.dues.models import Channel, Payment, PaymentStatus
from app.members.models import Member
from app.partners.models import Resolution, SettlementLine
from app.rates.incentives import parse_month
from app.reports.exports import MONTH, csv_lines, log_export, xlsx_bytes
from app.reports.scope import natural_scope

STATEMENT_ROLES = (Role.cabang.value, Role.wilayah.value, Role.admin.value)
# `YYYY-MM` with room for spaces around it; longer text is no month.
MONTH_LENGTH = 20


@dataclass(frozen=True)
class PartnerMonth:
    partner_id: int | None  # None on the totals row
    name: str
    payments: int = 0
    paid: int = 0
    open_lines: int = 0
    open_amount: int = 0
    refunded_lines: int = 0
    refunded_amount: int = 0
    set_aside_lines: int = 0
    set_aside_amount: int = 0
    matched_lines: int = 0


FIGURES = tuple(f.name for f in fields(PartnerMonth))[2:]


def parse_statement_month(raw: str | None) -> dt.date:
    """`YYYY-MM` as the month's first day (this month in WIB when empty); a later month is refused."""
    this_month = month_start(today())
    if raw is None or not raw.strip():
        return this_month
    month = parse_month(raw) if len(raw) <= MONTH_LENGTH else None
    if month is None:
        raise Invalid({"month": _("Use a month as YYYY-MM.")})
    if month > this_month:
        raise Invalid({"month": _("This month has not begun yet: choose this month or an earlier one.")})
    return month


def statement(session: Session, actor: Actor, month: dt.date) -> list[PartnerMonth]:
    """One row per partner with payments or settlement lines in the actor's area that month, by name:
    two grouped queries and one for the names, whatever the number of partners."""
    require_role(actor, *STATEMENT_ROLES)
    end = add_months(month, 1)
    paid = {
        partner_id: (int(count), int(amount or 0))
        for partner_id, count, amount in session.exec(
            select(Payment.partner_id, func.count(), func.sum(Payment.amount))
            .join(Member, col(Member.id) == Payment.member_id)
            .where(
                col(Payment.channel) == Channel.mitra.value,
                col(Payment.partner_id).is_not(None),
                col(Payment.status) == PaymentStatus.valid.value,
                col(Payment.paid_on) >= month,
                col(Payment.paid_on) < end,
                village_clause(actor, Member.village_code),
            )
            .group_by(col(Payment.partner_id))
        ).all()
    }
    resolution = col(SettlementLine.resolution)
    # Open, refunded, set aside: a count and an amount each (the order of PartnerMonth's fields).
    kinds = (resolution.is_(None), resolution == Resolution.refunded.value, resolution == Resolution.set_aside.value)
    lines = {
        row[0]: [int(value or 0) for value in row[1:]]
        for row in session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
                SettlementLine.partner_id,
                *(
                    aggregate
                    for clause in kinds
                    for aggregate in (func.count().filter(clause), func.sum(SettlementLine.amount).filter(clause))
                ),
                func.count().filter(resolution == Resolution.matched.value),
            )
            .where(
                col(SettlementLine.paid_on) >= month,
                col(SettlementLine.paid_on) < end,
                branch_clause(actor, SettlementLine.branch_code),
            )
            .group_by(col(SettlementLine.partner_id))
        ).all()
    }
    ids = set(paid) | set(lines)
    if not ids:
        return []
    names = session.exec(select(Partner.id, Partner.name).where(col(Partner.id).in_(ids)).order_by(Partner.name)).all()
    return [
        PartnerMonth(partner_id, name, *paid.get(partner_id, (0, 0)), *lines.get(partner_id, [0] * (len(FIGURES) - 2)))
        for partner_id, name in names
    ]


def totals(rows: list[PartnerMonth]) -> PartnerMonth:
    return PartnerMonth(None, "Total", *(sum(getattr(row, figure) for row in rows) for figure in FIGURES))


def as_json(month: dt.date, rows: list[PartnerMonth]) -> dict:
    total = totals(rows)
    return {
        "month": f"{month:%Y-%m}",
        "items": [asdict(row) for row in rows],
        "totals": {name: getattr(total, name) for name in FIGURES},
    }


# ----------------------------------------------------------------------------------------- exports

HEADERS = [
    "Mitra",
    "Bulan",
    "Pembayaran",
    "Jumlah pembayaran (Rp)",
    "Baris belum selesai",
    "Jumlah belum selesai (Rp)",
    "Baris dikembalikan",
    "Jumlah dikembalikan (Rp)",
    "Baris disisihkan",
    "Jumlah disisihkan (Rp)",
    "Baris dicocokkan manual",
]
KINDS = {1: MONTH}


def export_rows(session: Session, actor: Actor, month: dt.date, fmt: str) -> list[list]:
    """The statement's rows and a totals row (`Total`); the export is audited with the partners' count."""
    rows = statement(session, actor, month)
    log_export(session, actor, "partner_statements", natural_scope(session, actor), len(rows), fmt)
    return [[row.name, month, *(getattr(row, name) for name in FIGURES)] for row in [*rows, totals(rows)]]


def statement_csv(rows: list[list]):
    return csv_lines(HEADERS, rows, KINDS)


def statement_xlsx(rows: list[list]) -> bytes:
    return xlsx_bytes("Laporan mitra", HEADERS, rows, KINDS)
