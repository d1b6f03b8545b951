"""This year's payments of an area as CSV or XLSX: one row per receipt with who paid it (the member, the
village budget or a sponsor, and the sponsor's name), so the regional office can split dues by payer.

Column names and labels are Indonesian, as the other exports (app/reports/exports.py: the same writers,
formula neutralisation and audit entry)."""

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.scope import Actor, require_role
from app.core.clock import today
from app.core.i18n import in_locale
from app.dues.documents import payment_status_label
from app.dues.models import Channel, GroupPayment, GroupReceipt, Payer, Payment
from app.members.models import Member
from app.regions.models import Village
from app.reports.exports import CHUNK, DATE, EXPORT_ROLES, MONTH, csv_lines, log_export, xlsx_bytes
from app.reports.scope import Scope, member_scope, parse_scope

PAYMENT_HEADERS = [
    "Kuitansi",
    "Tanggal bayar",
    "Nama",
    "KPJ",
    "Desa",
    "Bulan",
    "Iuran dari",
    "Iuran sampai",
    "Jumlah",
    "Cara bayar",
    "Pembayar",
    "Nama pembayar",
    "Kuitansi kolektif",
    "Status",
]
PAYMENT_KINDS = {1: DATE, 6: MONTH, 7: MONTH}


def _where(actor: Actor, scope: Scope, day: dt.date):
    return (
        col(Payment.paid_on) >= dt.date(day.year, 1, 1),
        col(Payment.paid_on) <= day,
        member_scope(actor, scope),
    )


def prepare(session: Session, actor: Actor, scope_text: str | None, fmt: str) -> Scope:
    """Checks scope (404) and role (403), counts the rows and logs the export."""
    scope = parse_scope(session, actor, scope_text)
    require_role(actor, *EXPORT_ROLES)
    total = session.exec(
        select(func.count())
        .select_from(Payment)
        .join(Member, col(Member.id) == Payment.member_id)
        .where(*_where(actor, scope, today()))
    ).one()
    log_export(session, actor, "payments", scope, int(total), fmt)
    return scope


def payment_rows(session: Session, actor: Actor, scope: Scope) -> Iterator[list]:
    """Keyset pages of CHUNK payments, by id: no cursor stays open between the pieces of a streamed file."""
    with in_locale("id"):
        channels, payers = Channel.labels(), Payer.labels()
        statuses = {status: payment_status_label(status) for status in ("valid", "void", "refund_due", "refunded")}
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() of at most 4 columns (fastapi/sqlmodel#271)
            Payment.id,
            Payment.receipt_number,
            Payment.paid_on,
            Member.full_name,
            Member.kpj,
            Village.name,
            Payment.months,
            Payment.cover_from,
            Payment.cover_to,
            Payment.amount,
            Payment.channel,
            Payment.payer,
            Payment.payer_name,
            GroupPayment.number,
            Payment.status,
        )
        .join(Member, col(Member.id) == Payment.member_id)
        .join(Village, col(Village.code) == Member.village_code)
        .outerjoin(GroupReceipt, col(GroupReceipt.payment_id) == Payment.id)
        .outerjoin(GroupPayment, col(GroupPayment.id) == GroupReceipt.group_payment_id)
        .where(*_where(actor, scope, today()))
    )
    last = 0
    while True:
        rows = session.exec(query.where(col(Payment.id) > last).order_by(Payment.id).limit(CHUNK)).all()
        for (
            _id,
            number,
            paid_on,
            name,
            kpj,
            village,
            months,
            start,
            end,
            amount,
            channel,
            payer,
            payer_name,
            group,
            status,
        ) in rows:
            yield [
                number,
                _date(paid_on),
                name,
                kpj or "",
                village,
                int(months),
                _date(start),
                _date(end),
                int(amount),
                channels.get(channel, channel),
                payers.get(payer, payer),
                payer_name or "",
                group or "",
                statuses.get(status, status),
            ]
        if len(rows) < CHUNK:
            return
        last = rows[-1][0]


def _date(value) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10]) if not isinstance(value, dt.date) else value


def payments_csv(session: Session, actor: Actor, scope: Scope) -> Iterator[bytes]:
    return csv_lines(PAYMENT_HEADERS, payment_rows(session, actor, scope), PAYMENT_KINDS)


def payments_xlsx(session: Session, actor: Actor, scope: Scope) -> bytes:
    return xlsx_bytes("Iuran", PAYMENT_HEADERS, payment_rows(session, actor, scope), PAYMENT_KINDS)
