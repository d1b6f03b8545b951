"""A small hand-counted world for the report tests: two branches, three villages, members in every
state, payments that agree with each member's `covered_until`, cash held, events and targets.

Months are relative to this month (k = 0); see the table in `world` for what each member is."""

import datetime as dt
import itertools
from dataclasses import dataclass, field

import pytest

from app.core.clock import add_months, month_start, today
from app.dues import custody
from app.dues.models import Deposit, Payment
from app.dues.rollup import rebuild
from app.events.models import Event
from app.programme.models import ProvinceBaseline, Target
from app.regions.models import Village
from tests.factories import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER_BRANCH, make_branch, make_member, make_user

_receipts = itertools.count(1)


def month(k: int) -> dt.date:
    return add_months(month_start(today()), k)


def make_payment(
    db,
    member,
    first: int,
    last: int,
    recorded_by,
    status="valid",
    holder=None,
    deposit=None,
    paid_days_ago: int = 0,
    channel="tunai",
):
    months = last - first + 1
    payment = Payment(
        receipt_number=f"RT{next(_receipts):08d}",
        member_id=member.id,
        months=months,
        monthly_amount=16800,
        amount=16800 * months,
        channel=channel,
        paid_on=today() - dt.timedelta(days=paid_days_ago),
        cover_from=month(first),
        cover_to=month(last),
        status=status,
        recorded_by_id=recorded_by.id,
        holder_id=holder.id if holder else None,
        deposit_id=deposit.id if deposit else None,
    )
    db.add(payment)
    db.commit()
    rebuild(db)  # payments written directly, not through the dues service: recompute the monthly roll-up
    custody.rebuild(db)  # and the cash held per duta
    return payment


@dataclass
class World:
    branch: object
    other_branch: object
    wilayah: object
    cabang: object
    other_cabang: object
    duta_a: object
    duta_b: object
    duta_other: object
    members: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    branch = make_branch(db, regencies=("12.07",))
    other_branch = make_branch(db, regencies=("11.71",))
    w = World(
        branch=branch,
        other_branch=other_branch,
        wilayah=make_user(db, "wilayah"),
        cabang=make_user(db, "cabang", branch_code=branch.code),
        other_cabang=make_user(db, "cabang", branch_code=other_branch.code),
        duta_a=make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        duta_b=make_user(db, "duta", villages=(VILLAGE_B,), branch_code=branch.code),
        duta_other=make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other_branch.code),
    )
    for code, stage, estimate in (
        (VILLAGE_A, "diresmikan", 100),
        (VILLAGE_B, "sosialisasi", 50),
        (VILLAGE_OTHER_BRANCH, "calon", 200),
    ):
        village = db.get(Village, code)
        village.stage, village.estimated_informal_workers = stage, estimate
    db.commit()

    events = w.events
    events["sosialisasi"] = Event(
        kind="sosialisasi",
        title="Sosialisasi BPU",
        date=today(),
        place="Balai desa",
        village_code=VILLAGE_A,
        attendance=40,
        created_by_id=w.cabang.id,
    )
    events["kemitraan"] = Event(
        kind="kemitraan",
        title="Bank mitra",
        date=today(),
        place="Kantor cabang",
        branch_code=branch.code,
        attendance=10,
        created_by_id=w.cabang.id,
    )
    events["jemput_bola"] = Event(
        kind="jemput_bola",
        title="Jemput bola",
        date=today(),
        place="Pasar",
        village_code=VILLAGE_OTHER_BRANCH,
        attendance=5,
        created_by_id=w.other_cabang.id,
    )
    db.add_all(events.values())
    db.commit()

    # name: (village, status, covered_until month, first_covered month, event, registered by)
    # Cover: a1 k-3..k+2 aktif; a2 k0 jatuh tempo; a3 k-4..k-1 lapsed this month; a4 never paid (a void
    # payment only); b1 k0..k+1 aktif; o1 k-1..k+5 aktif; o2 k-8..k-6 lapsed long ago.
    plan = {
        "a1": (VILLAGE_A, "approved", 2, -3, "sosialisasi", w.duta_a),
        "a2": (VILLAGE_A, "approved", 0, 0, "sosialisasi", w.duta_a),
        "a3": (VILLAGE_A, "approved", -1, -4, None, w.duta_a),
        "a4": (VILLAGE_A, "approved", None, None, None, w.duta_a),
        "a5": (VILLAGE_A, "submitted", None, None, None, w.duta_a),
        "a6": (VILLAGE_A, "rejected", None, None, None, w.duta_a),
        "a7": (VILLAGE_A, "draft", None, None, None, w.duta_a),
        "b1": (VILLAGE_B, "approved", 1, 0, "kemitraan", w.duta_b),
        "b2": (VILLAGE_B, "submitted", None, None, None, w.duta_b),
        "o1": (VILLAGE_OTHER_BRANCH, "approved", 5, -1, "jemput_bola", w.duta_other),
        "o2": (VILLAGE_OTHER_BRANCH, "approved", -6, -8, None, w.duta_other),
    }
    for name, (village, status, until, first, event, by) in plan.items():
        w.members[name] = make_member(
            db,
            by,
            village,
            status,
            covered_until=None if until is None else month(until),
            first_covered=None if first is None else month(first),
            event_id=events[event].id if event else None,
            full_name=f"Warga {name.upper()}",
            monthly_income=1_500_000,
        )
    m = w.members
    confirmed = Deposit(duta_id=w.duta_a.id, total=16800, status="confirmed")
    waiting = Deposit(duta_id=w.duta_b.id, total=33600, status="submitted")
    db.add_all([confirmed, waiting])
    db.commit()
    make_payment(db, m["a1"], -3, 2, w.duta_a, holder=w.duta_a, paid_days_ago=10)  # held by duta_a
    make_payment(db, m["a2"], 0, 0, w.duta_a, holder=w.duta_a, deposit=confirmed, paid_days_ago=3)  # deposited
    make_payment(db, m["a3"], -4, -1, w.cabang, channel="bank")
    make_payment(db, m["a4"], -2, 0, w.duta_a, status="void", holder=w.duta_a)  # void: never counts
    make_payment(db, m["b1"], 0, 1, w.duta_b, holder=w.duta_b, deposit=waiting, paid_days_ago=4)  # still held
    make_payment(db, m["o1"], -1, 5, w.other_cabang, channel="bank")
    make_payment(db, m["o2"], -8, -6, w.other_cabang, channel="bank")

    year = today().year
    db.add_all(
        [
            Target(year=year, level="region", scope_code="", metric="new_members", value=10),
            Target(year=year, level="region", scope_code="", metric="active_members", value=8),
            Target(year=year, level="region", scope_code="", metric="villages_diresmikan", value=30),
            Target(year=year, level="province", scope_code="12", metric="active_members", value=4),
            Target(year=year, level="branch", scope_code=branch.code, metric="new_members", value=4),
            Target(year=year, level="village", scope_code=VILLAGE_A, metric="active_members", value=2),
            Target(year=year - 1, level="region", scope_code="", metric="new_members", value=99),  # last year: ignored
            ProvinceBaseline(province_code="12", year=year, workers=4_300_000, covered=1_900_000),
        ]
    )
    db.commit()
    return w


