import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.bounds import MAX_ROW_ID
from app.events.models import EventKind
from app.programme.models import OfficialPosition, Stage, TargetMetric


class VillageCounts(BaseModel):
    draft: int
    submitted: int
    approved: int
    rejected: int
    aktif: int
    jatuh_tempo: int
    nonaktif: int


class StageHistoryItem(BaseModel):
    stage: str
    reached_on: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    evidence: dict


class VillageDetail(BaseModel):
    code: str
    name: str
    district: str
    regency: str
    province: str
    branch_code: str | None
    stage: str | None
    stage_since: str | None
    estimated_informal_workers: int | None
    counts: VillageCounts
    # Additions to the contract (docs/api.md § 5.2): coverage in percent (aktif / estimate) and the stage history.
    coverage_percent: float | None = None
    stage_history: list[StageHistoryItem] = []


class StageRequest(BaseModel):
    """The stage to reach and its evidence (only the fields that stage needs)."""

    stage: Stage
    event_id: int | None = None
    decree_number: str | None = Field(default=None, max_length=100)
    date: dt.date | None = None


class StageAnswer(BaseModel):
    stage: str
    stage_since: dt.date | None


class VillagePatch(BaseModel):
    estimated_informal_workers: int = Field(gt=0, le=10_000_000)


class EventCreate(BaseModel):
    kind: EventKind
    title: str = Field(min_length=1, max_length=160)
    date: dt.date
    place: str = Field(min_length=1, max_length=160)
    village_code: str | None = None
    branch_code: str | None = None
    attendance: int = Field(default=0, ge=0)
    partners: list[str] = []
    partner_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID, description="a kemitraan event's partner")


class EventCreated(BaseModel):
    id: int


class EventItem(BaseModel):
    id: int
    kind: str
    title: str
    date: dt.date
    place: str
    village_code: str | None
    branch_code: str | None
    attendance: int
    partners: list[str]
    partner_id: int | None = None


class EventDetail(EventItem):
    signups: int
    approved: int


class EventPage(BaseModel):
    items: list[EventItem]
    total: int


class TargetItem(BaseModel):
    year: int
    level: str
    scope_code: str
    metric: str
    value: int


class TargetPut(BaseModel):
    year: int = Field(ge=2000, le=2100)
    level: Literal["region", "province", "branch", "village"]
    scope_code: str = ""
    metric: TargetMetric
    value: int = Field(ge=0)


class BaselineItem(BaseModel):
    province_code: str
    year: int
    workers: int
    covered: int


class TargetsAnswer(BaseModel):
    year: int
    items: list[TargetItem]
    baselines: list[BaselineItem]


class OfficialIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    position: str | None = Field(None, json_schema_extra={"enum": [p.value for p in OfficialPosition]})
    name: str | None = Field(None, description="at most 120 characters")
    member_id: int | str | None = Field(None, description="the member record of this official, of this village")


class OfficialsPut(BaseModel):
    items: list[OfficialIn] = Field(max_length=43, description="the whole roster; at most 40 officials")


class OfficialOut(BaseModel):
    id: int
    position: str
    position_label: str
    name: str
    member_id: int | None
    member_number: str | None
    member_status: str | None
    cover_status: str | None = Field(None, description="aktif, jatuh_tempo or nonaktif today; null without a member")


class Officials(BaseModel):
    items: list[OfficialOut]
    complete: bool = Field(description="head and secretary on the roster, every official a member covered this month")
    missing: list[str] = Field(description="who keeps the roster from being complete, as sentences")
