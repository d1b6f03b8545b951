"""JSON shapes of the follow-up API (docs/api.md § 5.7; it changes only by adding).

Input fields are typed loosely on purpose: the service checks each one and answers in the user's language.
"""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.followups.models import ContactOutcome


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    outcome: str | None = Field(None, json_schema_extra={"enum": [o.value for o in ContactOutcome]})
    note: str | None = Field(None, description="at most 500 characters")
    promised_on: dt.date | str | None = Field(None, description="YYYY-MM-DD; required with janji_bayar")
    next_contact_on: dt.date | str | None = Field(None, description="YYYY-MM-DD, within a year")


class ContactOut(BaseModel):
    id: int
    member_id: int
    outcome: str
    note: str | None
    promised_on: dt.date | None
    next_contact_on: dt.date | None
    recorded_by_id: int
    recorded_at: dt.datetime


class ContactList(BaseModel):
    items: list[ContactOut]


class FollowUpItem(BaseModel):
    id: int
    full_name: str
    nik: str = Field(description="masked: 1207********0003")
    member_number: str | None
    phone: str
    village_code: str
    status: str
    cover_status: str
    covered_until: str | None = Field(None, description="YYYY-MM, the last covered month")
    monthly_contribution: int
    whatsapp_url: str
    sms_url: str
    last_contact: ContactOut | None


class FollowUpListOut(BaseModel):
    total: int
    items: list[FollowUpItem]


class FollowUps(BaseModel):
    lists: dict[str, FollowUpListOut] = Field(
        description="due_this_month, due_next_month, lapsed_recent, lapsed_long, never_paid, drafts, rejected"
    )
