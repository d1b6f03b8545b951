"""Member numbers: 11 digits (year of approval + 9-digit serial), distinct even when many officers
approve at the same moment, each in its own connection and committed for real."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import delete, text
from sqlmodel import Session, select

from app.auth.models import User, UserVillage
from app.core.audit import AuditEntry
from app.core.clock import today
from app.members.models import Member
from app.regions.models import Branch, Regency
from app.workflows import approvals
from tests.factories import VILLAGE_A, actor_of, make_member, make_user


def test_format():
    assert approvals.format_member_number(2026, 1) == "26000000001"
    assert approvals.format_member_number(2031, 123456789) == "31123456789"
    assert approvals.is_member_number("26000000001")
    assert not approvals.is_member_number("2600000001")
    assert not approvals.is_member_number("26-00000001")


def test_sequential_numbers_are_distinct_and_well_formed(db, area):
    cabang = area.actor(area.cabang)
    members = [make_member(db, area.duta) for _ in range(5)]
    numbers = [approvals.approve(db, cabang, m.id).member_number for m in members]
    assert len(set(numbers)) == 5
    year = f"{today().year % 100:02d}"
    assert all(approvals.is_member_number(n) and n.startswith(year) for n in numbers)
    serials = [int(n[2:]) for n in numbers]
    assert serials == sorted(serials)


def test_a_number_already_taken_is_skipped(db, area):
    cabang = area.actor(area.cabang)
    first = approvals.approve(db, cabang, make_member(db, area.duta).id).member_number
    serial = int(first[2:])
    # A member imported with the next number (say, from BPJS's core system) keeps it.
    taken = approvals.format_member_number(today().year, serial + 1)
    make_member(db, area.duta, status="approved", member_number=taken)
    second = approvals.approve(db, cabang, make_member(db, area.duta).id).member_number
    assert second == approvals.format_member_number(today().year, serial + 2)


def _remove_committed(engine, member_ids, user_ids, branch_code, old_branch):
    """Undo the committed rows of the concurrency test, audit entries included: for this clean-up only,
    the append-only triggers are bypassed (PostgreSQL: replica role for this transaction; SQLite: the
    triggers are dropped and re-created in the same transaction)."""
    with Session(engine) as session:
        triggers = []
        if engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            triggers = session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'")
            ).all()
            for name, _sql in triggers:
                session.execute(text(f'DROP TRIGGER "{name}"'))
        session.execute(
            delete(AuditEntry).where(
                (AuditEntry.actor_id.in_(user_ids))
                | ((AuditEntry.object_type == "member") & AuditEntry.object_id.in_([str(i) for i in member_ids]))
            )
        )
        session.execute(delete(Member).where(Member.id.in_(member_ids)))
        session.execute(delete(UserVillage).where(UserVillage.user_id.in_(user_ids)))
        session.execute(delete(User).where(User.id.in_(user_ids)))
        session.get(Regency, "12.07").branch_code = old_branch
        session.flush()
        session.execute(delete(Branch).where(Branch.code == branch_code))
        for _name, sql in triggers:
            session.execute(text(sql))
        session.commit()


def test_concurrent_approvals_get_distinct_numbers(engine):
    count = 12
    with Session(engine, expire_on_commit=False) as session:
        branch = Branch(code=f"K{uuid.uuid4().hex[:8]}", name="Cabang uji konkurensi")
        session.add(branch)
        session.flush()
        regency = session.get(Regency, "12.07")
        old_branch = regency.branch_code
        regency.branch_code = branch.code
        session.commit()
        cabang = make_user(session, "cabang", branch_code=branch.code)
        duta = make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
        member_ids = [make_member(session, duta).id for _ in range(count)]
        actor = actor_of(session, cabang)
        user_ids = [cabang.id, duta.id]
    try:
        start = threading.Barrier(count)

        def approve(member_id: int) -> str:
            with Session(engine, expire_on_commit=False) as own:
                start.wait(timeout=30)
                return approvals.approve(own, actor, member_id).member_number

        with ThreadPoolExecutor(max_workers=count) as pool:
            numbers = list(pool.map(approve, member_ids))

        assert len(set(numbers)) == count
        assert all(approvals.is_member_number(n) for n in numbers)
        with Session(engine) as check:
            stored = check.exec(select(Member.member_number, Member.status).where(Member.id.in_(member_ids))).all()
            assert sorted(n for n, _status in stored) == sorted(numbers)
            assert {status for _n, status in stored} == {"approved"}
            entries = check.exec(
                select(AuditEntry).where(
                    AuditEntry.action == "member_approved", AuditEntry.object_id.in_([str(i) for i in member_ids])
                )
            ).all()
            assert len(entries) == count
    finally:
        _remove_committed(engine, member_ids, user_ids, branch.code, old_branch)
    with Session(engine) as check:
        assert check.exec(select(Member).where(Member.id.in_(member_ids))).first() is None
        assert check.get(Regency, "12.07").branch_code == old_branch
