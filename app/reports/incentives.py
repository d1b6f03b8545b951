"""The duta's incentive report: per duta and month, the members approved (registered by the duta,
approved that month), the dues collected (valid payments the duta recorded that month), the cash
deposited (the duta's deposits the branch confirmed that month) and the incentive at the rate in force
for the month (app/rates/incentives.py): an amount per member approved plus a share of the dues that
reached BPJS that month (cash deposited, and dues paid by transfer). Months run in WIB.

Who sees whom: a `duta` itself, a branch officer the duta of the branch, the regional office and the
administrator every duta (one branch at a time if asked)."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.auth.scope import Actor, branch_clause, require_role
from app.core.clock import WIB, add_months, month_start, today
from app.core.errors import NotFound
from app.core.i18n import _
from app.core.money import percent_of
from app.dues.models import Channel, Deposit, DepositStatus, Payment, PaymentStatus
from app.members.models import Member, MemberStatus
from app.rates.incentives import rate_in_force
from app.rates.models import IncentiveRate
from app.regions.models import Branch

# The duta's own page: this month and the five before.
OWN_MONTHS = 6
EXPORT_ROLES = (Role.cabang.value, Role.wilayah.value, Role.admin.value)


@dataclass(frozen=True)
class DutaMonth:
    duta_id: int
    username: str
    full_name: str
    branch_code: str
    month: dt.date
    approved: int
    collected: int
    deposited: int
    transferred: int
    incentive: int


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first and next month's first instant, in WIB, as aware datetimes."""
    start = dt.datetime.combine(month, dt.time(), WIB)
    return start, dt.datetime.combine(add_months(month, 1), dt.time(), WIB)


def incentive_of(rate: IncentiveRate | None, approved: int, reached_bpjs: int) -> int:
    if rate is None:
        return 0
    return approved * rate.per_member + percent_of(reached_bpjs, rate.dues_basis_points)


def _dutas(session: Session, actor: Actor, branch: str | None):
    """The duta the actor sees (one branch's if `branch` is given and in scope)."""
    if actor.role == Role.duta.value:
        clause = col(User.id) == actor.id
    else:
        require_role(actor, *EXPORT_ROLES)
        clause = branch_clause(actor, User.branch_code)
    if branch:
        if (
            session.exec(select(Branch.code).where(Branch.code == branch, branch_clause(actor, Branch.code))).first()
            is None
        ):
            raise NotFound(_("Branch not found."))
        clause = clause & (col(User.branch_code) == branch)
    return session.exec(
        select(User.id, User.username, User.full_name, User.branch_code)
        .where(col(User.role) == Role.duta.value, clause)
        .order_by(col(User.branch_code), col(User.username))
    ).all()


def month_rows(session: Session, actor: Actor, month: dt.date, branch: str | None = None) -> list[DutaMonth]:
    dutas = _dutas(session, actor, branch)
    ids = [duta_id for duta_id, *_rest in dutas]
    if not ids:
        return []
    start, end = _bounds(month)
    approved = dict(
        session.exec(
            select(Member.registered_by_id, func.count())
            .where(
                col(Member.registered_by_id).in_(ids),
                col(Member.status) == MemberStatus.approved.value,
                col(Member.decided_at) >= start,
                col(Member.decided_at) < end,
            )
            .group_by(col(Member.registered_by_id))
        ).all()
    )
    collected = {
        recorder: (int(total or 0), int(transfer or 0))
        for recorder, total, transfer in session.exec(
            select(
                Payment.recorded_by_id,
                func.sum(Payment.amount),
                func.sum(Payment.amount).filter(col(Payment.channel) != Channel.tunai.value),
            )
            .where(
                col(Payment.recorded_by_id).in_(ids),
                col(Payment.status) == PaymentStatus.valid.value,
                col(Payment.recorded_at) >= start,
                col(Payment.recorded_at) < end,
            )
            .group_by(col(Payment.recorded_by_id))
        ).all()
    }
    deposited = dict(
        session.exec(
            select(Deposit.duta_id, func.sum(Deposit.total))
            .where(
                col(Deposit.duta_id).in_(ids),
                col(Deposit.status) == DepositStatus.confirmed.value,
                col(Deposit.confirmed_at) >= start,
                col(Deposit.confirmed_at) < end,
            )
            .group_by(col(Deposit.duta_id))
        ).all()
    )
    rate = rate_in_force(session, month)
    rows = []
    for duta_id, username, full_name, branch_code in dutas:
        count = int(approved.get(duta_id, 0))
        total, transferred = collected.get(duta_id, (0, 0))
        cash_in = int(deposited.get(duta_id) or 0)
        rows.append(
            DutaMonth(
                duta_id,
                username,
                full_name,
                branch_code or "",
                month,
                count,
                total,
                cash_in,
                transferred,
                incentive_of(rate, count, cash_in + transferred),
            )
        )
    return rows


def own_months(session: Session, actor: Actor, months: int = OWN_MONTHS) -> list[DutaMonth]:
    """A duta's own figures, this month first."""
    this_month = month_start(today())
    return [row for k in range(months) for row in month_rows(session, actor, add_months(this_month, -k))]


def rows_for(session: Session, actor: Actor, month: dt.date, branch: str | None = None) -> list[DutaMonth]:
    """What the actor is shown: a duta its own last months, the others their duta's figures of the month."""
    if actor.role == Role.duta.value:
        return own_months(session, actor)
    return month_rows(session, actor, month, branch)


# ----------------------------------------------------------------------------------------- exports

HEADERS = [
    "Nama pengguna",
    "Nama",
    "Kode cabang",
    "Bulan",
    "Peserta disetujui",
    "Iuran dikumpulkan (Rp)",
    "Tunai disetor (Rp)",
    "Iuran transfer (Rp)",
    "Insentif (Rp)",
]
KINDS = {3: "month"}


def export_rows(rows: list[DutaMonth]) -> list[list]:
    return [
        [
            r.username,
            r.full_name,
            r.branch_code,
            r.month,
            r.approved,
            r.collected,
            r.deposited,
            r.transferred,
            r.incentive,
        ]
        for r in rows
    ]
