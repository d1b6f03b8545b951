"""Desa Sadar programme: villages' stages and their numbers, outreach events, targets and baselines.

Stage rules (decided here, shown on the village page and in the API's 409 answers):
- A village outside the programme (`stage` None) is chosen by making it `calon`; from there it moves one
  stage at a time, `calon` -> `sosialisasi` -> `duta` -> `perangkat_terlindungi` -> `diresmikan`.
- No skipping and no going back: a wrong entry is corrected by the system administrator in the
  database, never silently through the form (the history is evidence for the region's reporting).
- Each stage needs its evidence; without it the answer is a 409 naming what is missing.
- `reached_on` is the day the stage was recorded, except `diresmikan`, which is reached on the date of
  its decree or MoU (not in the future, not before the previous stage).
- Only the `cabang` of the village's branch moves its stages; everyone who can see the village can read them.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, village_clause
from app.core.clock import today
from app.core.i18n import _, lazy_gettext
from app.members.cover import cover_clause
from app.members.models import Member, MemberStatus
from app.members.service import status_counts
from app.programme.models import STAGE_ORDER, Stage
from app.regions.models import District, Regency, Village

TARGET_LEVELS = ("region", "province", "branch", "village")
LEVEL_LABELS = {
    "region": lazy_gettext("Region"),
    "province": lazy_gettext("Province"),
    "branch": lazy_gettext("Branch"),
    "village": lazy_gettext("Village"),
}
PARTNERS_MAX_LENGTH = 500


def stage_label(stage: str | None) -> str:
    return Stage.label_of(stage) if stage else _("Not in the programme")


def reached(current: str | None, stage: str) -> bool:
    """Whether a village at stage `current` has reached `stage`."""
    return current is not None and STAGE_ORDER.index(current) >= STAGE_ORDER.index(stage)


def next_stage(stage: str | None) -> str | None:
    if stage is None:
        return Stage.calon.value
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


# --- villages -------------------------------------------------------------------------------------


def village_counts(session: Session, actor: Actor, village_code: str) -> dict:
    return status_counts(session, actor, village_code=village_code)


def coverage(aktif: int, estimate: int | None) -> float | None:
    """Active members per estimated informal worker, as a percentage (None without an estimate)."""
    if not estimate:
        return None
    return round(100 * aktif / estimate, 1)


@dataclass
class VillageRow:
    code: str
    name: str
    district: str
    regency: str
    stage: str | None
    stage_since: dt.date | None
    estimate: int | None
    aktif: int

    @property
    def coverage(self) -> float | None:
        return coverage(self.aktif, self.estimate)


def list_villages(
    session: Session,
    actor: Actor,
    stage: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[VillageRow], int]:
    """Villages within scope; `stage` is a stage, "none" (not in the programme) or "programme" (a stage or members)."""
    conditions = [village_clause(actor, Village.code)]
    # In the programme: a stage reached, or members registered there ahead of any stage.
    with_members = col(Village.code).in_(select(Member.village_code))
    if stage == "none":
        conditions += [col(Village.stage).is_(None), ~with_members]
    elif stage == "programme":
        conditions.append(or_(col(Village.stage).is_not(None), with_members))
    elif stage:
        conditions.append(col(Village.stage) == stage)
    if parent:
        columns = {2: col(Village.province_code), 5: col(Village.regency_code), 8: col(Village.district_code)}
        column = columns.get(len(parent))
        if column is not None:
            conditions.append(column == parent)
    if q and q.strip():
        conditions.append(func.lower(Village.name).contains(q.strip().lower(), autoescape=True))
    total = session.exec(select(func.count()).select_from(Village).where(*conditions)).one()
    rows = session.exec(
        select(Village, District.name, Regency.name)
        .join(District, col(District.code) == Village.district_code)
        .join(Regency, col(Regency.code) == Village.regency_code)
        .where(*conditions)
        .order_by(Village.code)
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    codes = [village.code for village, _d, _r in rows]
    aktif = _aktif_by_village(session, actor, codes)
    return [
        VillageRow(v.code, v.name, d, r, v.stage, v.stage_since, v.estimated_informal_workers, aktif.get(v.code, 0))
        for v, d, r in rows
    ], total


def _aktif_by_village(session: Session, actor: Actor, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = session.exec(
        select(Member.village_code, func.count())
        .where(
            col(Member.village_code).in_(codes),
            village_clause(actor, Member.village_code),
            Member.status == MemberStatus.approved.value,
            cover_clause(Member.covered_until, "aktif", today()),
        )
        .group_by(Member.village_code)
    ).all()
    return dict(rows)


def regencies_in_scope(session: Session, actor: Actor) -> list[Regency]:
    query = select(Regency).order_by(Regency.code)
    if actor.sees_region:
        return list(session.exec(query).all())
    if actor.role == Role.cabang.value and actor.branch_code:
        return list(session.exec(query.where(Regency.branch_code == actor.branch_code)).all())
    regency_codes = {code[:5] for code in actor.village_codes}
    return list(session.exec(query.where(col(Regency.code).in_(regency_codes))).all())


def districts_of(session: Session, regency_code: str) -> list[District]:
    return list(
        session.exec(select(District).where(District.regency_code == regency_code).order_by(District.code)).all()
    )
