"""A realistic region in a database: `duta generate --members N` (or `duta demo --members N`).

Fills a migrated database with N members spread over every village of Aceh and Sumatera Utara with a
Zipf-like skew (some villages far ahead), registered by a `duta` account of their village, with payments
over the last 24 months that lapse and restart the way cash dues do, deposits for the cash, outreach
events, Desa Sadar stages with their history, and targets; then rebuilds the roll-ups. Deterministic for
a given seed and day. Every rule (cover, contribution, receipt and member numbers, counters) is the
domain's own function.

Rows are made village by village (villages in code order, so a district's NIK serials fit in a small
dict) and written through the session in batches (`writer.Writer`), all in one transaction. A database
may already hold data entered otherwise (the demo's accounts and members): ids, numbers and NIKs go
round it, and villages with a stage keep theirs. It refuses a database generated into already.
"""

import datetime as dt
import math
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.auth.models import User
from app.core.clock import today as wib_today
from app.core.db import refresh_statistics
from app.dues.custody import rebuild as rebuild_cash_held
from app.dues.models import Payment
from app.dues.rollup import rebuild as rebuild_rollup
from app.generator.context import GENERATED_PASSWORD, MONTHS, Context, GenerateReport
from app.generator.money import Deposits
from app.generator.people import WILAYAH_USERNAME, People, Place, add_branches
from app.generator.programme import Programme
from app.members.models import Member
from app.regions.models import Regency, Village
from app.regions.service import load_regions, regions_loaded

__all__ = ["GENERATED_PASSWORD", "MONTHS", "WILAYAH_USERNAME", "GenerateReport", "generate"]

# Written out when this many rows wait (memory stays at about one batch of villages).
FLUSH_PAYMENTS, FLUSH_MEMBERS = 60_000, 20_000


def allocate(ctx: Context, villages: list[Place], members: int) -> list[int]:
    """Members per village: Zipf-like weights over a seeded shuffle of the villages, shared out by largest
    remainder, so the total is exact."""
    order = list(range(len(villages)))
    ctx.rng.shuffle(order)
    weights = [0.0] * len(villages)
    for rank, index in enumerate(order):
        weights[index] = 1.0 / (rank + 8) ** 0.75
    total = sum(weights)
    shares = [members * weight / total for weight in weights]
    counts = [int(share) for share in shares]
    rest = members - sum(counts)
    for index in sorted(range(len(villages)), key=lambda i: counts[i] - shares[i])[:rest]:
        counts[index] += 1
    return counts


def _places(session: Session) -> list[Place]:
    rows = session.execute(
        select(
            col(Village.code),
            col(Village.district_code),
            col(Village.regency_code),
            col(Village.province_code),
            col(Regency.branch_code),
            col(Village.name),
            col(Village.stage),
        )
        .join(Regency, col(Regency.code) == col(Village.regency_code))
        .order_by(Village.code)
    ).all()
    return [Place(*row) for row in rows]


class _Run:
    def __init__(self, ctx: Context, progress: Callable[[str], None]):
        self.ctx = ctx
        self.progress = progress
        self.people = People(ctx)
        self.programme = Programme(ctx)

    def village(self, village: Place, count: int) -> int:
        """The village's accounts, events, members, payments, deposits and stage history; returns its
        estimated number of informal workers."""
        ctx, rng = self.ctx, self.ctx.rng
        estimate = rng.randrange(250, 2500, 10)
        if count == 0:
            return estimate
        estimate = max(estimate, int(count * rng.uniform(1.6, 4.0)) // 10 * 10)
        ctx.report.villages_with_members += 1
        today_ordinal = ctx.today.toordinal()
        # Registration days: more of them early in the window (the programme's first push), so a member
        # has on average about a year of payments behind it.
        reg_days = sorted(
            today_ordinal - int(ctx.span_days * (math.sqrt(rng.random()) if rng.random() < 0.85 else rng.random()))
            for _ in range(count)
        )
        dutas = self.people.dutas(village, count, reg_days[0])
        cabang = self.people.cabang[village.branch]
        events = self.programme.village_events(village.code, count, cabang)
        events.sort()
        held_recent = rng.random() < 0.5  # this village's duta holds recent cash rather than depositing it
        deposits = Deposits(ctx, held_recent)
        approved = [self.people.member(village, reg, dutas, events, deposits) for reg in reg_days]
        deposits.write()
        self.programme.stages(village.code, cabang, dutas, reg_days[0], [a for a in approved if a is not None])
        return estimate

    def run(self, members: int) -> GenerateReport:
        ctx, report, writer = self.ctx, self.ctx.report, self.ctx.writer
        started = time.monotonic()
        villages = add_branches(ctx, _places(ctx.session))
        if not villages:
            raise ValueError("load the region's geography first (duta regions load)")
        self.people.staff(villages)
        counts = allocate(ctx, villages, members)
        biggest = villages[max(range(len(villages)), key=counts.__getitem__)]
        report.accounts["cabang"] = f"gen.cabang.{biggest.branch.lower()}"
        report.accounts["duta"] = f"gen.duta.{biggest.code.replace('.', '')}"
        report.scopes = {"province": biggest.province, "branch": biggest.branch, "village": biggest.code}
        self.programme.plan_stages(villages, counts)
        self.progress(f"{len(villages)} villages, {sum(1 for c in counts if c)} with members; generating")
        dropped = writer.drop_indexes()
        estimates = []
        last_note = time.monotonic()
        for village, count in zip(villages, counts, strict=True):
            estimates.append(self.village(village, count))
            if writer.pending(Member) >= FLUSH_MEMBERS or writer.pending(Payment) >= FLUSH_PAYMENTS:
                writer.flush()
                if time.monotonic() - last_note > 10:
                    last_note = time.monotonic()
                    self.progress(
                        f"  {report.members} members, {report.payments} payments ({time.monotonic() - started:.0f} s)"
                    )
        writer.flush()
        self.programme.finish(villages, estimates)
        writer.continue_ids()
        ctx.advance_counters()
        self.progress(f"rows written in {time.monotonic() - started:.0f} s; building the dashboards' monthly roll-up")
        if ctx.session.get_bind().dialect.name == "postgresql":
            # The fresh rows have no statistics yet: the planner would take the tables for nearly empty and
            # nest loops over the whole payment table. Hash joins instead, for this transaction only.
            ctx.session.execute(select(func.set_config("enable_nestloop", "off", True)))
        rebuild_rollup(ctx.session, commit=False)
        self.progress("building the cash held per duta")
        rebuild_cash_held(ctx.session, commit=False)
        self.progress(f"making {len(dropped)} indexes again")
        writer.create_indexes(dropped)
        return report


def generate(
    engine: Engine,
    members: int,
    seed: int = 2026,
    day: dt.date | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> GenerateReport:
    """Fill the (migrated) database behind `engine` with `members` members and their history, in one
    transaction. The region's geography is loaded first if it is missing."""
    started = time.monotonic()
    with Session(engine) as session:
        if not regions_loaded(session):
            progress("loading the region's geography")
            load_regions(session)
    with Session(engine) as session:
        if session.execute(select(col(User.id)).where(col(User.username) == WILAYAH_USERNAME)).first() is not None:
            raise ValueError("this database holds generated data already")
        report = _Run(Context(session, seed, day or wib_today()), progress).run(members)
        session.commit()
    progress("refreshing the query planner's statistics")
    refresh_statistics(engine)
    report.seconds = time.monotonic() - started
    return report
