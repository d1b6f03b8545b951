"""Making rows for tests: branches, users of each role, valid NIKs, logged-in clients."""

import datetime as dt
import itertools
import re
from functools import lru_cache

from sqlmodel import Session

from app.auth.models import User, UserVillage
from app.core.clock import today
from app.core.security import hash_password
from app.regions.models import Branch, Regency

PASSWORD = "correct-horse-42"
_counter = itertools.count(1)

# Villages used across tests: two in one district of Deli Serdang, one in Banda Aceh (another branch).
VILLAGE_A = "12.07.02.2001"  # Medan Senembah, Tanjung Morawa, Deli Serdang
VILLAGE_B = "12.07.02.2003"  # Limau Manis, same district
VILLAGE_OTHER_BRANCH = "11.71.01.2001"  # Kampung Baru, Banda Aceh


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def make_branch(session: Session, code: str | None = None, regencies: tuple[str, ...] = ("12.07",)) -> Branch:
    branch = Branch(code=code or f"B{next(_counter)}", name="Kantor Cabang Uji")
    session.add(branch)
    session.flush()
    for regency_code in regencies:
        session.get(Regency, regency_code).branch_code = branch.code
    session.flush()
    return branch


def make_user(
    session: Session,
    role: str,
    villages: tuple[str, ...] = (),
    branch_code: str | None = None,
    username: str | None = None,
) -> User:
    user = User(
        username=username or f"{role}{next(_counter)}",
        full_name=f"Uji {role}",
        role=role,
        password_hash=_password_hash(),
        branch_code=branch_code,
    )
    session.add(user)
    session.flush()
    for code in villages:
        session.add(UserVillage(user_id=user.id, village_code=code))
    session.commit()
    return user


def valid_nik(
    birth_date: dt.date = dt.date(1990, 5, 17), sex: str = "L", region: str = "120702", serial: int | None = None
) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    serial = serial if serial is not None else next(_counter) % 9999 + 1
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def api_headers(client, user: User) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def web_login(client, user: User) -> str:
    """Log the test client in through the login form; returns the session's CSRF token (renewed at login)."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/account").text)


def make_member(
    session: Session,
    registered_by: User,
    village_code: str = VILLAGE_A,
    status: str = "submitted",
    covered_until: dt.date | None = None,
    **fields,
):
    """A member row written directly (bypassing the registration service), for tests of later steps."""
    from app.core.clock import utcnow
    from app.members.models import Member

    birth_date = fields.pop("birth_date", dt.date(1990, 5, 17))
    sex = fields.pop("sex", "L")
    member = Member(
        nik=fields.pop("nik", None) or valid_nik(birth_date, sex, region=village_code.replace(".", "")[:6]),
        full_name=fields.pop("full_name", f"Warga Uji {next(_counter)}"),
        sex=sex,
        birth_date=birth_date,
        phone=fields.pop("phone", "+6281234567890"),
        address=fields.pop("address", "Jl. Kebun No. 1"),
        village_code=village_code,
        occupation=fields.pop("occupation", "petani"),
        monthly_income=fields.pop("monthly_income", 1_000_000),
        heir_name=fields.pop("heir_name", "Siti"),
        heir_relation=fields.pop("heir_relation", "istri"),
        consent_at=utcnow(),
        # Registered long ago unless told: payments may be dated back to the registration day, no earlier.
        created_at=fields.pop("created_at", dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
        status=status,
        registered_by_id=registered_by.id,
        covered_until=covered_until,
        submitted_at=utcnow() if status != "draft" else None,
        **fields,
    )
    if status == "approved" and member.member_number is None:
        member.member_number = f"26{next(_counter):09d}"
    session.add(member)
    session.commit()
    return member


def actor_of(session: Session, user: User):
    """The `Actor` a service sees for this user (scope loaded the way requests load it)."""
    from app.auth.service import load_actor

    return load_actor(session, user.id, user.credentials_version)


def make_payment(session: Session, recorded_by: User, member, months: int = 1, channel: str = "tunai", **fields):
    """A payment recorded through the dues service (cover replayed, receipt numbered, audited)."""
    from app.dues.service import record_payment

    if channel == "bank":
        fields.setdefault("reference", "BRI-UJI-1")
    return record_payment(session, actor_of(session, recorded_by), member.id, months, channel, **fields).payment


def make_event(session: Session, created_by: User, village_code: str | None = VILLAGE_A, **fields):
    """An outreach event written directly (programme domain); a past socialisation event by default."""
    import json

    from app.events.models import Event

    event = Event(
        kind=fields.pop("kind", "sosialisasi"),
        title=fields.pop("title", f"Sosialisasi Uji {next(_counter)}"),
        date=fields.pop("date", today() - dt.timedelta(days=7)),
        place=fields.pop("place", "Balai desa"),
        village_code=village_code,
        branch_code=fields.pop("branch_code", None),
        attendance=fields.pop("attendance", 20),
        partners=json.dumps(fields.pop("partners", [])),
        created_by_id=created_by.id,
        **fields,
    )
    session.add(event)
    session.commit()
    return event


def set_village_stage(session: Session, village_code: str, stage: str | None, recorded_by: User | None = None):
    """Put a village at a stage directly, with history rows for every stage up to it (programme domain)."""
    from app.programme.models import STAGE_ORDER, StageChange
    from app.regions.models import Village

    village = session.get(Village, village_code)
    village.stage = stage
    village.stage_since = today() - dt.timedelta(days=30) if stage else None
    if stage and recorded_by is not None:
        for reached in STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]:
            session.add(
                StageChange(
                    village_code=village_code,
                    stage=reached,
                    reached_on=village.stage_since,
                    recorded_by_id=recorded_by.id,
                )
            )
    session.add(village)
    session.commit()
    return village


def rollup_from_scratch(session: Session) -> tuple[dict, dict]:
    """The village and regency roll-ups computed from the members and payments, without all-zero rows,
    in the shape of `rollup.snapshot`: what the rows kept in each transaction must equal."""
    from app.dues import rollup

    table = rollup.compute(session)
    villages = {key: tuple(value) for key, value in table.items() if any(value)}
    return villages, {key: tuple(value) for key, value in rollup.by_regency(table).items() if any(value)}


def dues_from_scratch(session: Session) -> tuple[dict, dict]:
    """`village_dues` and `regency_dues` computed from the payments, in the shape of `rollup.dues_snapshot`."""
    from app.dues import rollup

    table = rollup.compute_dues(session)
    villages = {key: tuple(value) for key, value in table.items() if any(value)}
    return villages, {key: tuple(value) for key, value in rollup.by_regency(table).items() if any(value)}


class DaysFromToday:
    """A day relative to WIB's today for a test parameter, told when the test runs: parameters are built when
    tests are collected, which on a long run may still be the day before."""

    def __init__(self, days: int):
        self.days = days

    def __repr__(self) -> str:
        return f"today{self.days:+d}"


def resolve_days(values: dict) -> dict:
    return {
        key: (today() + dt.timedelta(days=value.days)).isoformat() if isinstance(value, DaysFromToday) else value
        for key, value in values.items()
    }
