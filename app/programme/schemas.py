import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from app.events.models import EventKind
from app.programme.models import Stage, TargetMetric


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
    enrolled: int | None = Field(default=None, ge=0)
    total: int | None = Field(default=None, ge=0)
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
