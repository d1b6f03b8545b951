"""JSON shapes of the PMI API (dates `YYYY-MM-DD`, amounts in whole rupiah)."""

import datetime as dt

from pydantic import BaseModel, Field


class PmiIn(BaseModel):
    nik: str = Field(max_length=40, description="16 digits")
    full_name: str = Field(max_length=200)
    sex: str = Field(max_length=10, description="L or P")
    birth_date: dt.date | str = Field(description="YYYY-MM-DD, as in the NIK")
    phone: str = Field(max_length=40, description="an Indonesian mobile number")
    village_code: str = Field(max_length=20, description="where the worker lives, in the actor's area")
    passport_number: str = Field(max_length=20, description="6 to 9 letters and digits, such as C1234567")
    destination: str = Field(max_length=10, description="ISO 3166 alpha-2: MY SG HK TW SA KR JP AE QA KW OM BN")
    agency: str = Field(max_length=200, description="the placement agency (P3MI)")
    departure_on: dt.date | str = Field(description="planned departure, today to a year ahead")
    channel: str = Field(max_length=20, description="how the package was paid today: tunai or bank")
    contract_months: int | str = Field(
        default=24, description="the work contract's length, 1 to 60 months: it chooses the package"
    )


class PhaseOut(BaseModel):
    label: str
    start: dt.date
    end: dt.date


class PmiOut(BaseModel):
    id: int
    nik: str
    full_name: str
    sex: str
    birth_date: dt.date
    phone: str
    village_code: str
    passport_number: str
    destination: str
    agency: str
    departure_on: dt.date
    branch_code: str = Field(description="the branch serving the worker")
    package: str
    contract_months: int
    extension_months: int = Field(description="months beyond the package, at the monthly extension rate")
    amount: int
    channel: str
    paid_on: dt.date
    receipt_number: str
    cover_until: dt.date = Field(description="the last day covered")
    phases: list[PhaseOut]
