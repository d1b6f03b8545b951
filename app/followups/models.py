"""What came of a duta's contact with a member (visit, call, message), kept so the next contact is planned."""

import datetime as dt
import enum

from sqlmodel import Field, Index, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext


class ContactOutcome(str, enum.Enum):
    promised = "janji_bayar"  # will pay on a date
    cannot_pay = "belum_mampu"  # cannot pay yet
    moved = "pindah"  # moved away
    died = "meninggal"  # died
    unreachable = "tidak_terhubung"  # could not be reached


OUTCOME_LABELS = {
    ContactOutcome.promised.value: lazy_gettext("Promised to pay"),
    ContactOutcome.cannot_pay.value: lazy_gettext("Cannot pay yet"),
    ContactOutcome.moved.value: lazy_gettext("Moved away"),
    ContactOutcome.died.value: lazy_gettext("Died"),
    ContactOutcome.unreachable.value: lazy_gettext("Could not be reached"),
}

# Members whose last contact says so leave the follow-up lists: nobody to remind there.
CLOSING_OUTCOMES = (ContactOutcome.moved.value, ContactOutcome.died.value)


class Contact(SQLModel, table=True):
    __tablename__ = "member_contact"
    # A member's contacts, latest first (the last one plans the next).
    __table_args__ = (Index("ix_member_contact_member_id", "member_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    outcome: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=500)
    promised_on: dt.date | None = None
    next_contact_on: dt.date | None = None
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)
