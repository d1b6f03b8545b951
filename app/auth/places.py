"""Places chosen by name: search as you type over the villages, districts, regencies, provinces and
branches the actor may touch, and the name (or "Name — District" label) a form sent resolved to its code.

Nobody types `12.07.02.2003` or `LUBUK-PAKAM`: the picker shows names; the server turns what was sent
back into a code, within the actor's scope (`village_clause`, `branch_clause`), so a place outside it
reads as unknown, as a 404 would."""

from dataclasses import dataclass

from sqlalchemy import func, literal, or_
from sqlmodel import Session, col, select

from app.auth.scope import Actor, branch_clause, village_clause
from app.core.bounds import MAX_SEARCH_LENGTH
from app.core.errors import Invalid
from app.core.i18n import _
from app.regions.models import Branch, District, Province, Regency, Village

# "any_village": a village anywhere in the region, not only in the actor's area (where a member moves to).
LEVELS = ("village", "district", "regency", "province", "branch", "any_village")
# What one answer to a keystroke lists; a longer list is read by nobody on a phone.
MAX_RESULTS = 20
# Up to this many places a plain <select> is the picker; past it, a text input with a <datalist>.
SELECT_MAX = 12
# The datalist a page starts with (the picker without JavaScript); typing any other name still works.
PRESET_MAX = 200
# Places sent under one field (the villages of one duta): past this, a form is no person's.
MAX_PLACES = 20
# Between a place's name and the name of what it lies in, in a label: "Limau Manis — Tanjung Morawa".
SEPARATOR = " — "


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    # The district of a village, the regency of a district, the province of a regency; "" otherwise.
    within: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}{SEPARATOR}{self.within}" if self.within else self.name


@dataclass(frozen=True)
class Picker:
    """What a form's place field shows: `text` in the input (a label, or what was typed), the
    `options` of its select or datalist, and whether a select will do."""

    level: str
    text: str
    code: str
    options: list[Place]
    as_select: bool


def _query(actor: Actor, level: str):
    """For a level, in scope: (select of code, name, within; name column; code column; what sorts last
    (a village outside the programme))."""
    if level == "village":
        query = (
            select(Village.code, Village.name, District.name)
            .join(District, col(District.code) == Village.district_code)
            .where(village_clause(actor, Village.code))
        )
        return query, col(Village.name), col(Village.code), col(Village.stage).is_(None)
    if level == "any_village":
        query = select(Village.code, Village.name, District.name).join(
            District, col(District.code) == Village.district_code
        )
        return query, col(Village.name), col(Village.code), literal(False)
    if level == "district":
        query = (
            select(District.code, District.name, Regency.name)
            .join(Regency, col(Regency.code) == District.regency_code)
            .where(col(District.code).in_(select(Village.district_code).where(village_clause(actor, Village.code))))
        )
        return query, col(District.name), col(District.code), literal(False)
    if level == "regency":
        query = (
            select(Regency.code, Regency.name, Province.name)
            .join(Province, col(Province.code) == Regency.province_code)
            .where(col(Regency.code).in_(select(Village.regency_code).where(village_clause(actor, Village.code))))
        )
        return query, col(Regency.name), col(Regency.code), literal(False)
    if level == "province":
        query = select(Province.code, Province.name, literal("")).where(
            col(Province.code).in_(select(Village.province_code).where(village_clause(actor, Village.code)))
        )
        return query, col(Province.name), col(Province.code), literal(False)
    if level == "branch":
        query = select(Branch.code, Branch.name, literal("")).where(branch_clause(actor, Branch.code))
        return query, col(Branch.name), col(Branch.code), literal(False)
    raise ValueError(level)


def _places(rows) -> list[Place]:
    return [Place(code, name, within or "") for code, name, within in rows]


def search_places(
    session: Session, actor: Actor, level: str, q: str, limit: int = MAX_RESULTS, near: str = ""
) -> list[Place]:
    """Places of `level` in the actor's scope whose name contains `q` (or whose code starts with it),
    names starting with `q` first; at most `limit`; only those whose code starts with `near` if given."""
    query, name, code, later = _query(actor, level)
    if near:
        query = query.where(code.startswith(near))
    # A label chosen from the list comes back as the next keystroke's text: its name is what to find.
    text = q[:MAX_SEARCH_LENGTH].partition(SEPARATOR.strip())[0].strip().lower()
    if text:
        query = query.where(or_(func.lower(name).contains(text, autoescape=True), code.startswith(text)))
        query = query.order_by(later, func.lower(name).startswith(text, autoescape=True).desc())
    else:
        query = query.order_by(later)
    return _places(session.exec(query.order_by(name, code).limit(limit)).all())


