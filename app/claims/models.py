"""A claim the `duta` helps with: an incident reported for a member, followed by the branch officer
from the report to the payment (or the refusal) by BPJS Ketenagakerjaan's office."""

import datetime as dt

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Index, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class ClaimKind(Labelled):
    kecelakaan_kerja = "kecelakaan_kerja", lazy_gettext("Work accident (JKK)")
    meninggal = "meninggal", lazy_gettext("Death (JKM)")


class ClaimStatus(Labelled):
    dilaporkan = "dilaporkan", lazy_gettext("Reported")
    berkas_lengkap = "berkas_lengkap", lazy_gettext("Documents complete")
    diajukan = "diajukan", lazy_gettext("Submitted to BPJS")
    dibayar = "dibayar", lazy_gettext("Paid")
    ditolak = "ditolak", lazy_gettext("Refused")


class Claim(SQLModel, table=True):
    __tablename__ = "claim"
    __table_args__ = (
        # A member's claims (its page, one open claim per kind), and a branch's open ones by status.
        Index("ix_claim_member_id", "member_id", "id"),
        Index("ix_claim_status", "status", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    kind: str = Field(max_length=20)
    incident_on: dt.date
    # Whether the dues rule covered the member on the day of the incident, decided when reported.
    covered: bool
    status: str = Field(default=ClaimStatus.dilaporkan.value, max_length=20)
    amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reason: str | None = Field(default=None, max_length=500)
    reported_by_id: int = Field(foreign_key="user.id")
    reported_at: dt.datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime | None = None
