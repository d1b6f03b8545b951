"""Demo data, so a newcomer sees a living system: branches, an account of every role, the region's
targets, and a village well on its way (an event, registrations, decisions, payments, a deposit and its
Desa Sadar stages). `duta demo` loads it into an empty database, through the same services the pages use."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.auth import service as auth_service
from app.auth.models import User
from app.core.clock import WIB, add_months, month_start, today
from app.dues import deposits as dues_deposits
from app.dues import service as dues_service
from app.members import service as members_service
from app.partners import service as partners
from app.programme import events as programme_events
from app.programme import officials as programme_officials
from app.programme import stages as programme_stages
from app.programme import targets as programme_targets
from app.regions.service import add_branch, load_regions, regions_loaded
from app.workflows import approvals

DEMO_PASSWORD = "duta-demo-2026"

DEMO_BRANCHES = [
    ("MDN-UTARA", "Kantor Cabang Medan Utara", ["12.71", "12.75"]),
    ("LUBUK-PAKAM", "Kantor Cabang Lubuk Pakam", ["12.07", "12.18"]),
    ("BANDA-ACEH", "Kantor Cabang Banda Aceh", ["11.71", "11.06"]),
]

# Made-up partners (no real organisation's name), whose settlement files the branches reconcile.
DEMO_PARTNERS = [
    ("bank", "Bank Demo Sejahtera", "Unit Lubuk Pakam, 061-000000", ["12.07", "12.18"]),
    ("koperasi", "Koperasi Nelayan Demo", "Pak Hasan, 0651-000000", ["11.71"]),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    branch_code: str | None = None
    villages: tuple[str, ...] = ()


DEMO_ACCOUNTS = [
    DemoAccount("admin", "admin", "Administrator Sistem"),
    DemoAccount("wilayah", "wilayah", "Supervisor Kanwil Sumbagut"),
    DemoAccount("cabang.lubukpakam", "cabang", "Petugas KC Lubuk Pakam", "LUBUK-PAKAM"),
    DemoAccount("cabang.bandaaceh", "cabang", "Petugas KC Banda Aceh", "BANDA-ACEH"),
    # Tanjung Morawa, Deli Serdang: two villages of the district where the region held its senam bersama.
    DemoAccount("duta.senembah", "duta", "Perangkat Desa Medan Senembah", "LUBUK-PAKAM", ("12.07.02.2001",)),
    DemoAccount(
        "duta.limaumanis", "duta", "Perangkat Desa Limau Manis", "LUBUK-PAKAM", ("12.07.02.2003", "12.07.02.2002")
    ),
    DemoAccount("duta.kampungbaru", "duta", "Perangkat Gampong Kampung Baru", "BANDA-ACEH", ("11.71.01.2001",)),
]


def database_is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() == 0


@dataclass(frozen=True)
class DemoMember:
    """A neighbour of Medan Senembah; `months_ago` and `months` shape its cover (lapsed, due, active)."""

    full_name: str
    sex: str
    birth_date: dt.date
    occupation: str
    decision: str  # approve, reject or wait
    months_ago: int | None = None
    months: int = 1
    channel: str = "tunai"


DEMO_MEMBERS = [
    DemoMember("Sutrisno", "L", dt.date(1978, 3, 12), "petani", "approve", 0, 3),
    DemoMember("Rina Br Ginting", "P", dt.date(1985, 7, 2), "pedagang", "approve", 0, 1),
    DemoMember("Ahmad Fauzi", "L", dt.date(1990, 11, 25), "ojek", "approve", 2, 3, "bank"),
    DemoMember("Sri Wahyuni", "P", dt.date(1982, 1, 9), "buruh_harian", "approve", 3, 1),
    DemoMember("Budi Santoso", "L", dt.date(1975, 6, 30), "nelayan", "approve", 5, 2),
    DemoMember("Lestari Sembiring", "P", dt.date(1995, 9, 14), "usaha_mikro", "approve", 1, 6),
    DemoMember("Hendra Tarigan", "L", dt.date(2000, 2, 3), "pengrajin", "reject", 0, 1),
    DemoMember("Dewi Anggraini", "P", dt.date(1998, 4, 21), "pedagang", "wait", 0, 1),
]
DEMO_VILLAGE = "12.07.02.2001"  # Medan Senembah, Tanjung Morawa


def _demo_nik(member: DemoMember, serial: int) -> str:
    day = member.birth_date.day + (40 if member.sex == "P" else 0)
    return f"120702{day:02d}{member.birth_date:%m%y}{serial:04d}"


def _load_programme_village(session: Session, actors: dict) -> None:
    duta, cabang = actors["duta.senembah"], actors["cabang.lubukpakam"]
    day = today()
    event = programme_events.create_event(
        session,
        cabang,
        kind="sosialisasi",
        title="Sosialisasi BPJS Ketenagakerjaan untuk perangkat desa",
        date=day - dt.timedelta(days=200),
        place="Kantor Desa Medan Senembah",
        village_code=DEMO_VILLAGE,
        attendance=24,
        partners="Bank Sumut, Dinas Koperasi Deli Serdang",
    )
    programme_events.create_event(
        session,
        cabang,
        kind="senam_bersama",
        title="Senam bersama BPJS Ketenagakerjaan",
        date=day - dt.timedelta(days=30),
        place="Lapangan Tanjung Morawa",
        branch_code="LUBUK-PAKAM",
        attendance=350,
        partners="Serikat pekerja, perusahaan sekitar",
    )
    for stage, evidence in (("calon", {}), ("sosialisasi", {"event_id": event.id}), ("duta", {})):
        programme_stages.change_stage(session, cabang, DEMO_VILLAGE, stage, evidence)
    programme_stages.set_estimate(session, cabang, DEMO_VILLAGE, 420)
    programme_stages.change_stage(session, cabang, "12.07.02.2003", "calon", {})

    this_month = month_start(day)
    members = {}
    for serial, person in enumerate(DEMO_MEMBERS, start=1):
        registration = members_service.create(
            session,
            duta,
            {
                "nik": _demo_nik(person, serial),
                "full_name": person.full_name,
                "sex": person.sex,
                "birth_date": person.birth_date.isoformat(),
                "phone": f"0812-6{serial:03d}-4{serial:03d}",
                "address": f"Dusun {serial % 4 + 1}, Jl. Pendidikan",
                "rt": f"{serial:03d}",
                "rw": "002",
                "village_code": DEMO_VILLAGE,
                "occupation": person.occupation,
                "monthly_income": 1_000_000 + serial * 250_000 % 1_000_000,
                "jht": serial % 3 == 0,
                "heir_name": "Keluarga " + person.full_name.split()[0],
                "heir_relation": "anak",
                "consent": True,
                "event_id": event.id if serial <= 4 else None,
            },
        )
        member = registration.member
        assert member.id is not None  # inserted
        members[person.full_name] = member.id
        if person.months_ago is not None:
            paid_on = max(add_months(this_month, -person.months_ago), day - dt.timedelta(days=400))
            # Registered on the day of the first payment: a payment is never dated before the registration.
            member.created_at = dt.datetime.combine(paid_on, dt.time(), tzinfo=WIB)
            session.add(member)
            session.commit()
            dues_service.record_payment(
                session,
                duta,
                member.id,
                person.months,
                person.channel,
                reference="BSMT-" + str(40000 + serial) if person.channel == "bank" else None,
                paid_on=paid_on.isoformat(),
            )
        if person.decision == "approve":
            approvals.approve(session, cabang, member.id)
        elif person.decision == "reject":
            approvals.reject(
                session,
                cabang,
                member.id,
                "nik_mismatch",
                "Tanggal lahir pada NIK berbeda dengan yang tertulis di KTP.",
            )

    # The village head and secretary are members covered this month: the roster makes the next stage.
    programme_officials.replace_roster(
        session,
        duta,
        DEMO_VILLAGE,
        [
            {"position": "kepala_desa", "name": "Sutrisno", "member_id": members["Sutrisno"]},
            {"position": "sekretaris_desa", "name": "Lestari Sembiring", "member_id": members["Lestari Sembiring"]},
        ],
    )
    programme_stages.change_stage(session, cabang, DEMO_VILLAGE, "perangkat_terlindungi")
    decree = {"decree_number": "SK/045/KEC-TM/2026", "date": day.isoformat()}
    programme_stages.change_stage(session, cabang, DEMO_VILLAGE, "diresmikan", decree)

    # Part of the cash goes to the bank and is confirmed; the rest stays with the duta, to be handed in.
    held = [payment.receipt_number for payment, _member in dues_deposits.held_cash(session, duta)]
    if len(held) >= 2:
        deposit = dues_deposits.create_deposit(session, duta, held[:2]).deposit
        assert deposit.id is not None  # inserted
        dues_deposits.confirm_deposit(session, cabang, deposit.id, "SLIP-BSMT-0001")


def load_demo(session: Session) -> list[DemoAccount]:
    if not regions_loaded(session):
        load_regions(session)
    for number, (code, name, regencies) in enumerate(DEMO_BRANCHES, start=1):
        branch = add_branch(session, code, name, regencies)
        # A made-up account (no real bank's numbering) for the demo's deposit slips.
        branch.bank_name = "Bank Demo Sejahtera"
        branch.bank_account_number = f"000-{number:03d}-0000"
        branch.bank_account_holder = f"BPJS Ketenagakerjaan {name.removeprefix('Kantor Cabang ')}"
    actors = {}
    for account in DEMO_ACCOUNTS:
        user = auth_service.create_user(
            session,
            None,
            account.username,
            DEMO_PASSWORD,
            account.role,
            account.full_name,
            branch_code=account.branch_code,
            village_codes=account.villages,
        )
        actors[account.username] = auth_service.actor_for(session, user)
    programme_targets.seed_region_targets(session, today().year)
    _load_programme_village(session, actors)
    for kind, name, contact, regencies in DEMO_PARTNERS:
        partners.create_partner(session, actors["wilayah"], kind, name, contact, regencies)
    return DEMO_ACCOUNTS
