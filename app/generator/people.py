"""Branches for the regencies without one, accounts (a supervisor, a branch officer per branch, dutas per
village) and members: NIKs that pass app.members.validation, member numbers as approvals give them."""

import bisect
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlmodel import col

from app.auth.models import User, UserVillage
from app.core.security import hash_password
from app.generator.context import GENERATED_PASSWORD, Context
from app.generator.data import (
    FEMALE_NAMES,
    HEIR_RELATIONS,
    MALE_NAMES,
    MIDDLE_NAMES,
    MOBILE_PREFIXES,
    NEVER_PAYS,
    OCCUPATIONS,
    RECENT_STATUS_MIX,
    REJECTION_REASONS,
    STATUS_MIX,
    STREETS,
    SURNAMES_ACEH,
    SURNAMES_SUMUT,
    cumulative,
    pick,
)
from app.generator.money import Deposits, Payer, payments
from app.members.models import Member
from app.regions.models import Branch, Regency

WILAYAH_USERNAME = "gen.wilayah"
_OCCUPATIONS = cumulative(OCCUPATIONS)
_HEIRS = cumulative(HEIR_RELATIONS)
_STATUSES = cumulative(STATUS_MIX)
_RECENT_STATUSES = cumulative(RECENT_STATUS_MIX)


@dataclass(frozen=True)
class Place:
    """A village and what a member row needs of it."""

    code: str
    district: str
    regency: str
    province: str
    branch: str
    name: str
    stage: str | None


def add_branches(ctx: Context, villages: list[Place]) -> list[Place]:
    """One branch per group of (up to three) neighbouring regencies not covered yet."""
    session = ctx.session
    regencies = session.execute(
        select(col(Regency.code), col(Regency.name), col(Regency.province_code))
        .where(col(Regency.branch_code).is_(None))
        .order_by(Regency.code)
    ).all()
    groups: list[list] = []
    for regency in regencies:
        if groups and len(groups[-1]) < 3 and groups[-1][0][2] == regency[2]:
            groups[-1].append(regency)
        else:
            groups.append([regency])
    existing = set(session.execute(select(col(Branch.code))).scalars())
    number = 0
    assignment = {}
    for group in groups:
        number += 1
        code = f"KC-{group[0][2]}-{number:02d}"
        while code in existing:
            number += 1
            code = f"KC-{group[0][2]}-{number:02d}"
        existing.add(code)
        name = "Kantor Cabang " + group[0][1].title().replace("Kabupaten ", "").replace("Kota ", "")
        session.execute(insert(Branch).values(code=code, name=name))
        session.execute(update(Regency).where(col(Regency.code).in_([r[0] for r in group])).values(branch_code=code))
        assignment.update({regency[0]: code for regency in group})
        ctx.report.branches += 1
    return [v if v.branch else Place(**{**v.__dict__, "branch": assignment[v.regency]}) for v in villages]


@dataclass
class Official:
    """An approved member who may sit on the village's officials' roster."""

    member_id: int
    name: str
    member_number: str | None
    covered_until: dt.date | None


