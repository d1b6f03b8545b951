"""`duta demo` gives a newcomer a living system, built through the same services as the pages."""

from sqlalchemy import func
from sqlmodel import select

from app.demo import DEMO_ACCOUNTS, DEMO_MEMBERS, DEMO_VILLAGE, load_demo
from app.dues.models import Deposit, Payment
from app.events.models import Event
from app.members.models import Member
from app.programme.models import StageChange, Target
from app.regions.models import Village


def test_demo_loads_accounts_members_payments_and_programme(db):
    load_demo(db)

    statuses = dict(db.exec(select(Member.status, func.count()).group_by(Member.status)).all())
    decisions = [m.decision for m in DEMO_MEMBERS]
    assert statuses == {
        "approved": decisions.count("approve"),
        "rejected": decisions.count("reject"),
        "submitted": decisions.count("wait"),
    }
    assert db.exec(select(func.count()).select_from(Payment)).one() == sum(
        m.months_ago is not None for m in DEMO_MEMBERS
    )
    # The rejected registration's payment is owed back, not silently kept.
    assert db.exec(select(func.count()).select_from(Payment).where(Payment.status == "refund_due")).one() == 1
    assert db.exec(select(Deposit.status)).all() == ["confirmed"]
    assert db.get(Village, DEMO_VILLAGE).stage == "diresmikan"
    assert db.exec(select(func.count()).select_from(StageChange)).one() == 6
    assert db.exec(select(func.count()).select_from(Event)).one() == 2
    assert db.exec(select(func.count()).select_from(Target).where(Target.level == "region")).one() == 2
    approved = db.exec(select(Member).where(Member.status == "approved")).all()
    assert all(m.member_number and m.covered_until for m in approved)
    assert {a.role for a in DEMO_ACCOUNTS} == {"duta", "cabang", "wilayah", "admin"}
