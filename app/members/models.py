"""Informal workers (peserta BPU) registered by village ambassadors."""

import datetime as dt
import enum

from sqlalchemy import BigInteger, Column, func, literal_column
from sqlmodel import Field, Index, SQLModel, col

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class MemberStatus(Labelled):
    draft = "draft", lazy_gettext("Draft")
    submitted = "submitted", lazy_gettext("Waiting for approval")
    approved = "approved", lazy_gettext("Approved")
    rejected = "rejected", lazy_gettext("Rejected")


class Occupation(Labelled):
    petani = "petani", lazy_gettext("Farmer")
    nelayan = "nelayan", lazy_gettext("Fisher")
    pedagang = "pedagang", lazy_gettext("Trader")
    ojek = "ojek", lazy_gettext("Motorcycle taxi driver")
    buruh_harian = "buruh_harian", lazy_gettext("Day labourer")
    pengrajin = "pengrajin", lazy_gettext("Craftsperson")
    usaha_mikro = "usaha_mikro", lazy_gettext("Micro business")
    lainnya = "lainnya", lazy_gettext("Other")


class Sex(Labelled):
    L = "L", lazy_gettext("Male")
    P = "P", lazy_gettext("Female")


class Member(SQLModel, table=True):
    __table_args__ = (
        # Possible duplicates: same birth date in the village, then the name compared case-blind.
        Index("ix_member_village_birth", "village_code", "birth_date"),
        # Dashboards count by status and cover from these indexes alone (migration 0003).
        Index("ix_member_status_covered", "status", "covered_until"),
        Index("ix_member_village_status_covered", "village_code", "status", "covered_until"),
        # The duta's phone asks what changed in its villages since its last sync (migration 0017).
        Index("ix_member_village_changed", "village_code", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nik: str = Field(unique=True, max_length=16)
    full_name: str = Field(max_length=120)
    sex: str = Field(max_length=1)
    birth_date: dt.date
    phone: str = Field(max_length=20)
    address: str = Field(max_length=255)
    rt: str = Field(default="", max_length=3)
    rw: str = Field(default="", max_length=3)
    village_code: str = Field(foreign_key="village.code", max_length=13)
    occupation: str = Field(max_length=20)
    monthly_income: int = Field(sa_column=Column(BigInteger, nullable=False))
    jht: bool = False
    heir_name: str = Field(max_length=120)
    heir_relation: str = Field(max_length=40)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    consent_at: dt.datetime | None = None
    status: str = Field(default=MemberStatus.draft.value, max_length=10)
    # The app's own number, given at approval: an internal reference, never presented as the KPJ.
    member_number: str | None = Field(default=None, unique=True, max_length=20)
    # The KPJ number BPJS Ketenagakerjaan's core system issues; recorded by the branch ("KPJ menunggu" until then).
    kpj: str | None = Field(default=None, unique=True, index=True, max_length=11)
    rejection_reason: str | None = Field(default=None, max_length=500)
    registered_by_id: int = Field(foreign_key="user.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    submitted_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    # Last covered month (first day of it); kept in the payment's transaction, so "who is active"
    # is an indexed range query (the status-and-cover indexes above and below).
    covered_until: dt.date | None = None
    # First month ever covered, for "new members" and churn reports.
    first_covered: dt.date | None = None
    # Recorded by the duta or the branch: no payment after it, and the member leaves the follow-up lists.
    died_on: dt.date | None = None
    # When the row last changed in what the duta's phone keeps (app/offline/roster.py): set by every
    # UPDATE of the row, ORM or Core, unless the statement sets it itself; a write that changes the roster
    # without updating the row (a contact) sets it by hand. None: unchanged since before migration 0017.
    changed_at: dt.datetime | None = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})
    # Signed into the member card's QR code; revoking the card raises it, so the codes shared before fail.
    card_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


# A member's regency: the first five characters of its village code ("12.07"). Literal arguments, so
# that both databases match the expression to the index below.
MEMBER_REGENCY = func.substr(Member.village_code, literal_column("1"), literal_column("5"))

# Region and province dashboards count members per regency, status and cover from this index alone
# (migration 0006); PostgreSQL needs the village code in it for an index-only scan.
Index(
    "ix_member_regency_status_covered",
    MEMBER_REGENCY,
    col(Member.status),
    col(Member.covered_until),
    postgresql_include=["village_code"],
)


class RequestStatus(str, enum.Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class IdentityRequest(SQLModel, table=True):
    """A `duta`'s request to change an approved member's identity, decided by the branch officer;
    kept whatever the decision (the audit log has the before and after)."""

    __tablename__ = "identity_request"
    __table_args__ = (
        # The branch's pending requests, and a member's latest.
        Index("ix_identity_request_status_member", "status", "member_id"),
        Index("ix_identity_request_member_id", "member_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    # The new values asked for; None: that one stays.
    nik: str | None = Field(default=None, max_length=16)
    full_name: str | None = Field(default=None, max_length=120)
    sex: str | None = Field(default=None, max_length=1)
    birth_date: dt.date | None = None
    reason: str = Field(max_length=500)
    status: str = Field(default=RequestStatus.pending.value, max_length=10)
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: dt.datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: dt.datetime | None = None
    decision_reason: str | None = Field(default=None, max_length=500)


class MoveRequest(SQLModel, table=True):
    """A member moving away (`pindah`): asked by the `duta` of the village, confirmed (or refused) by
    the branch officer of the new village's branch; on confirmation the member belongs to the new
    village and its `duta`. Kept whatever the decision."""

    __tablename__ = "move_request"
    __table_args__ = (
        # The new branch's pending moves, and a member's latest.
        Index("ix_move_request_status_to_village", "status", "to_village_code"),
        Index("ix_move_request_member_id", "member_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    from_village_code: str = Field(foreign_key="village.code", max_length=13)
    to_village_code: str = Field(foreign_key="village.code", max_length=13)
    reason: str = Field(default="", max_length=500)
    status: str = Field(default=RequestStatus.pending.value, max_length=10)
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: dt.datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: dt.datetime | None = None
    decision_reason: str | None = Field(default=None, max_length=500)
