"""The one place that decides what each role may see.

Every query over villages or village-coded rows goes through `village_clause`; loaders answer 404
for anything outside the actor's area, so a row's existence never leaks across villages.
"""

from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, inspect, true
from sqlmodel import Session, col, select

from app.auth.models import PartnerRegency, Role
from app.core.errors import Forbidden, NotFound
from app.core.i18n import _
from app.regions.models import Regency, Village

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user, its role and its area, loaded once per request."""

    id: int
    username: str
    role: str
    branch_code: str | None = None
    village_codes: tuple[str, ...] = field(default_factory=tuple)
    # The password was chosen by someone else: nothing but /account (and logout) until it is changed.
    must_change_password: bool = False
    # A partner's API client (role `mitra`): its area is the villages of the partner's regencies.
    partner_id: int | None = None

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
            select(Village.code).where(col(Village.regency_code).in_(branch_regencies(actor.branch_code)))
        )
    if actor.role == Role.mitra.value and actor.partner_id is not None:
        return village_code_column.in_(
            select(Village.code).where(col(Village.regency_code).in_(partner_regencies(actor.partner_id)))
        )
    return village_code_column.in_(())


def partner_regencies(partner_id: int):
    return select(PartnerRegency.regency_code).where(PartnerRegency.partner_id == partner_id)


def branch_regencies(branch_code: str):
    return select(Regency.code).where(Regency.branch_code == branch_code)


def branch_clause(actor: Actor, branch_code_column) -> ColumnElement[bool]:
    """For rows that belong to a branch rather than a village (events, deposits of the branch)."""
    if actor.sees_region:
        return true()
    if actor.role == Role.cabang.value and actor.branch_code:
        return branch_code_column == actor.branch_code
    return branch_code_column.in_(())


def get_in_scope(session: Session, actor: Actor, model: type[T], key, *, for_update: bool = False) -> T | None:
    """The row of `model` (Village, or a model with a `village_code`) with primary key `key`, or None
    when there is none or it lies outside the actor's area: what every loader answers 404 on.

    With `for_update` the row is locked until the transaction ends (PostgreSQL; on SQLite a writing
    transaction holds the database's write lock from its BEGIN IMMEDIATE) and read afresh."""
    column = getattr(model, "code" if model is Village else "village_code")
    query = select(model).where(inspect(model).primary_key[0] == key, village_clause(actor, column))
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def get_village(
    session: Session, actor: Actor, code: str, *, for_update: bool = False, field: str | None = None
) -> Village:
    """`field`: the form field the code was typed in, so that a form says "not found" beside it."""
    village = get_in_scope(session, actor, Village, code, for_update=for_update)
    if village is None:
        raise NotFound(_("Village not found."), field=field)
    return village


def require_role(actor: Actor, *roles: str) -> None:
    """Raised after the scope check: the row is visible, but this role may not do that to it."""
    if actor.role not in roles:
        raise Forbidden(_("Your role may not do this."))
