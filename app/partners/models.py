"""A partner's settlement files and the lines of them that matched no payment.

A settlement is the file a partner sends the branch of what it took (date, payment code, amount,
reference per line). Matched lines become payments of channel `mitra` (the partner's reference is
unique per partner, so a line is paid once whatever the number of uploads); the others are kept as
`SettlementLine` rows, one per partner and reference, until the branch officer resolves them."""

import datetime as dt

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled

REFERENCE_LENGTH = 80
CODE_LENGTH = 40
NOTE_LENGTH = 500


class UnmatchedReason(Labelled):
    """Why a settlement line became no payment."""

    unknown_code = "unknown_code", lazy_gettext("Unknown payment code")
    wrong_amount = "wrong_amount", lazy_gettext("Wrong amount")
    reference_seen = "reference_seen", lazy_gettext("Reference seen before")
    not_approved = "not_approved", lazy_gettext("Member not approved")
    # Any other rule of a payment (a date before the registration, paid too far ahead): its message is kept.
    refused = "refused", lazy_gettext("Refused by a payment rule")


class Resolution(Labelled):
    """How the branch officer resolved an unmatched line."""

    matched = "matched", lazy_gettext("Matched by hand")
    refunded = "refunded", lazy_gettext("Refunded")
    set_aside = "set_aside", lazy_gettext("Set aside")


class Settlement(SQLModel, table=True):
    """One upload of a partner's settlement file by a branch officer, with what it gave."""

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    branch_code: str = Field(foreign_key="branch.code", max_length=20)
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: dt.datetime = Field(default_factory=utcnow)
    filename: str = Field(max_length=120)
    lines: int
    matched: int
    created: int
    unmatched: int


class SettlementLine(SQLModel, table=True):
    """A line that matched no payment, waiting to be resolved (or resolved: how, by whom, when)."""

    __tablename__ = "settlement_line"
    __table_args__ = (
        # A line sent again (the same file uploaded twice) is the line already listed.
        Index("uq_settlement_line_partner_reference", "partner_id", "reference", unique=True),
        Index("ix_settlement_line_branch_open", "branch_code", "resolution"),
    )

    id: int | None = Field(default=None, primary_key=True)
    settlement_id: int = Field(foreign_key="settlement.id", index=True)
    partner_id: int = Field(foreign_key="partner.id")
    branch_code: str = Field(foreign_key="branch.code", max_length=20)
    row: int  # its row in the file, the header being row 1
    paid_on: dt.date = Field(index=True)
    code: str = Field(max_length=CODE_LENGTH)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    reference: str = Field(max_length=REFERENCE_LENGTH)
    reason: str = Field(max_length=20)
    detail: str = Field(default="", max_length=300)
    resolution: str | None = Field(default=None, max_length=12)
    note: str | None = Field(default=None, max_length=NOTE_LENGTH)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: dt.datetime | None = None