class People:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.password_hash = hash_password(GENERATED_PASSWORD)
        session = ctx.session
        self.taken_usernames = set(session.execute(select(col(User.username))).scalars())
        # NIKs already there (the demo's members, say): the generated ones go round them.
        self.taken_niks = set(session.execute(select(col(Member.nik))).scalars())
        self.cabang: dict[str, int] = {}
        self._district: str | None = None
        self._serials: dict[tuple, int] = {}

    def user(self, username: str, full_name: str, role: str, branch: str | None, created: dt.datetime) -> int:
        writer = self.ctx.writer
        user_id = writer.new_id(User)
        writer.add(
            User,
            {
                "id": user_id,
                "username": username,
                "full_name": full_name,
                "role": role,
                "password_hash": self.password_hash,
                "branch_code": branch,
                "is_active": True,
                "created_at": created,
                "credentials_version": 1,
            },
        )
        self.ctx.report.users += 1
        return user_id

    def staff(self, villages: list[Place]) -> None:
        ctx = self.ctx
        start = ctx.moment(ctx.first_day.toordinal() - 30)
        if WILAYAH_USERNAME not in self.taken_usernames:
            self.user(WILAYAH_USERNAME, "Supervisor Kanwil (data uji)", "wilayah", None, start)
        ctx.report.accounts["wilayah"] = WILAYAH_USERNAME
        for branch in sorted({v.branch for v in villages}):
            username = f"gen.cabang.{branch.lower()}"
            if username in self.taken_usernames:
                self.cabang[branch] = ctx.session.execute(
                    select(col(User.id)).where(col(User.username) == username)
                ).scalar_one()
            else:
                self.cabang[branch] = self.user(username, f"Petugas {branch}", "cabang", branch, start)

    def dutas(self, village: Place, count: int, first_registration: int) -> list[int]:
        """One duta per village, another per 1.500 members."""
        ctx = self.ctx
        found = []
        for number in range(1 + count // 1500):
            username = f"gen.duta.{village.code.replace('.', '')}" + (f".{number + 1}" if number else "")
            created = max(ctx.first_day.toordinal() - 20, first_registration - ctx.rng.randrange(3, 30))
            duta_id = self.user(
                username, f"Perangkat Desa {village.name.title()}", "duta", village.branch, ctx.moment(created)
            )
            ctx.writer.add(UserVillage, {"user_id": duta_id, "village_code": village.code})
            found.append(duta_id)
        return found

    def nik(self, region6: str, birth: dt.date, sex: str) -> str:
        """Region, birth date (day + 40 for women), then a serial per district, birth date and sex."""
        key = (birth, sex)
        while True:
            serial = self._serials.get(key, 0) + 1
            self._serials[key] = serial
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{region6}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
            if nik not in self.taken_niks:
                return nik

    def member(
        self, village: Place, reg: int, dutas: list[int], events: list[tuple[int, int]], deposits: Deposits
    ) -> "Official | None":
        """One member and its payments; an approved one comes back as a candidate for the village's
        officials' roster."""
        ctx, rng, writer = self.ctx, self.ctx.rng, self.ctx.writer
        if village.district != self._district:
            self._district = village.district
            self._serials = {}
        today_ordinal = ctx.today.toordinal()
        member_id = writer.new_id(Member)
        sex = "L" if rng.random() < 0.58 else "P"
        birth = dt.date.fromordinal(reg - rng.randrange(17 * 365 + 5, 62 * 365))
        nik = self.nik(village.code.replace(".", "")[:6], birth, sex)
        surnames = SURNAMES_ACEH if village.province == "11" else SURNAMES_SUMUT
        first = rng.choice(MALE_NAMES if sex == "L" else FEMALE_NAMES)
        name = " ".join(part for part in (first, rng.choice(MIDDLE_NAMES), rng.choice(surnames)) if part)
        phone = f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000, 99_999_999)}"
        occupation = pick(rng, _OCCUPATIONS)
        income = 1_000_000 if rng.random() < 0.62 else rng.randrange(1_000_000, 4_000_001, 100_000)
        jht = rng.random() < 0.22
        relation = pick(rng, _HEIRS)
        heir = rng.choice(FEMALE_NAMES if relation == "istri" else MALE_NAMES) + " " + (rng.choice(surnames) or "")
        duta = dutas[0] if len(dutas) == 1 else rng.choice(dutas)
        cabang = self.cabang[village.branch]
        event_id = None
        position = bisect.bisect_right(events, (reg, float("inf"))) - 1
        if position >= 0 and reg - events[position][0] <= 10 and rng.random() < 0.5:
            event_id = events[position][1]
        # Old sign-ups have long been decided; the last three weeks' are partly still waiting.
        age = today_ordinal - reg
        status = pick(rng, _RECENT_STATUSES if age <= 21 else _STATUSES)
        if status == "approved" and age < 2:
            status = "submitted"
        created = ctx.moment(reg)
        decided_at = decided_by = number = reason = None
        decided_ordinal = reg
        if status in ("approved", "rejected"):
            decided_ordinal = min(today_ordinal, reg + rng.randrange(0, 6))
            decided_at = max(created, ctx.moment(decided_ordinal))
            decided_by = cabang
            if status == "approved":
                number = ctx.member_number(decided_at.date())
            else:
                reason = rng.choice(REJECTION_REASONS)
        covered_until = first_covered = None
        if status == "approved" and rng.random() >= NEVER_PAYS:
            payer = Payer(member_id, income, jht, occupation, duta, cabang)
            covered_until, first_covered = payments(ctx, payer, decided_ordinal, deposits)
        writer.add(
            Member,
            {
                "id": member_id,
                "nik": nik,
                "full_name": name,
                "sex": sex,
                "birth_date": birth,
                "phone": phone,
                "address": f"{rng.choice(STREETS)} No. {rng.randrange(1, 200)}",
                "rt": f"{rng.randrange(1, 20):03d}",
                "rw": f"{rng.randrange(1, 12):03d}",
                "village_code": village.code,
                "occupation": occupation,
                "monthly_income": income,
                "jht": jht,
                "heir_name": heir,
                "heir_relation": relation,
                "event_id": event_id,
                "consent_at": created,
                "status": status,
                "member_number": number,
                "rejection_reason": reason,
                "registered_by_id": duta,
                "created_at": created,
                "updated_at": decided_at or created,
                "submitted_at": None if status == "draft" else created,
                "decided_at": decided_at,
                "decided_by_id": decided_by,
                "covered_until": covered_until,
                "first_covered": first_covered,
            },
        )
        ctx.report.members += 1
        ctx.report.status_counts[status] = ctx.report.status_counts.get(status, 0) + 1
        if status != "approved":
            return None
        return Official(member_id, name, number, covered_until)
