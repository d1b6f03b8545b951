"""Cash held (app/dues/custody.py): the running table `cash_held`, kept in each action's transaction,
always equals a computation from scratch over the payments, after any sequence of cash and bank payments,
voids, rejections (refund due), refunds, deposits created, confirmed and returned, through the services;
and the duta's home and the dashboard show the same figures."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import Conflict
from app.dues import custody, service
from app.dues import deposits as dues_deposits
from app.reports.service import dashboard
from app.workflows import approvals
from tests.factories import VILLAGE_A, VILLAGE_B, actor_of, make_member, make_payment

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"), st.integers(0, 3), st.integers(0, 60), st.integers(1, 3), st.sampled_from(["tunai", "bank"])
        ),
        st.tuples(st.just("void"), st.integers(0, 30)),
        st.tuples(st.just("reject"), st.integers(0, 3)),
        st.tuples(st.just("refund"), st.integers(0, 30)),
        st.tuples(st.just("deposit"), st.integers(0, 1), st.integers(1, 3)),
        st.tuples(st.just("confirm"), st.integers(0, 30)),
        st.tuples(st.just("return"), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=12,
)


def _check(db, dutas, cabang, wilayah):
    assert custody.snapshot(db) == custody.compute(db)
    region = dashboard(db, actor_of(db, wilayah), "region")["cash_held"]
    branch = dashboard(db, actor_of(db, cabang))["cash_held"]
    assert region["total"] == branch["total"] == sum(total for total, _n, _o in custody.compute(db).values())
    for duta in dutas:
        home = sum(row.total for row in dues_deposits.cash_context(db, actor_of(db, duta))["cash_held"])
        own = dashboard(db, actor_of(db, duta))["cash_held"]
        assert own["total"] == home
        assert {d["duta_id"]: d["total"] for d in region["by_duta"]}.get(duta.id, 0) == home


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_cash_held_equals_a_computation_after_any_sequence(db, duta, duta_b, cabang, ops):
    from tests.factories import make_user

    wilayah = make_user(db, "wilayah")
    members = [
        make_member(db, duta, VILLAGE_A, "approved"),
        make_member(db, duta, VILLAGE_A, "submitted"),
        make_member(db, duta_b, VILLAGE_B, "approved"),
        make_member(db, duta_b, VILLAGE_B, "submitted"),
    ]
    dutas = [duta, duta, duta_b, duta_b]
    receipts: list[str] = []
    deposits: list[int] = []
    boss = actor_of(db, cabang)
    for op in ops:
        kind = op[0]
        if kind == "pay":
            _kind, who, days_back, months, channel = op
            member = members[who]
            db.refresh(member)
            if member.status not in ("submitted", "approved"):
                continue
            paid_on = service.today() - dt.timedelta(days=days_back)
            receipts.append(
                make_payment(db, dutas[who], member, months=months, channel=channel, paid_on=paid_on).receipt_number
            )
        elif kind in ("void", "refund") and receipts:
            receipt = receipts[op[1] % len(receipts)]
            try:
                if kind == "void":
                    service.void_payment(db, boss, receipt, "uji")
                else:
                    service.mark_refunded(db, boss, receipt)
            except Conflict:
                db.rollback()
        elif kind == "reject":
            member = members[op[1]]
            db.refresh(member)
            if member.status == "submitted":
                approvals.reject(db, boss, member.id, None, "Data belum lengkap")
        elif kind == "deposit":
            holder = (duta, duta_b)[op[1]]
            held = [
                p.receipt_number for p, _m in dues_deposits.held_cash(db, actor_of(db, holder)) if p.status == "valid"
            ][: op[2]]
            if held:
                deposits.append(dues_deposits.create_deposit(db, actor_of(db, holder), held).deposit.id)
        elif kind in ("confirm", "return") and deposits:
            deposit_id = deposits[op[1] % len(deposits)]
            try:
                if kind == "confirm":
                    dues_deposits.confirm_deposit(db, boss, deposit_id, "SLIP-1")
                else:
                    dues_deposits.return_deposit(db, boss, deposit_id, "Salah hitung")
            except Conflict:
                db.rollback()
        _check(db, (duta, duta_b), cabang, wilayah)


def test_refund_due_cash_stays_held_until_refunded(db, duta, cabang):
    member = make_member(db, duta, VILLAGE_A, "submitted")
    payment = make_payment(db, duta, member, months=2, paid_on=service.today() - dt.timedelta(days=5))
    approvals.reject(db, actor_of(db, cabang), member.id, None, "Data belum lengkap")
    held = dues_deposits.cash_held(db, actor_of(db, duta))
    assert [(row.total, row.count, row.age_days) for row in held] == [(payment.amount, 1, 5)]
    service.mark_refunded(db, actor_of(db, cabang), payment.receipt_number)
    assert dues_deposits.cash_held(db, actor_of(db, duta)) == []
    assert custody.snapshot(db) == custody.compute(db) == {}


def test_oldest_is_recomputed_when_the_oldest_payment_leaves(db, duta, cabang, member):
    today = service.today()
    old = make_payment(db, duta, member, months=1, paid_on=today - dt.timedelta(days=9))
    make_payment(db, duta, member, months=1, paid_on=today - dt.timedelta(days=2))
    assert dues_deposits.cash_held(db, actor_of(db, duta))[0].age_days == 9
    service.void_payment(db, actor_of(db, cabang), old.receipt_number, "Salah input")
    row = dues_deposits.cash_held(db, actor_of(db, duta))[0]
    assert (row.count, row.age_days) == (1, 2)


def test_rebuild_gives_the_same_rows(db, duta, member):
    make_payment(db, duta, member, months=3)
    before = custody.snapshot(db)
    assert before
    custody.rebuild(db)
    assert custody.snapshot(db) == before
