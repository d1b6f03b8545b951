"""The JSON shapes of settlement reconciliation (`/api/v1/partners/{id}/settlements`, `/api/v1/settlements`)."""

import datetime as dt

from pydantic import BaseModel, Field

from app.partners.models import NOTE_LENGTH


class UnmatchedLineOut(BaseModel):
    id: int | None  # None in a dry run: nothing was kept
    line: int  # the row in the file, the header being row 1
    partner_id: int
    paid_on: dt.date
    code: str
    amount: int
    reference: str
    reason: str
    reason_label: str
    detail: str
    resolution: str | None
    note: str | None


class SettlementOut(BaseModel):
    matched: int
    created: int
    receipts: list[str]
    unmatched: list[UnmatchedLineOut]
    dry_run: bool


class MatchIn(BaseModel):
    code: str = Field(max_length=40)


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=NOTE_LENGTH * 2)
