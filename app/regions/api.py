from fastapi import APIRouter, Depends, Query
from sqlalchemy import func
from sqlmodel import Session, select

from app.auth.deps import api_actor
from app.auth.scope import Actor, village_clause
from app.core.db import get_session
from app.core.errors import Invalid
from app.core.i18n import _
from app.regions.models import Village
from app.regions.schemas import VillageItem, VillagePage
from app.regions.service import parent_column

router = APIRouter(tags=["villages"])
PAGE_SIZE = 100


@router.get("/villages", response_model=VillagePage)
def list_villages(
    parent: str | None = None,
    stage: str | None = None,
    page: int = Query(1, ge=1),
    actor: Actor = Depends(api_actor),
    session: Session = Depends(get_session),
):
    conditions = [village_clause(actor, Village.code)]
    if parent:
        column = parent_column(parent)
        if column is None or column is Village.code:
            raise Invalid({"parent": _("Give a province, regency or district code.")})
        conditions.append(column == parent)
    if stage:
        conditions.append(Village.stage == stage)
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
