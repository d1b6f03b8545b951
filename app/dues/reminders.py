"""Reminders of the duta's home: members whose cover ends this month or ended lately, and the home's
cash and reminder numbers."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, village_clause
from app.core.clock import add_months, month_start, today
from app.dues import custody
from app.dues.deposits import CASH_HELD_LIMIT, cash_held, held_where
from app.dues.models import Deposit, DepositStatus, Payment, PaymentStatus
from app.dues.receipts import reminder_link
from app.dues.service import contribution, deposit_scope
from app.members.models import Member, MemberStatus


@dataclass
class Reminder:
    member: Member
    kind: str  # "due" (cover ends this month) or "lapsed" (ended in the last three months)
    monthly_amount: int
    whatsapp_url: str


# Reminders on the duta's home: the most urgent ones; the rest through the member list's cover filters.
REMINDER_LIMIT = 30


def _to_remind(actor: Actor, this_month: dt.date):
    return (
        Member.status == MemberStatus.approved.value,
        village_clause(actor, Member.village_code),
        col(Member.covered_until) >= add_months(this_month, -3),
        col(Member.covered_until) <= this_month,
    )


def reminders(session: Session, actor: Actor, day: dt.date | None = None, limit: int | None = None) -> list[Reminder]:
    """Members whose cover ends this month, then those lapsed in the last three months (latest first)."""
    day = day or today()
    this_month = month_start(day)
    members = session.exec(
        select(Member)
        .where(*_to_remind(actor, this_month))
        .order_by(col(Member.covered_until).desc(), Member.full_name)
        .limit(limit or REMINDER_LIMIT)
    ).all()
    result = []
    for member in members:
        amount = contribution(session, member, this_month).total
        kind = "due" if member.covered_until == this_month else "lapsed"
        result.append(Reminder(member, kind, amount, reminder_link(member, amount, this_month)))
    return result


def reminder_count(session: Session, actor: Actor, day: dt.date | None = None) -> int:
    return session.exec(
        select(func.count()).select_from(Member).where(*_to_remind(actor, month_start(day or today())))
    ).one()


def cash_context(session: Session, actor: Actor) -> dict:
    """Cash held, deposits waiting and refunds due (the keys of home/_cash.html): on homes and /deposits."""
    if actor.sees_region:
        return {}  # the region's homes link to the dashboard, which has its own cash figures
    context: dict = {"cash_held": cash_held(session, actor, limit=CASH_HELD_LIMIT)}
    if len(context["cash_held"]) == CASH_HELD_LIMIT:
        total, holders, _oldest = custody.summary(session, *held_where(actor))
        context.update(cash_held_total=total, cash_held_dutas=holders)
    context["dues_waiting"] = session.exec(
        select(func.count())
        .select_from(Deposit)
        .where(Deposit.status == DepositStatus.submitted.value, deposit_scope(actor))
    ).one()
    if actor.role != Role.duta.value:
        context["dues_refunds"] = session.exec(
            select(func.count())
            .select_from(Payment)
            .join(Member, col(Member.id) == Payment.member_id)
            .where(Payment.status == PaymentStatus.refund_due.value, village_clause(actor, Member.village_code))
        ).one()
    return context


def home_context(session: Session, actor: Actor) -> dict:
    """The dues part of each role's home page: the cash context, and a duta's reminders
    (home/_reminders.html)."""
    context = cash_context(session, actor)
    if actor.role == Role.duta.value:
        context["reminders"] = reminders(session, actor)
        context["reminders_total"] = (
            reminder_count(session, actor) if len(context["reminders"]) == REMINDER_LIMIT else len(context["reminders"])
        )
    return context
