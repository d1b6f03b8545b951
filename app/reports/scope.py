"""The area a report covers: the whole region, a province, a branch or one (or a duta's few) villages,
checked against the actor's own area; and what every report computes over it the same way."""

import re
from dataclasses import dataclass, field

from sqlalchemy import and_, true
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, branch_regencies, get_village, village_clause
from app.core.errors import Invalid, NotFound
from app.core.i18n import _
from app.members.models import Member
from app.regions.models import Branch, Province, Regency, Village

SCOPE_PATTERN = re.compile(
    r"^(?:(?P<region>region)"
    r"|province:(?P<province>\d{2})"
    r"|branch:(?P<branch>[A-Za-z0-9-]{1,20})"
    r"|village:(?P<villages>\d{2}\.\d{2}\.\d{2}\.\d{4}(?:,\d{2}\.\d{2}\.\d{2}\.\d{4}){0,49}))$"
)
LEVELS = ("region", "province", "branch", "village")


@dataclass(frozen=True)
class Scope:
    """One area of the region: the whole region, a province, a branch or one (or a duta's few) villages."""

    kind: str
    codes: tuple[str, ...] = ()
    name: str = ""
    # Filled in for breadcrumbs: (kind, code, name) of the enclosing areas the actor may open.
    parents: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    @property
    def code(self) -> str:
        return ",".join(self.codes)

    @property
    def key(self) -> str:
        return "region" if self.kind == "region" else f"{self.kind}:{self.code}"

    def villages(self, village=Village):
        """WHERE over the village table (or an alias of it)."""
        if self.kind == "region":
            return true()
        if self.kind == "province":
            return village.province_code == self.codes[0]
        if self.kind == "branch":
            return village.regency_code.in_(branch_regencies(self.codes[0]))
        return village.code.in_(self.codes)

    def village_codes(self, column):
        """WHERE over a village-coded column (members, events)."""
        if self.kind == "region":
            return true()
        if self.kind == "village":
            return column.in_(self.codes)
        return column.in_(select(Village.code).where(self.villages()))

    def branches(self, column):
        """WHERE over a branch-coded column (events held for a whole branch)."""
        if self.kind == "region":
            return true()
        if self.kind == "province":
            return column.in_(select(Regency.branch_code).where(Regency.province_code == self.codes[0]))
        if self.kind == "branch":
            return column == self.codes[0]
        return column.in_(())


def natural_scope(session: Session, actor: Actor) -> Scope:
    if actor.sees_region:
        return parse_scope(session, actor, "region")
    if actor.role == Role.cabang.value and actor.branch_code:
        return parse_scope(session, actor, f"branch:{actor.branch_code}")
    if actor.village_codes:
        return parse_scope(session, actor, "village:" + ",".join(actor.village_codes))
    return Scope("village", (), _("No area"))


def parse_scope(session: Session, actor: Actor, text: str | None) -> Scope:
    """`region`, `province:12`, `branch:CODE`, `village:CODE[,CODE]`; 422 if malformed, 404 outside the
    actor's area (a duta its village(s), a cabang its branch and its villages, wilayah/admin anything)."""
    if text is None or not text.strip():
        return natural_scope(session, actor)
    match = SCOPE_PATTERN.match(text.strip())
    if match is None:
        raise Invalid({"scope": _("Use region, province:CODE, branch:CODE or village:CODE.")})
    outside = NotFound(_("This area is not in your scope."))
    region = ("region", "", _("Region"))
    if match["region"]:
        if not actor.sees_region:
            raise outside
        return Scope("region", (), _("Sumbagut region"))
    if match["province"]:
        province = session.get(Province, match["province"])
        if province is None or not actor.sees_region:
            raise outside
        return Scope("province", (province.code,), province.name, (region,))
    if match["branch"]:
        branch = session.get(Branch, match["branch"]) or session.get(Branch, match["branch"].upper())
        if branch is None:
            raise outside
        if not (actor.sees_region or (actor.role == Role.cabang.value and actor.branch_code == branch.code)):
            raise outside
        return Scope("branch", (branch.code,), branch.name, (region,) if actor.sees_region else ())
    codes = tuple(dict.fromkeys(match["villages"].split(",")))
    villages = [get_village(session, actor, code) for code in codes]  # 404 outside the actor's area
    name = ", ".join(v.name for v in villages)
    parents: list[tuple[str, str, str]] = []
    if len(villages) == 1:
        if actor.sees_region:
            parents.append(region)
        branch_row = session.exec(
            select(Branch.code, Branch.name)
            .join(Regency, col(Regency.branch_code) == Branch.code)
            .where(Regency.code == villages[0].regency_code)
        ).first()
        if branch_row and (actor.sees_region or actor.branch_code == branch_row[0] and actor.role == Role.cabang.value):
            parents.append(("branch", branch_row[0], branch_row[1]))
    return Scope("village", codes, name, tuple(parents))


def member_scope(actor: Actor, scope: Scope):
    return area_clause(actor, scope, Member.village_code)


def area_clause(actor: Actor, scope: Scope, village_code_column):
    """Rows whose village lies in the actor's area and in the dashboard's scope."""
    return and_(village_clause(actor, village_code_column), scope.village_codes(village_code_column))


def percent(part: int | None, whole: int | None) -> float | None:
    if not whole or part is None:
        return None
    return round(100 * part / whole, 1)
