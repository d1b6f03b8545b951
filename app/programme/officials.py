"""A village's officials (perangkat desa): the roster kept by its duta or branch officer, and whether
they are all protected on a day, the evidence of the stage `perangkat_terlindungi`."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, get_village, require_role
from app.core import audit
from app.core.clock import month_start, today
from app.core.errors import Invalid
from app.core.i18n import _
from app.core.templating import format_month
from app.core.text import text_problem
from app.dues import service as dues
from app.members.cover import cover_status
from app.members.models import Member, MemberStatus
from app.programme.models import OfficialPosition, VillageOfficial
from app.regions.models import Village

ROSTER_MAX = 40  # an Aceh gampong has up to 11 officials; BPD, LPM, BUMDes and cadres come on top
BLANK_ROWS = 3  # empty rows the page offers for new officials
NAME_MAX = 120
KEEPING_ROLES = (Role.duta.value, Role.cabang.value)
# Without these two the roster is not complete, whatever else it holds.
REQUIRED_POSITIONS = (OfficialPosition.kepala_desa.value, OfficialPosition.sekretaris_desa.value)
SINGLE_POSITIONS = REQUIRED_POSITIONS

# Aceh (province 11) has its own words for the gampong's officials (Qanun Aceh on the gampong).
ACEH = "11"
ACEH_POSITION_LABELS = {
    OfficialPosition.kepala_desa.value: "Geuchik",
    OfficialPosition.sekretaris_desa.value: "Sekretaris Gampong",
    OfficialPosition.bpd.value: "Tuha Peut",
    OfficialPosition.bumdes.value: "BUMG",
}


def position_label(position: str, province_code: str) -> str:
    if province_code == ACEH and position in ACEH_POSITION_LABELS:
        return ACEH_POSITION_LABELS[position]
    return OfficialPosition.label_of(position)


def position_labels(province_code: str) -> dict[str, str]:
    return {position.value: position_label(position.value, province_code) for position in OfficialPosition}


@dataclass
class OfficialRow:
    official: VillageOfficial
    label: str
    member: Member | None

    @property
    def cover(self) -> str | None:
        return cover_status(self.member.covered_until, today()).value if self.member else None


@dataclass
class Roster:
    village: Village
    rows: list[OfficialRow]
    # Who keeps the roster from being complete today (empty when complete).
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def _rows(session: Session, village: Village) -> list[OfficialRow]:
    officials = session.exec(
        select(VillageOfficial)
        .where(VillageOfficial.village_code == village.code)
        .order_by(col(VillageOfficial.rank), col(VillageOfficial.id))
    ).all()
    ids = [o.member_id for o in officials if o.member_id is not None]
    members = {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(ids))).all()} if ids else {}
    return [
        OfficialRow(o, position_label(o.position, village.province_code), members.get(o.member_id)) for o in officials
    ]


def _missing(session: Session, village: Village, rows: list[OfficialRow], day: dt.date) -> list[str]:
    """Sentences naming who is missing or not covered in the month of `day`."""
    month = month_start(day)
    missing = []
    held = {row.official.position for row in rows}
    covered = dues.covered_in(session, [row.member.id for row in rows if row.member and row.member.id], month)
    for position in REQUIRED_POSITIONS:
        if position not in held:
            missing.append(_("no %(position)s on the roster", position=position_label(position, village.province_code)))
    for row in rows:
        who = f"{row.label} {row.official.name}"
        if row.member is None:
            missing.append(_("%(who)s is not registered as a member", who=who))
        elif row.member.status != MemberStatus.approved.value:
            missing.append(_("%(who)s is not an approved member yet", who=who))
        elif row.member.id not in covered:
            missing.append(_("%(who)s is not covered in %(month)s", who=who, month=format_month(month)))
    return missing


def roster(session: Session, actor: Actor, code: str, day: dt.date | None = None) -> Roster:
    village = get_village(session, actor, code)
    return roster_of(session, village, day)


def roster_of(session: Session, village: Village, day: dt.date | None = None) -> Roster:
    rows = _rows(session, village)
    missing = _missing(session, village, rows, day or today())
    if not rows:
        missing = [_("the roster is empty")] + missing
    return Roster(village, rows, missing)


def evidence(session: Session, village: Village, day: dt.date) -> tuple[dict, list[str]]:
    """The stage's evidence on `day`: a snapshot of who, their member numbers and cover; and what is
    missing (the stage is refused unless that is empty)."""
    current = roster_of(session, village, day)
    snapshot = {
        "officials": [
            {
                "position": row.official.position,
                "name": row.official.name,
                "member_number": row.member.member_number if row.member else None,
                "covered_until": f"{row.member.covered_until:%Y-%m}"
                if row.member and row.member.covered_until
                else None,
            }
            for row in current.rows
        ]
    }
    return snapshot, current.missing


def _member_of(session: Session, village: Village, item: dict, index: int, errors: dict) -> int | None:
    """The member an official is, by id (API) or member number (page): a member of this village."""
    raw_id, number = item.get("member_id"), str(item.get("member_number") or "").strip()
    if raw_id in (None, "") and not number:
        return None
    query = select(Member).where(Member.village_code == village.code)
    if raw_id not in (None, ""):
        try:
            member_id = int(raw_id)
        except (TypeError, ValueError):
            errors[f"member_id_{index}"] = _("Enter a whole number.")
            return None
        member = session.exec(query.where(Member.id == member_id)).first() if 0 < member_id < 2**31 else None
        field = f"member_id_{index}"
    else:
        member = session.exec(query.where(Member.member_number == number[:20])).first()
        field = f"member_number_{index}"
    if member is None:
        errors[field] = _("No member of this village has that number.")
        return None
    return member.id


def replace_roster(session: Session, actor: Actor, code: str, items: list[dict]) -> Roster:
    """The village's whole roster, as given (rows left empty are skipped). One transaction, audited."""
    village = get_village(session, actor, code, for_update=True)
    require_role(actor, *KEEPING_ROLES)
    if len(items) > ROSTER_MAX + BLANK_ROWS:  # before any lookup: a list is bounded like any input
        raise Invalid({"items": _("At most %(n)s officials.", n=ROSTER_MAX)})
    errors: dict[str, str] = {}
    # (row index as given, position, name, member id): rows left empty are skipped, messages keep the index
    kept: list[tuple[int, str, str, int | None]] = []
    for index, item in enumerate(items):
        if not any(str(item.get(key) or "").strip() for key in ("position", "name", "member_id", "member_number")):
            continue
        position = str(item.get("position") or "").strip()
        name = " ".join(str(item.get("name") or "").split())
        if position not in OfficialPosition.codes():
            errors[f"position_{index}"] = _("Choose the position.")
        problem = text_problem(item.get("name"))
        if problem:
            errors[f"name_{index}"] = problem
        elif not name:
            errors[f"name_{index}"] = _("Enter the official's name.")
        elif len(name) > NAME_MAX:
            errors[f"name_{index}"] = _("Use at most %(n)s characters.", n=NAME_MAX)
        kept.append((index, position, name, _member_of(session, village, item, index, errors)))
    if len(kept) > ROSTER_MAX:
        raise Invalid({"items": _("At most %(n)s officials.", n=ROSTER_MAX)})
    for position in SINGLE_POSITIONS:
        for index, *_rest in [row for row in kept if row[1] == position][1:]:
            errors[f"position_{index}"] = _(
                "A village has one %(position)s.", position=position_label(position, village.province_code)
            )
    seen: set[int] = set()
    for index, _position, _name, member_id in kept:
        if member_id is not None and member_id in seen:
            field = "member_id" if items[index].get("member_id") not in (None, "") else "member_number"
            errors.setdefault(f"{field}_{index}", _("This member is on the roster already."))
        if member_id is not None:
            seen.add(member_id)
    if errors:
        raise Invalid(errors)
    session.execute(delete(VillageOfficial).where(col(VillageOfficial.village_code) == village.code))
    for rank, (_index, position, name, member_id) in enumerate(kept):
        session.add(
            VillageOfficial(
                village_code=village.code,
                position=position,
                name=name,
                member_id=member_id,
                rank=rank,
                updated_by_id=actor.id,
            )
        )
    audit.record(
        session,
        actor,
        "officials_set",
        "village",
        village.code,
        officials=[{"position": p, "name": n, "member_id": m} for _i, p, n, m in kept],
    )
    session.commit()
    return roster_of(session, village)
