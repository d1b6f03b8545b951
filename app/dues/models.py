"""Payments (iuran), cash deposits (setoran) and the running tables kept with them."""

import datetime as dt
import enum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Index, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class Channel(Labelled):
    """How a payment was made."""

    tunai = "tunai", lazy_gettext("Cash")
    bank = "bank", lazy_gettext("Bank or agent")
    lainnya = "lainnya", lazy_gettext("Other")
    # Taken by a partner (bank, agent, cooperative) and recorded by its API client: `payment.partner_id`.
    mitra = "mitra", lazy_gettext("Partner")


class HandChannel(str, enum.Enum):
    """The channels a person records (payment forms, the API's payment of a member): a partner's
    payments come only from its own API client."""

    tunai = Channel.tunai.value
    bank = Channel.bank.value
    lainnya = Channel.lainnya.value


HAND_CHANNELS = tuple(channel.value for channel in HandChannel)


class Payer(Labelled):
    """Who paid a payment's money: the worker, the village budget or a named sponsor."""

    self_ = "self", lazy_gettext("The member")
    apbdes = "apbdes", lazy_gettext("Village budget (APBDes)")
    sponsor = "sponsor", lazy_gettext("Sponsor")


# A sponsor's or a village budget's name as the receipt shows it ("CSR PT Sawit Makmur", "APBDes Limau Manis").
PAYER_NAME_LENGTH = 120


class PaymentStatus(str, enum.Enum):
    valid = "valid"
    void = "void"
    refund_due = "refund_due"
    refunded = "refunded"


