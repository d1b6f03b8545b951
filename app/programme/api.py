import datetime as dt

from fastapi import APIRouter, Query
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.deps import ApiActor
from app.auth.models import Role
from app.auth.scope import Actor, get_village, require_role, village_clause
from app.core.bounds import PageNumber, RowId
from app.core.clock import today
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.i18n import _
from app.events.models import EventKind
from app.programme import events, officials, service, stages, targets
from app.programme.models import Stage
from app.programme.schemas import (
    BaselineItem,
    EventCreate,
    EventCreated,
    EventDetail,
    EventItem,
    EventPage,
    OfficialOut,
    Officials,
    OfficialsPut,
    StageAnswer,
    StageHistoryItem,
    StageRequest,
    TargetItem,
    TargetPut,
    TargetsAnswer,
    VillageCounts,
    VillageDetail,
    VillagePatch,
)
from app.regions.models import Village
from app.regions.schemas import VillageItem, VillagePage
from app.regions.service import branch_of_village, parent_column, village_names

router = APIRouter(tags=["villages"])

PAGE_SIZE = 100


@router.get("/villages", response_model=VillagePage)
def list_villages(
    actor: ApiActor,
    session: SessionDep,
    parent: str | None = None,
    stage: Stage | None = None,
    page: PageNumber = 1,
):
    conditions = [village_clause(actor, Village.code)]
    if parent:
        column = parent_column(parent)
        if column is None or column is Village.code:
            raise Invalid({"parent": _("Give a province, regency or district code.")})
        conditions.append(column == parent)
    if stage:
        conditions.append(col(Village.stage) == stage.value)
    total = session.exec(select(func.count()).select_from(Village).where(*conditions)).one()
    rows = session.exec(
        select(Village).where(*conditions).order_by(Village.code).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return VillagePage(
        items=[VillageItem.model_validate(row, from_attributes=True) for row in rows],
        total=total,
        page=page,
        page_size=PAGE_SIZE,
    )


def _village_detail(session: Session, actor: Actor, code: str) -> VillageDetail:
    village = get_village(session, actor, code)
    counts = service.village_counts(session, actor, village.code)
    return VillageDetail(
        code=village.code,
        name=village.name,
        **village_names(session, village),
        branch_code=branch_of_village(session, village),
        stage=village.stage,
        stage_since=village.stage_since.isoformat() if village.stage_since else None,
        estimated_informal_workers=village.estimated_informal_workers,
        counts=VillageCounts(**counts),
        coverage_percent=service.coverage(counts["aktif"], village.estimated_informal_workers),
        stage_history=[StageHistoryItem(**vars(row)) for row in stages.stage_history(session, village.code)],
    )


@router.get("/villages/{code}", response_model=VillageDetail)
def village_detail(code: str, actor: ApiActor, session: SessionDep):
    return _village_detail(session, actor, code)


@router.patch("/villages/{code}", response_model=VillageDetail)
def village_patch(code: str, body: VillagePatch, actor: ApiActor, session: SessionDep):
    """The village's estimated number of informal workers (`cabang` of its branch)."""
    stages.set_estimate(session, actor, code, body.estimated_informal_workers)
    return _village_detail(session, actor, code)


@router.post("/villages/{code}/stage", response_model=StageAnswer)
def village_stage(code: str, body: StageRequest, actor: ApiActor, session: SessionDep):
    """Move the village to its next Desa Sadar stage; 409 names the evidence or stage that is missing."""
    evidence = body.model_dump(exclude={"stage"}, exclude_none=True)
    village = stages.change_stage(session, actor, code, body.stage.value, evidence)
    assert village.stage is not None  # just moved
    return StageAnswer(stage=village.stage, stage_since=village.stage_since)


def _event_item(event) -> EventItem:
    return EventItem(
        id=event.id,
        kind=event.kind,
        title=event.title,
        date=event.date,
        place=event.place,
        village_code=event.village_code,
        branch_code=event.branch_code,
        attendance=event.attendance,
        partners=events.partners_of(event),
        partner_id=event.partner_id,
    )


@router.post("/events", response_model=EventCreated, status_code=201, tags=["events"])
def create_event(body: EventCreate, actor: ApiActor, session: SessionDep):
    event = events.create_event(session, actor, **{**body.model_dump(), "kind": body.kind.value})
    assert event.id is not None  # inserted
    return EventCreated(id=event.id)


@router.get("/events", response_model=EventPage, tags=["events"])
def list_events(
    actor: ApiActor,
    session: SessionDep,
    kind: EventKind | None = None,
    village_code: str | None = None,
    branch_code: str | None = None,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    page: PageNumber = 1,
):
    rows, total = events.list_events(
        session,
        actor,
        kind=kind.value if kind else None,
        village_code=village_code,
        branch_code=branch_code,
        date_from=date_from,
        date_to=date_to,
        page=page,
        page_size=100,
    )
    return EventPage(items=[_event_item(row) for row in rows], total=total)


@router.get("/events/{event_id}", response_model=EventDetail, tags=["events"])
def event_detail(event_id: RowId, actor: ApiActor, session: SessionDep):
    event = events.get_event(session, actor, event_id)
    signups = events.event_signups(session, actor, event)
    return EventDetail(
        **_event_item(event).model_dump(),
        signups=len(signups),
        approved=sum(1 for member in signups if member.status == "approved"),
    )


@router.get("/targets", response_model=TargetsAnswer, tags=["targets"])
def get_targets(
    actor: ApiActor,
    session: SessionDep,
    year: int | None = Query(None, ge=2000, le=2100),
    level: str | None = None,
    scope_code: str | None = None,
):
    require_role(actor, Role.wilayah.value)
    year = year or today().year
    return TargetsAnswer(
        year=year,
        items=[
            TargetItem.model_validate(t, from_attributes=True)
            for t in targets.list_targets(session, year, level, scope_code)
        ],
        baselines=[BaselineItem.model_validate(b, from_attributes=True) for b in targets.baselines_for(session, year)],
    )


@router.put("/targets", response_model=TargetItem, tags=["targets"])
def put_target(body: TargetPut, actor: ApiActor, session: SessionDep):
    target = targets.set_target(session, actor, body.year, body.level, body.scope_code, body.metric.value, body.value)
    return TargetItem.model_validate(target, from_attributes=True)


@router.put("/targets/baselines", response_model=BaselineItem, tags=["targets"])
def put_baseline(body: BaselineItem, actor: ApiActor, session: SessionDep):
    baseline = targets.set_baseline(session, actor, body.province_code, body.year, body.workers, body.covered)
    return BaselineItem.model_validate(baseline, from_attributes=True)


def _officials(roster: officials.Roster) -> Officials:
    return Officials(
        items=[
            OfficialOut(
                id=row.official.id or 0,
                position=row.official.position,
                position_label=row.label,
                name=row.official.name,
                member_id=row.official.member_id,
                member_number=row.member.member_number if row.member else None,
                member_status=row.member.status if row.member else None,
                cover_status=row.cover,
            )
            for row in roster.rows
        ],
        complete=roster.complete,
        missing=roster.missing,
    )


@router.get("/villages/{code}/officials", response_model=Officials)
def village_officials(code: str, actor: ApiActor, session: SessionDep):
    """The village's officials (perangkat desa) and whether all are protected this month."""
    return _officials(officials.roster(session, actor, code))


@router.put("/villages/{code}/officials", response_model=Officials)
def put_village_officials(code: str, body: OfficialsPut, actor: ApiActor, session: SessionDep):
    """The whole roster (`duta` of the village, `cabang`). A refused row is named by its index:
    `name_0` is the first item's name."""
    items = [item.model_dump() for item in body.items]
    return _officials(officials.replace_roster(session, actor, code, items))