@dataclass
class Partnered:
    """The world with two partners: what their clients registered and the dues they took."""

    koperasi: object  # serves 12.07 (this branch) and 11.71 (the other)
    bank: object  # serves 11.71 only
    members: dict = field(default_factory=dict)


@pytest.fixture
def partnered(db, world) -> Partnered:
    """On top of `world`: p1 (village A) and p2 (other branch) registered by the koperasi's client, q1 (other
    branch) by the bank's, d1 (village B) by duta_b, f1 (village B) by the branch officer's file upload, and
    one submitted registration of the koperasi (not a member yet). The koperasi took 2 months of p1, 1 of
    d1 and 1 of p2 (a third month of p1 was voided); the bank took nothing. 16.800 a month each."""
    from app.auth.models import User
    from app.dues import service as dues
    from app.dues.partner_payments import record_partner_payment
    from app.members.payment_code import payment_code
    from app.partners import service as partners
    from tests.factories import actor_of

    wilayah = actor_of(db, world.wilayah)
    koperasi = partners.create_partner(db, wilayah, "koperasi", "Koperasi Maju Bersama", "0812", ["12.07", "11.71"])
    bank = partners.create_partner(db, wilayah, "bank", "Bank Sejahtera", "0813", ["11.71"])
    kop = db.get(User, partners.create_client(db, wilayah, koperasi.id).client.user_id)
    bank_client = db.get(User, partners.create_client(db, wilayah, bank.id).client.user_id)
    p = Partnered(koperasi, bank)
    p.members["p1"] = make_member(db, kop, VILLAGE_A, "approved")
    p.members["p2"] = make_member(db, kop, VILLAGE_OTHER_BRANCH, "approved")
    p.members["q1"] = make_member(db, bank_client, VILLAGE_OTHER_BRANCH, "approved")
    p.members["d1"] = make_member(db, world.duta_b, VILLAGE_B, "approved")
    p.members["f1"] = make_member(db, world.cabang, VILLAGE_B, "approved")
    make_member(db, kop, VILLAGE_A, "submitted")

    def take(member, months: int, reference: str):
        code = payment_code(member)
        return record_partner_payment(db, actor_of(db, kop), code, months, 16800 * months, reference).payment

    take(p.members["p1"], 2, "KOP-1")
    take(p.members["d1"], 1, "KOP-2")
    take(p.members["p2"], 1, "KOP-3")
    voided = take(p.members["p1"], 1, "KOP-4")
    dues.void_payment(db, actor_of(db, world.cabang), voided.receipt_number, "salah catat")
    return p
