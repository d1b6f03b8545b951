"""The monthly roll-up (app/dues/rollup.py), kept in each action's transaction, always equals a rebuild
from scratch: any sequence of payments (back-dated too), voids, approvals and rejections through the
services, in two villages of two regencies' worth of codes; a death ends the cover and is no lapse."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.dues import death, rollup, service
from app.dues.models import RegencyDues, RegencyMonth, VillageMonth
from app.workflows import approvals
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    actor_of,
    dues_from_scratch,
    make_member,
    make_payment,
    rollup_from_scratch,
)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 3), st.integers(0, 400), st.integers(1, 12)),
        st.tuples(st.just("void"), st.integers(0, 30)),
        st.tuples(st.just("approve"), st.integers(0, 3)),
        st.tuples(st.just("reject"), st.integers(0, 3)),
        st.tuples(st.just("die"), st.integers(0, 3), st.integers(0, 400)),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_rollup_equals_a_rebuild_after_any_sequence(db, duta, duta_b, cabang, ops):
    members = [
        make_member(db, duta, VILLAGE_A, "approved"),
        make_member(db, duta, VILLAGE_A, "submitted"),
        make_member(db, duta_b, VILLAGE_B, "approved"),
        make_member(db, duta_b, VILLAGE_B, "submitted"),
    ]
    dutas = [duta, duta, duta_b, duta_b]
    receipts: list[str] = []
    for op in ops:
        if op[0] == "pay":
            _kind, who, days_back, months = op
            member = members[who]
            db.refresh(member)
            if member.status not in ("submitted", "approved") or member.died_on is not None:
                continue
            paid_on = service.today() - dt.timedelta(days=days_back)
            receipts.append(make_payment(db, dutas[who], member, months=months, paid_on=paid_on).receipt_number)
        elif op[0] == "void" and receipts:
            receipt = receipts.pop(op[1] % len(receipts))
            payment, _member = service.get_payment(db, actor_of(db, cabang), receipt)
            if payment.status == "valid":
                service.void_payment(db, actor_of(db, cabang), receipt, "uji")
        elif op[0] == "die":
            member = members[op[1]]
            db.refresh(member)
            if member.status != "approved" or member.died_on is not None:
                continue
            died_on = max(service.today() - dt.timedelta(days=op[2]), member.birth_date)
            death.record_death(db, actor_of(db, cabang), member.id, died_on.isoformat())
        elif op[0] in ("approve", "reject"):
            member = members[op[1]]
            db.refresh(member)
            if member.status != "submitted":
                continue
            if op[0] == "approve":
                approvals.approve(db, actor_of(db, cabang), member.id)
            else:
                approvals.reject(db, actor_of(db, cabang), member.id, None, "Data belum lengkap")
        villages, regencies = rollup_from_scratch(db)
        dues_villages, dues_regencies = dues_from_scratch(db)
        assert rollup.dues_snapshot(db) == dues_villages
        assert rollup.dues_snapshot(db, RegencyDues) == dues_regencies
        assert rollup.snapshot(db, VillageMonth) == villages
        assert rollup.snapshot(db, RegencyMonth) == regencies


def test_rebuild_gives_the_same_rows(db, duta, member):
    make_payment(db, duta, member, months=3)
    before = rollup.snapshot(db, VillageMonth)
    dues = rollup.dues_snapshot(db)
    assert before  # three covered months, a lapse after them, one new member
    assert list(dues.values()) == [(1, 3 * 16_800)]
    rollup.rebuild(db)
    assert rollup.snapshot(db, VillageMonth) == before
    assert rollup.dues_snapshot(db) == dues
    assert sum(c for c, _n, _l in before.values()) == 3
    assert sum(n for _c, n, _l in before.values()) == 1
    assert sum(lapsed for _c, _n, lapsed in before.values()) == 1


def test_a_death_ends_the_cover_in_its_month_and_is_no_lapse(db, duta, cabang, member):
    paid_on = service.today() - dt.timedelta(days=70)
    make_payment(db, duta, member, months=12, paid_on=paid_on)
    died_on = service.today() - dt.timedelta(days=10)
    death.record_death(db, actor_of(db, cabang), member.id, died_on.isoformat())
    db.refresh(member)
    assert member.covered_until == died_on.replace(day=1)
    rows = rollup.snapshot(db, VillageMonth)
    covered = sorted(month for (_village, month), (c, _n, _l) in rows.items() if c)
    assert covered[0] == paid_on.replace(day=1) and covered[-1] == died_on.replace(day=1)
    assert sum(lapsed for _c, _n, lapsed in rows.values()) == 0
    rollup.rebuild(db)
    assert rollup.snapshot(db, VillageMonth) == rows
