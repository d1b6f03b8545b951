"""What every part of the generator shares: the random source, the day, the writer, the report, and the
domain's numbering and contribution (the app's own functions, never copies)."""

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlmodel import Session

from app.core.clock import add_months, month_start
from app.core.sequences import advance_to, last_value
from app.dues.receipts import format_receipt_number, receipt_counter
from app.generator.writer import Writer
from app.rates.service import monthly_contribution
from app.workflows.approvals import MEMBER_NUMBER_COUNTER, format_member_number

GENERATED_PASSWORD = "duta-bench-2026"
MONTHS = 24


@dataclass
class GenerateReport:
    members: int = 0
    payments: int = 0
    users: int = 0
    branches: int = 0
    villages_with_members: int = 0
    events: int = 0
    deposits: int = 0
    stage_changes: int = 0
    status_counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    password: str = GENERATED_PASSWORD
    accounts: dict = field(default_factory=dict)  # role -> a username of that role
    scopes: dict = field(default_factory=dict)  # the busiest village, its branch and province

    def lines(self) -> list[str]:
        return [
            f"{self.members} members ({', '.join(f'{k} {v}' for k, v in sorted(self.status_counts.items()))}), "
            f"{self.payments} payments, {self.deposits} deposits, {self.events} events",
            f"{self.villages_with_members} villages with members, {self.users} accounts, {self.branches} new branches, "
            f"{self.stage_changes} stage changes, in {self.seconds:.1f} s",
            f"Generated accounts (password: {self.password}):",
            *(f"  {username:<28} {role}" for role, username in self.accounts.items()),
        ]


def month_index(day: dt.date) -> int:
    """Months since year 0, for counting months forward and back."""
    return day.year * 12 + day.month - 1


def month_ordinal(index: int) -> int:
    """The ordinal of the first day of a `month_index`."""
    return dt.date(index // 12, index % 12 + 1, 1).toordinal()


class Context:
    def __init__(self, session: Session, seed: int, day: dt.date):
        self.session = session
        self.writer = Writer(session)
        self.rng = random.Random(seed)
        self.today = day
        self.report = GenerateReport()
        self.first_day = add_months(month_start(day), -(MONTHS - 1))
        self.span_days = (day - self.first_day).days
        self._days: dict[int, dt.date] = {}
        self._midnights: dict[int, dt.datetime] = {}
        self._contributions: dict[tuple, int] = {}
        self.member_serial = last_value(session, MEMBER_NUMBER_COUNTER)
        self.receipt_serials = {
            year: last_value(session, receipt_counter(year)) for year in range(self.first_day.year, day.year + 1)
        }

    def day(self, ordinal: int) -> dt.date:
        value = self._days.get(ordinal)
        if value is None:
            value = self._days[ordinal] = dt.date.fromordinal(ordinal)
        return value

    def moment(self, ordinal: int) -> dt.datetime:
        """A working-hours moment of that WIB day (08:00-17:00 WIB, so 01:00-10:00 UTC)."""
        midnight = self._midnights.get(ordinal)
        if midnight is None:
            day = self.day(ordinal)
            midnight = self._midnights[ordinal] = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return midnight + dt.timedelta(seconds=self.rng.randrange(1 * 3600, 10 * 3600))

    def contribution(self, income: int, jht: bool, occupation: str, paid_on: dt.date) -> int:
        """The monthly amount the app charges for a payment made that day (rate and discount in force),
        asked of the domain once per income, JHT choice, occupation and month."""
        key = (income, jht, occupation, paid_on.year, paid_on.month)
        amount = self._contributions.get(key)
        if amount is None:
            amount = monthly_contribution(self.session, income, jht, occupation, month_start(paid_on)).total
            self._contributions[key] = amount
        return amount

    def receipt_number(self, recorded_on: dt.date) -> str:
        year = recorded_on.year
        self.receipt_serials[year] = serial = self.receipt_serials.get(year, 0) + 1
        return format_receipt_number(year, serial)

    def member_number(self, decided_on: dt.date) -> str:
        self.member_serial += 1
        return format_member_number(decided_on.year, self.member_serial)

    def advance_counters(self) -> None:
        """The app's next numbers follow the generated ones (counter rows, and sequences already made)."""
        advance_to(self.session, MEMBER_NUMBER_COUNTER, self.member_serial)
        for year, serial in self.receipt_serials.items():
            advance_to(self.session, receipt_counter(year), serial)