class Payment(SQLModel, table=True):
    __table_args__ = (
        Index("ix_payment_member_paid", "member_id", "paid_on"),
        # A holder's payments in no deposit: `cash_held` rows recomputed (app/dues/custody.py), a duta's list.
        Index("ix_payment_holder_deposit", "holder_id", "deposit_id"),
        # A partner's reference names one payment: a request sent again finds it (app/dues/partner_payments.py).
        Index("uq_payment_partner_reference", "partner_id", "reference", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    receipt_number: str = Field(unique=True, max_length=24)
    member_id: int = Field(foreign_key="member.id")
    months: int
    monthly_amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    channel: str = Field(max_length=10)
    reference: str | None = Field(default=None, max_length=80)
    paid_on: dt.date = Field(index=True)
    cover_from: dt.date
    cover_to: dt.date
    status: str = Field(default=PaymentStatus.valid.value, max_length=12, index=True)
    payer: str = Field(default=Payer.self_.value, max_length=10)
    payer_name: str | None = Field(default=None, max_length=PAYER_NAME_LENGTH)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)
    # Cash stays with the `duta` who took it until a confirmed deposit carries it to the bank.
    holder_id: int | None = Field(default=None, foreign_key="user.id")
    deposit_id: int | None = Field(default=None, foreign_key="deposit.id", index=True)
    # The partner whose client recorded it (channel `mitra`); its `reference` is unique per partner.
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    void_reason: str | None = Field(default=None, max_length=500)
    voided_by_id: int | None = Field(default=None, foreign_key="user.id")
    voided_at: dt.datetime | None = None
    refunded_at: dt.datetime | None = None
    refunded_by_id: int | None = Field(default=None, foreign_key="user.id")


class DepositStatus(str, enum.Enum):
    submitted = "submitted"
    confirmed = "confirmed"
    returned = "returned"


class Deposit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    duta_id: int = Field(foreign_key="user.id", index=True)
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str = Field(default=DepositStatus.submitted.value, max_length=10, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    bank_reference: str | None = Field(default=None, max_length=80)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: dt.datetime | None = None
    return_reason: str | None = Field(default=None, max_length=500)


class GroupStatus(str, enum.Enum):
    submitted = "submitted"
    confirmed = "confirmed"


class GroupPayment(SQLModel, table=True):
    """One bank transfer paying the same months for several members of one village (a village budget
    or a sponsor paying for a group): each member gets its own receipt (a `Payment`, linked through
    `GroupReceipt`), the group a receipt listing them all. No cash passes through a duta: the branch
    officer confirms the transfer reached the bank account, as a deposit (app/dues/groups.py)."""

    __tablename__ = "group_payment"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=24)
    village_code: str = Field(foreign_key="village.code", max_length=13, index=True)
    payer: str = Field(max_length=10)
    payer_name: str | None = Field(default=None, max_length=PAYER_NAME_LENGTH)
    months: int
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    reference: str = Field(max_length=80)
    paid_on: dt.date
    status: str = Field(default=GroupStatus.submitted.value, max_length=10, index=True)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: dt.datetime | None = None


class GroupReceipt(SQLModel, table=True):
    """The member receipts of a group payment."""

    __tablename__ = "group_receipt"

    # A payment belongs to one group at most.
    payment_id: int = Field(foreign_key="payment.id", primary_key=True)
    group_payment_id: int = Field(foreign_key="group_payment.id", index=True)


class VillageMonth(SQLModel, table=True):
    """Monthly roll-up of approved members per village (maintained by app/dues/rollup.py in the same
    transaction as every change of a member's cover or approval; `duta rollup rebuild` recomputes it):
    `covered` = members with a valid payment covering the month, `new` = members whose first covered
    month it is, `lapsed` = members covered the month before and not in this one."""

    __tablename__ = "village_month"
    __table_args__ = (Index("ix_village_month_month", "month", "village_code", "covered", "new", "lapsed"),)

    village_code: str = Field(foreign_key="village.code", max_length=13, primary_key=True)
    month: dt.date = Field(primary_key=True)
    covered: int = 0
    new: int = 0
    lapsed: int = 0


class RegencyMonth(SQLModel, table=True):
    """`village_month` summed per regency (the first five characters of the village code), kept in the
    same statements: what the region, province and branch dashboards read."""

    __tablename__ = "regency_month"

    regency_code: str = Field(foreign_key="regency.code", max_length=5, primary_key=True)
    month: dt.date = Field(primary_key=True)
    covered: int = 0
    new: int = 0
    lapsed: int = 0


class VillageDues(SQLModel, table=True):
    """Running totals of approved members' valid payments per village (the member's), month of payment,
    payer, channel and partner (0: none): what the dashboard's dues splits read rather than every payment
    of the year. Kept by app/dues/rollup.py with `village_month`, in the same diff of a member's state, so
    a payment, a void, a refund, an approval or a move changes it in the action's own transaction."""

    __tablename__ = "village_dues"
    __table_args__ = (Index("ix_village_dues_month", "month", "village_code"),)

    village_code: str = Field(foreign_key="village.code", max_length=13, primary_key=True)
    month: dt.date = Field(primary_key=True)
    payer: str = Field(max_length=10, primary_key=True)
    channel: str = Field(max_length=10, primary_key=True)
    partner_id: int = Field(default=0, primary_key=True)  # a key part: 0 for a payment of no partner
    payments: int = 0
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class RegencyDues(SQLModel, table=True):
    """`village_dues` summed per regency, kept in the same statements: what the region, province and branch
    dashboards read."""

    __tablename__ = "regency_dues"

    regency_code: str = Field(foreign_key="regency.code", max_length=5, primary_key=True)
    month: dt.date = Field(primary_key=True)
    payer: str = Field(max_length=10, primary_key=True)
    channel: str = Field(max_length=10, primary_key=True)
    partner_id: int = Field(default=0, primary_key=True)
    payments: int = 0
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class HeldCash(SQLModel, table=True):
    """Cash held per `duta` and member village (the definition and its upkeep: app/dues/custody.py),
    kept in the transaction of every payment, void, refund and deposit created or returned (migration 0005).
    A row whose payments all left keeps `payments` 0 and no date; readers skip it."""

    __tablename__ = "cash_held"
    __table_args__ = (Index("ix_cash_held_village", "village_code", "holder_id"),)

    holder_id: int = Field(foreign_key="user.id", primary_key=True)
    village_code: str = Field(foreign_key="village.code", max_length=13, primary_key=True)
    total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    payments: int = 0
    oldest_paid_on: dt.date | None = None
