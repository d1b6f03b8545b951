"""JSON shapes of the members API (contract in docs/api.md § 5.3; it changes only by adding).

Input fields are typed loosely on purpose: the service checks every field and answers each problem
in the user's language, in FastAPI's shape (`loc` ending with the field name). Those with a fixed set
of values are typed by their enum, so that the OpenAPI schema lists the values; a value outside it is
answered in the user's language as well (`main.validation_error`), and the service gets the plain code.
"""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.members.models import Occupation, Sex


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="ignore", use_enum_values=True)

    nik: str | None = Field(None, description="16 digits", examples=["1207025705900003"])
    full_name: str | None = None
    sex: Sex | None = Field(None, description="L: male, P: female")
    birth_date: dt.date | str | None = Field(None, description="YYYY-MM-DD")
    phone: str | None = Field(None, description="0812…, 62812… or +62 812…; answered as E.164")
    address: str | None = None
    rt: str | None = None
    rw: str | None = None
    village_code: str | None = Field(None, examples=["12.07.02.2001"])
    occupation: Occupation | None = None
    monthly_income: int | str | None = Field(None, description="whole rupiah, at least the rate's minimum")
    jht: bool = False
    heir_name: str | None = None
    heir_relation: str | None = None
    consent: bool | str | None = Field(None, description="must be true")
    event_id: int | str | None = None
    confirm_not_duplicate: bool = Field(
        False, description="true once the duta checked that a namesake born the same day is another person"
    )


class MemberPatch(MemberIn):
    """Only the fields sent are changed."""

    jht: bool | None = None  # type: ignore[assignment]


class ContributionOut(BaseModel):
    jkk: int
    jkm: int
    jht: int
    total: int


class MemberOut(BaseModel):
    id: int
    nik: str = Field(description="whole for the duta of the village and the branch officer; masked for others")
    full_name: str
    sex: str
    birth_date: dt.date
    phone: str
    address: str
    rt: str
    rw: str
    village_code: str
    village_name: str | None = None
    occupation: str
    monthly_income: int
    jht: bool
    heir_name: str
    heir_relation: str
    event_id: int | None
    consent_at: dt.datetime | None
    status: str
    member_number: str | None = Field(description="the app's internal reference, not the KPJ")
    kpj: str | None = Field(None, description="from BPJS Ketenagakerjaan's core system; null while pending")
    payment_code: str | None = Field(
        None, description="12 digits (the member number and a check digit) to pay with at a partner; approved only"
    )
    rejection_reason: str | None = None
    registered_by_id: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    monthly_contribution: int
    contribution: ContributionOut
    cover_status: str
    covered_until: str | None = Field(None, description="YYYY-MM, the last covered month")
    died_on: dt.date | None = Field(None, description="the day of death, once recorded")
    warnings: list[str] = []


class MemberListItem(BaseModel):
    id: int
    nik: str = Field(description="masked: 1207********0003")
    full_name: str
    village_code: str
    status: str
    member_number: str | None
    cover_status: str
    covered_until: str | None
    created_at: dt.datetime


class MemberList(BaseModel):
    items: list[MemberListItem]
    total: int


class StatusOut(BaseModel):
    status: str
    member_number: str | None = None


class IdentityRequestIn(BaseModel):
    """Only the values to change; the others stay."""

    model_config = ConfigDict(extra="ignore")

    nik: str | None = Field(None, description="16 digits")
    full_name: str | None = None
    sex: str | None = Field(None, description='"L" or "P"')
    birth_date: dt.date | str | None = Field(None, description="YYYY-MM-DD")
    reason: str | None = Field(None, description="5 to 500 characters")


class ReasonIn(BaseModel):
    reason: str | None = Field(None, description="5 to 500 characters")


class IdentityRequestOut(BaseModel):
    id: int
    member_id: int
    nik: str | None = Field(description="the new NIK asked for, whole for the duta and the branch officer")
    full_name: str | None
    sex: str | None
    birth_date: dt.date | None
    reason: str
    status: str = Field(description='"pending", "approved" or "rejected"')
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_reason: str | None


class MoveIn(BaseModel):
    village_code: str | None = Field(None, description="the new village", examples=["12.07.02.2002"])
    reason: str | None = Field(None, description="optional, at most 500 characters")


class MoveOut(BaseModel):
    id: int
    member_id: int
    from_village_code: str
    to_village_code: str
    reason: str
    status: str = Field(description='"pending", "approved" (confirmed) or "rejected"')
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_reason: str | None


class DeathIn(BaseModel):
    died_on: dt.date | str | None = Field(None, description="YYYY-MM-DD, not in the future")
    note: str | None = Field(None, description="optional, at most 500 characters")


class CardOut(BaseModel):
    """The member card: what its page, PDF and picture show, and the address its QR code holds."""

    member_id: int
    full_name: str
    nik: str = Field(description="masked: 1207********0003")
    kpj: str | None = Field(description='null while pending (the card says "KPJ menunggu")')
    programmes: list[str] = Field(description="JKK and JKM, and JHT if chosen")
    cover_status: str
    covered_until: str | None = Field(description="YYYY-MM, the last covered month")
    payment_code: str | None = Field(description="12 digits")
    village_name: str
    verify_url: str = Field(description="the public check the QR code opens; invalid once the card is revoked")
    share_url: str = Field(description="a WhatsApp link carrying the verify_url as text")


class MemberImportRow(BaseModel):
    row: int = Field(description="the row of the sheet, the header being row 1")
    status: str = Field(description='"ok" (registered, or to register with `dry_run`), "exists" or "error"')
    errors: dict[str, str] = Field(description="field: message, as the registration form says them")


class MemberImport(BaseModel):
    rows: list[MemberImportRow]
    created: int
