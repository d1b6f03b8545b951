"""The one place that decides what each role may see.

Every query over villages or village-coded rows goes through `village_clause`; loaders answer 404
for anything outside the actor's area, so a row's existence never leaks across villages.
"""

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, true
from sqlmodel import Session, select

from app.auth.models import Role
from app.core.errors import Forbidden, NotFound
from app.core.i18n import _
from app.regions.models import Regency, Village


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user, its role and its area, loaded once per request."""

    id: int
    username: str
    role: str
    branch_code: str | None = None
    village_codes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def sees_region(self) -> bool:
        return self.role in (Role.wilayah.value, Role.admin.value)


def village_clause(actor: Actor, village_code_column) -> ColumnElement[bool]:
    """A WHERE clause keeping only rows whose village lies in the actor's area."""
    if actor.sees_region:
        return true()
    if actor.role == Role.duta.value:
        return village_code_column.in_(actor.village_codes)
    if actor.role == Role.cabang.value and actor.branch_code:
        return village_code_column.in_(
            select(Village.code).where(Village.regency_code.in_(branch_regencies(actor.branch_code)))
        )
    return village_code_column.in_(())


def branch_regencies(branch_code: str):
    return select(Regency.code).where(Regency.branch_code == branch_code)


def branch_clause(actor: Actor, branch_code_column) -> ColumnElement[bool]:
    """For rows that belong to a branch rather than a village (events, deposits of the branch)."""
    if actor.sees_region:
        return true()
    if actor.role == Role.cabang.value and actor.branch_code:
        return branch_code_column == actor.branch_code
    return branch_code_column.in_(())


def get_village(session: Session, actor: Actor, code: str) -> Village:
    village = session.exec(select(Village).where(Village.code == code, village_clause(actor, Village.code))).first()
    if village is None:
        raise NotFound(_("Village not found."))
    return village


def require_role(actor: Actor, *roles: str) -> None:
    """Raised after the scope check: the row is visible, but this role may not do that to it."""
    if actor.role not in roles:
        raise Forbidden(_("Your role may not do this."))
