"""JSON shapes of the dues API (months `YYYY-MM`, dates `YYYY-MM-DD`)."""

import datetime as dt
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from app.core.bounds import MAX_AMOUNT
from app.dues.groups import MAX_GROUP_MEMBERS
from app.dues.models import HandChannel, Payer

# A receipt or group receipt number in a path (`KG-2026-000012`): a longer one names nothing.
ReceiptNumber = Annotated[str, Path(max_length=24)]


class PaymentIn(BaseModel):
    # The service gets the channel's plain code.
    model_config = ConfigDict(use_enum_values=True)

    months: int | str | None = Field(None, description="1 to 12 whole months")
    channel: HandChannel | None = Field(None, description="tunai: cash (held by the duta), bank: bank or agent")
    reference: str | None = Field(None, description="bank or agent reference (required for bank)")
    paid_on: dt.date | None = Field(None, description="today or earlier; default today (WIB)")
    amount: int | None = Field(
        None, description="the total the payer was told (months x the contribution); another total is refused (409)"
    )
    payer: Payer | None = Field(None, description="who paid: self (default), apbdes (village budget) or sponsor")
    payer_name: str | None = Field(None, description="the sponsor's name (required for sponsor)")


class PaymentOut(BaseModel):
    receipt_number: str
    amount: int
    months: int
    cover_from: str
    cover_to: str
    monthly_amount: int
    channel: str
    paid_on: dt.date
    status: str
    member_id: int
    payer: str
    payer_name: str | None


class PartnerPaymentIn(BaseModel):
    code: str = Field(max_length=40, description="the member's payment code (12 digits, spaces allowed)")
    months: int | str | None = Field(None, description="1 to 12 whole months")
    amount: int | None = Field(
        None,
        ge=0,
        le=MAX_AMOUNT,
        description="the total taken: months x the contribution in force, else 409 with `right_amount`",
    )
    reference: str = Field(max_length=200, description="the partner's own reference: one payment per reference")
    paid_on: dt.date | None = Field(None, description="today or earlier; default today (WIB)")


class PartnerPaymentOut(PaymentOut):
    reference: str | None


class GroupPaymentIn(BaseModel):
    model_config = ConfigDict(use_enum_values=True)

    payer: Payer | None = Field(None, description="self, apbdes (village budget) or sponsor")
    payer_name: str | None = Field(None, description="the sponsor's name (required for sponsor)")
    member_ids: list[int] = Field(
        default_factory=list, max_length=MAX_GROUP_MEMBERS, description="approved members of one village"
    )
    months: int | str | None = Field(None, description="1 to 12 whole months, the same for every member")
    reference: str | None = Field(None, description="the bank transfer's reference")
    paid_on: dt.date | None = Field(None, description="today or earlier; default today (WIB)")
    amount: int | None = Field(
        None, description="the transfer's total; a group whose dues come to another total is refused (409)"
    )


class GroupPaymentOut(BaseModel):
    group_receipt_number: str
    status: str
    village_code: str
    payer: str
    payer_name: str | None
    months: int
    total: int
    reference: str
    paid_on: dt.date
    receipts: list[PaymentOut]


class GroupPaymentList(BaseModel):
    items: list[GroupPaymentOut]
    total: int


class ReasonIn(BaseModel):
    reason: str | None = None


class DepositIn(BaseModel):
    receipt_numbers: list[str] = Field(default_factory=list)


class DepositCreated(BaseModel):
    id: int
    total: int


class ConfirmIn(BaseModel):
    bank_reference: str | None = None


class DepositOut(BaseModel):
    id: int
    total: int
    status: str
    duta: str
    bank_reference: str | None
    return_reason: str | None
    receipt_numbers: list[str]


class DepositList(BaseModel):
    items: list[DepositOut]
    total: int
