"""A member's payments and the deposits of the cash: cover by the dues rule (app.dues.cover), amounts by
the rate in force (app.rates), receipt numbers as the app gives them (app.dues.receipts)."""

import datetime as dt
from dataclasses import dataclass

from app.core.clock import add_months
from app.dues.cover import cover_of
from app.dues.models import Deposit, Payment
from app.generator.context import Context, month_index, month_ordinal
from app.generator.data import CHANNELS, LAPSE_CHANCE, MONTHS_PAID, QUIT_CHANCE_AT_LAPSE, VOID_CHANCE, cumulative, pick

_CHANNELS = cumulative(CHANNELS)
_MONTHS_PAID = cumulative(MONTHS_PAID)


@dataclass
class Payer:
    """The member who pays and the people around the cash."""

    member_id: int
    income: int
    jht: bool
    occupation: str
    duta: int
    cabang: int


class Deposits:
    """One village's deposits, written once the village is done (their totals grow with each payment).

    Cash older than two weeks went to the bank in the month's confirmed deposit; recent cash is held,
    or in a deposit waiting for the branch's confirmation."""

    def __init__(self, ctx: Context, held_recent: bool):
        self.ctx = ctx
        self.held_recent = held_recent
        self.recent_limit = ctx.today.toordinal() - 14
        self.rows: dict[tuple[int, int], dict] = {}

    def take(self, duta: int, cabang: int, paid: dt.date, amount: int) -> int | None:
        """The deposit the cash went into (None: the duta still holds it)."""
        ctx = self.ctx
        if paid.toordinal() >= self.recent_limit:
            if self.held_recent:
                return None
            key = (duta, 0)
        else:
            key = (duta, paid.year * 12 + paid.month)
        deposit = self.rows.get(key)
        if deposit is None:
            today_ordinal = ctx.today.toordinal()
            deposit = {
                "id": ctx.writer.new_id(Deposit),
                "duta_id": duta,
                "total": 0,
                "return_reason": None,
            }
            if key[1] == 0:
                created = today_ordinal - ctx.rng.randrange(0, 3)
                deposit |= {
                    "status": "submitted",
                    "created_at": ctx.moment(created),
                    "bank_reference": None,
                    "confirmed_by_id": None,
                    "confirmed_at": None,
                }
            else:
                month_end = month_ordinal(key[1]) - 1  # key[1] is the month after the payment's
                created = min(today_ordinal - 1, month_end + ctx.rng.randrange(1, 6))
                confirmed = min(today_ordinal - 1, created + ctx.rng.randrange(0, 4))
                deposit |= {
                    "status": "confirmed",
                    "created_at": ctx.moment(created),
                    "bank_reference": f"SLIP{ctx.rng.randrange(10**7, 10**8)}",
                    "confirmed_by_id": cabang,
                    "confirmed_at": ctx.moment(confirmed),
                }
            self.rows[key] = deposit
            ctx.report.deposits += 1
        deposit["total"] += amount
        return deposit["id"]

    def write(self) -> None:
        for deposit in self.rows.values():
            self.ctx.writer.add(Deposit, deposit)


def payments(
    ctx: Context, payer: Payer, start_ordinal: int, deposits: Deposits
) -> tuple[dt.date | None, dt.date | None]:
    """Payments from the approval day on: mostly one month at a time, paid in the month cover ends or the
    month after; sometimes a lapse and a restart, sometimes a stop. Returns the member's (covered_until,
    first_covered)."""
    rng, writer = ctx.rng, ctx.writer
    today_ordinal = ctx.today.toordinal()
    today_month = month_index(ctx.today)
    covered_until: dt.date | None = None
    first: dt.date | None = None
    paid_ordinal = start_ordinal
    while paid_ordinal <= today_ordinal:
        paid = ctx.day(paid_ordinal)
        months = pick(rng, _MONTHS_PAID)
        cover_from, cover_to = cover_of(covered_until, paid, months)
        monthly = ctx.contribution(payer.income, payer.jht, payer.occupation, paid)
        channel = pick(rng, _CHANNELS)
        reference = f"BRI{rng.randrange(10**9, 10**10)}" if channel == "bank" else None
        void = rng.random() < VOID_CHANCE
        recorded_ordinal = paid_ordinal if channel == "tunai" else min(today_ordinal, paid_ordinal + 2)
        recorded = ctx.moment(recorded_ordinal)
        holder = deposit_id = None
        if channel == "tunai":
            holder = payer.duta
            if not void:
                deposit_id = deposits.take(payer.duta, payer.cabang, paid, months * monthly)
        writer.add(
            Payment,
            {
                "id": writer.new_id(Payment),
                "receipt_number": ctx.receipt_number(ctx.day(recorded_ordinal)),
                "member_id": payer.member_id,
                "months": months,
                "monthly_amount": monthly,
                "amount": months * monthly,
                "channel": channel,
                "reference": reference,
                "paid_on": paid,
                "cover_from": cover_from,
                "cover_to": cover_to,
                "status": "void" if void else "valid",
                "recorded_by_id": payer.duta,
                "recorded_at": recorded,
                "holder_id": holder,
                "deposit_id": deposit_id,
                "void_reason": "Salah input jumlah bulan" if void else None,
                "voided_by_id": payer.cabang if void else None,
                "voided_at": recorded if void else None,
                "refunded_at": None,
                "refunded_by_id": None,
            },
        )
        ctx.report.payments += 1
        if void:
            # Recorded again the same day, correctly: the next turn pays from the same day.
            paid_ordinal = min(today_ordinal + 1, paid_ordinal + 1)
            continue
        covered_until = cover_to
        first = cover_from if first is None else first
        # When is the next payment?
        if rng.random() < LAPSE_CHANCE:
            if rng.random() < QUIT_CHANCE_AT_LAPSE:
                break
            next_month = add_months(cover_to, 1 + rng.randrange(1, 9))
        else:
            next_month = add_months(cover_to, 0 if rng.random() < 0.55 else 1)
        next_index = max(month_index(next_month), month_index(paid) + 1)
        if next_index > today_month:
            break
        paid_ordinal = max(month_ordinal(next_index) + rng.randrange(0, 27), paid_ordinal + 1)
    return covered_until, first