def _by_code(session: Session, actor: Actor, level: str, code: str) -> Place | None:
    query, _name, code_column, _later = _query(actor, level)
    return next(iter(_places(session.exec(query.where(code_column == code)).all())), None)


def _unknown(level: str, text: str) -> str:
    if level == "village":
        return _("No village called “%(name)s” in your area. Choose one from the list.", name=text)
    if level == "any_village":
        return _("No village called “%(name)s”. Choose one from the list.", name=text)
    if level == "district":
        return _("No district called “%(name)s” in your area. Choose one from the list.", name=text)
    if level == "regency":
        return _("No regency or city called “%(name)s” in your area. Choose one from the list.", name=text)
    if level == "province":
        return _("No province called “%(name)s” in your area. Choose one from the list.", name=text)
    return _("No branch called “%(name)s”. Choose one from the list.", name=text)


def resolve_place(session: Session, actor: Actor, level: str, text: str, field: str) -> str | None:
    """The code of the place a form sent as `text`: its code (from a select, or a `?village_code=`
    link), its label "Name — District", or its name (or part of it) when only one place in scope bears
    it. None when empty; `Invalid` beside `field` when unknown, outside the actor's scope or ambiguous."""
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > MAX_SEARCH_LENGTH:
        raise Invalid({field: _unknown(level, text[:MAX_SEARCH_LENGTH] + "…")})
    exact = _by_code(session, actor, level, text.upper() if level == "branch" else text)
    if exact is not None:
        return exact.code
    name, _sep, within = text.partition(SEPARATOR.strip())
    query, name_column, _code, _later = _query(actor, level)
    wanted = name.strip().lower()
    candidates = _places(session.exec(query.where(func.lower(name_column) == wanted)).all())
    if not candidates:
        # Part of a name (typed without the list, JavaScript off) will do when only one place has it.
        part = func.lower(name_column).contains(wanted, autoescape=True)
        candidates = _places(session.exec(query.where(part).order_by(name_column).limit(MAX_RESULTS)).all())
    if within.strip():
        candidates = [p for p in candidates if p.within.lower() == within.strip().lower()]
    if len(candidates) == 1:
        return candidates[0].code
    if not candidates:
        raise Invalid({field: _unknown(level, text)})
    shown = ", ".join(place.label for place in candidates[:5])
    message = _("Several places are called “%(name)s”: choose one of %(places)s.", name=text, places=shown)
    raise Invalid({field: message})


def resolve_places(session: Session, actor: Actor, level: str, texts: list[str], field: str) -> list[str]:
    """The codes of several places sent under one field (the villages of a duta); blanks left out."""
    if len(texts) > MAX_PLACES:
        raise Invalid({field: _("Choose at most %(n)s places.", n=MAX_PLACES)})
    codes = (resolve_place(session, actor, level, text, field) for text in texts)
    return list(dict.fromkeys(code for code in codes if code))


def resolve_filter(session: Session, actor: Actor, level: str, text: str, field: str) -> tuple[str | None, dict]:
    """For a list's filter (no form to refuse): the code, or what was typed (which matches nothing)
    with the message to show beside the field."""
    try:
        return resolve_place(session, actor, level, text, field), {}
    except Invalid as error:
        return text.strip(), error.errors


def branch_names(session: Session) -> dict[str, str]:
    """Every branch's name by code, for showing events and accounts of a branch (a region has a few)."""
    return dict(session.exec(select(Branch.code, Branch.name)).all())


def picker(session: Session, actor: Actor, level: str, value: str = "", near: str = "") -> Picker:
    """The picker of a form field whose value (a code, or text typed and refused) is `value`: the place's
    label for a code in scope, what was typed otherwise; a select when the actor has few places. `near`:
    a code prefix whose places the page starts with (typing still searches them all)."""
    value = value.strip()
    place = _by_code(session, actor, level, value) if value and len(value) <= MAX_SEARCH_LENGTH else None
    options = search_places(session, actor, level, "", limit=SELECT_MAX + 1, near=near)
    few = len(options) <= SELECT_MAX and not near
    if not few:
        options = search_places(session, actor, level, "", limit=PRESET_MAX, near=near)
    return Picker(level, place.label if place else value, place.code if place else "", options, few)


def place_name(session: Session, actor: Actor, level: str, code: str) -> str:
    """A place's label for showing, the code itself when it is not in the actor's scope."""
    place = _by_code(session, actor, level, code) if code and level in LEVELS else None
    return place.label if place else code
