"""The contribution rates in force and the discounts of occupation groups."""

import datetime as dt

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow


class Rate(SQLModel, table=True):
    """The contribution rates in force from `effective_from`; a regulation change is a new row."""

    id: int | None = Field(default=None, primary_key=True)
    effective_from: dt.date = Field(unique=True)
    # Percentages in basis points (100 = 1 %), so no float touches money.
    jkk_basis_points: int = 100
    jht_basis_points: int = 200
    jkm_amount: int = Field(default=6800, sa_column=Column(BigInteger, nullable=False))
    minimum_income: int = Field(default=1_000_000, sa_column=Column(BigInteger, nullable=False))


class RateDiscount(SQLModel, table=True):
    """A time-limited cut of JKK and JKM for an occupation group (an `admin` adds it)."""

    __tablename__ = "rate_discount"

    id: int | None = Field(default=None, primary_key=True)
    occupation: str = Field(max_length=20, index=True)
    first_month: dt.date
    last_month: dt.date
    jkk_percent_off: int = 0
    jkm_percent_off: int = 0
    note: str = Field(default="", max_length=255)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class IncentiveRate(SQLModel, table=True):
    """What the region pays its `duta` from a month on: an amount per member approved and a share of the
    dues that reached BPJS (a regional decision: none until the region sets one, so zero)."""

    __tablename__ = "incentive_rate"

    id: int | None = Field(default=None, primary_key=True)
    effective_from: dt.date = Field(unique=True)
    per_member: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    dues_basis_points: int = 0  # 100 = 1 % of the dues
    set_by_id: int | None = Field(default=None, foreign_key="user.id")
    set_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def percent(self) -> str:
        """The share of the dues as a percentage, written the Indonesian way: "2,5"."""
        return f"{self.dues_basis_points / 100:g}".replace(".", ",")
