"""Rules of a registration that hold whoever acts on it: what an approval fixes, who may be the same
person."""

from collections.abc import Iterable, Mapping

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor
from app.core.errors import Conflict
from app.core.i18n import _
from app.core.templating import mask_nik
from app.members.models import Member, MemberStatus

# Fields that make up the person's identity: fixed once the branch approved the registration.
IDENTITY_FIELDS = ("nik", "full_name", "sex", "birth_date")


def ensure_editable(member: Member, fields: Mapping[str, object] | Iterable[str], actor: Actor) -> None:
    """Refuse (409) a `duta`'s change of an approved member's identity (NIK, name, sex, birth date).

    `fields` is either the new values (only fields whose value really changes count) or the names
    of the fields about to change. Call it in the correction service before applying the change."""
    if member.status != MemberStatus.approved.value or actor.role != Role.duta.value:
        return
    if isinstance(fields, Mapping):
        changed = {
            name
            for name, value in fields.items()
            if name in IDENTITY_FIELDS and not _same(name, getattr(member, name), value)
        }
    else:
        changed = {name for name in fields if name in IDENTITY_FIELDS}
    if changed:
        raise Conflict(_("The member is approved: NIK, name, sex and birth date can no longer be changed."))


def _same(name: str, current: object, given: object) -> bool:
    """Whether a submitted value (maybe raw form text: "1990-05-17", "1207 0217 ...") is the stored one."""
    if current == given:
        return True
    text = str(given if given is not None else "").strip()
    if name == "nik":
        text = "".join(ch for ch in text if ch.isdigit())
    elif name == "full_name":
        text = " ".join(text.split())
    elif name == "sex":
        text = text.upper()
    return str(current if current is not None else "") == text


def _same_person(other, village_code, birth_date, lowered_name, nik) -> tuple:
    """The one definition of a possible duplicate, as conditions on `other` (a member row): same name
    (any case; names are stored with single spaces) and birth date in the same village, another NIK
    (served by ix_member_village_birth)."""
    return (
        other.village_code == village_code,
        other.birth_date == birth_date,
        func.lower(other.full_name) == lowered_name,
        other.nik != nik,
    )


def has_possible_duplicate():
    """SQL for a query over `Member`: whether the row has a possible duplicate (for lists)."""
    other = aliased(Member)
    return exists().where(
        *_same_person(other, Member.village_code, Member.birth_date, func.lower(Member.full_name), Member.nik)
    )


def _duplicates_of(member: Member, column):
    """The possible duplicates of a member as a query of `column`; None while the name or birth date
    is missing."""
    if not member.full_name or member.birth_date is None:
        return None
    lowered = " ".join(member.full_name.split()).lower()
    return (
        select(column)
        .where(*_same_person(Member, member.village_code, member.birth_date, lowered, member.nik))
        .order_by(col(Member.id))
        .limit(20)
    )


class PossibleDuplicate(Conflict):
    """A registration like another of the village (same name and birth date, another NIK): sent only
    once the duta confirms it is a different person. Names the others with their NIK masked."""

    field = "confirm_not_duplicate"

    def __init__(self, others: list[Member]):
        people = "; ".join(
            _("%(name)s, born %(date)s, NIK %(nik)s", name=o.full_name, date=o.birth_date, nik=mask_nik(o.nik))
            for o in others
        )
        super().__init__(
            _(
                "Already registered in this village with the same name and birth date: %(people)s. "
                "If this is a different person, tick the box and send again.",
                people=people,
            )
        )


def refuse_unconfirmed_duplicate(session: Session, member: Member, confirmed: bool) -> None:
    """Raise `PossibleDuplicate` unless the duta confirmed that the member is a different person."""
    others = possible_duplicates(session, member)
    if others and not confirmed:
        raise PossibleDuplicate(others)


def possible_duplicates(session: Session, member: Member) -> list[Member]:
    """Possible duplicates of the member (`_duplicates_of`): warned at registration, shown when deciding."""
    query = _duplicates_of(member, Member)
    return list(session.exec(query).all()) if query is not None else []


def possible_duplicate_niks(session: Session, member: Member) -> list[str]:
    """The same, only their NIKs (the registration's warnings name nothing else)."""
    query = _duplicates_of(member, Member.nik)
    return list(session.exec(query).all()) if query is not None else []
