"""JSON shapes of the dues API (months `YYYY-MM`, dates `YYYY-MM-DD`)."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.dues.models import Channel


class PaymentIn(BaseModel):
    # The service gets the channel's plain code.
    model_config = ConfigDict(use_enum_values=True)

    months: int | str | None = Field(None, description="1 to 12 whole months")
    channel: Channel | None = Field(None, description="tunai: cash (held by the duta), bank: bank or agent")
    reference: str | None = Field(None, description="bank or agent reference (required for bank)")
    paid_on: dt.date | None = Field(None, description="today or earlier; default today (WIB)")
    amount: int | None = Field(
        None, description="the total the payer was told (months x the contribution); another total is refused (409)"
    )


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
