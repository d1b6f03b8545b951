"""Rules of a registration that hold whoever acts on it: what an approval fixes, who may be the same
person."""

from collections.abc import Mapping

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.errors import Conflict
from app.core.i18n import _
from app.core.templating import mask_nik
from app.members.models import Member, MemberStatus
from app.members.validation import as_bool

# Fields that make up the person's identity: once the branch approved the registration, they change
# only through a change request that the branch officer decides.
IDENTITY_FIELDS = ("nik", "full_name", "sex", "birth_date")
# What the `duta` still updates of an approved member: how to reach them, the heir, and what prices the
# contribution (occupation, income and the voluntary JHT). Payments keep the monthly amount they were
# priced at, so a new contribution applies from the next payment.
APPROVED_EDITABLE = (
    "phone",
    "address",
    "rt",
    "rw",
    "occupation",
    "monthly_income",
    "jht",
    "heir_name",
    "heir_relation",
)


def fixed_field_errors(member: Member, changes: Mapping[str, object]) -> dict[str, str]:
    """For an approved member, a message beside each field sent with a new value that is fixed by the
    approval (the identity points to the change request). Unchanged values pass, so a client may send
    back the whole member; a registration not yet approved has no fixed fields."""
    if member.status != MemberStatus.approved.value:
        return {}
    errors = {}
    for name, value in changes.items():
        if name in APPROVED_EDITABLE or _same(name, _current(member, name), value):
            continue
        errors[name] = (
            _("The member is approved: ask the branch officer to change the NIK, name, sex or birth date.")
            if name in IDENTITY_FIELDS
            else _("This cannot be changed once the member is approved.")
        )
    return errors


def _current(member: Member, name: str) -> object:
    return member.consent_at is not None if name == "consent" else getattr(member, name, None)


def _same(name: str, current: object, given: object) -> bool:
    """Whether a submitted value (maybe raw form text: "1990-05-17", "1207 0217 ...") is the stored one."""
    if current == given:
        return True
    if isinstance(current, bool):
        return current == as_bool(given)
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
        self.others = others
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
