"""JSON shapes of the claims API (dates `YYYY-MM-DD`, amounts in whole rupiah)."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.claims.models import ClaimKind, ClaimStatus


class ClaimIn(BaseModel):
    # The service gets the kind's plain code.
    model_config = ConfigDict(use_enum_values=True)

    kind: ClaimKind = Field(description="kecelakaan_kerja (JKK) or meninggal (JKM)")
    incident_on: dt.date | str | None = Field(
        None, description="YYYY-MM-DD, not in the future; for a death already recorded, its day (may be left out)"
    )


class ClaimStatusIn(BaseModel):
    model_config = ConfigDict(use_enum_values=True)

    status: ClaimStatus = Field(description="the next step: berkas_lengkap, diajukan, dibayar or ditolak")
    amount: int | str | None = Field(None, description="with dibayar: the amount paid, whole rupiah")
    reason: str | None = Field(None, description="with ditolak: 5 to 500 characters")


class BenefitOut(BaseModel):
    label: str
    amount: int | None


class ClaimOut(BaseModel):
    id: int
    member_id: int
    kind: str
    incident_on: dt.date
    covered: bool = Field(description="whether the dues rule covered the member on the day of the incident")
    status: str
    amount: int | None
    reason: str | None
    documents: list[str] = Field(description="the documents to gather for this kind of claim")
    benefits: list[BenefitOut] = Field(description="what the member or the heir may expect (the table in force)")
    benefits_source: str | None = Field(description="the regulation of the benefits table")
