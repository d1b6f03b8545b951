"""Cover as properties: any sequence of payments and voids gives the cover of replaying what remains."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.core.clock import add_months, month_start
from app.core.errors import Invalid
from app.dues import service
from app.dues.cover import CoverInput, cover_of, replay, sort_key
from app.dues.models import Payment
from tests.factories import actor_of, make_member, make_payment

D = dt.date
payment_inputs = st.lists(
    st.tuples(st.dates(D(2025, 1, 1), D(2026, 11, 23)), st.integers(1, 12)), min_size=0, max_size=12
)


def _inputs(rows):
    return sorted((CoverInput(day, months, order=i) for i, (day, months) in enumerate(rows)), key=sort_key)


@given(payment_inputs)
def test_cover_never_creates_arrears_and_never_overlaps(rows):
    payments = _inputs(rows)
    covered_until, spans = replay(payments)
    previous = None
    for payment, (cover_from, cover_to) in zip(payments, spans, strict=False):
        assert add_months(cover_from, payment.months - 1) == cover_to
        # never before the payment's own month (no arrears) ...
        assert cover_from >= month_start(payment.paid_on)
        # ... and later than it only to run on from the previous cover, without gap or overlap
        if cover_from > month_start(payment.paid_on):
            assert previous is not None and cover_from == add_months(previous, 1)
        if previous is not None:
            assert cover_from > previous
        previous = cover_to
    assert covered_until == previous


@given(payment_inputs, st.data())
def test_removing_payments_equals_replaying_the_rest(rows, data):
    payments = _inputs(rows)
    keep = [p for p in payments if data.draw(st.booleans())]
    assert replay(keep)[0] == replay(sorted(keep, key=sort_key))[0]
    # a payment after a gap starts in its own month, whatever came before
    if keep:
        last = keep[-1]
        before = replay(keep[:-1])[0]
        if before is None or before < month_start(last.paid_on):
            assert replay(keep)[1][-1][0] == month_start(last.paid_on)


def test_cover_of_examples():
    assert cover_of(None, D(2026, 11, 23), 3) == (D(2026, 11, 1), D(2027, 1, 1))
    assert cover_of(D(2026, 11, 1), D(2026, 11, 23), 1) == (D(2026, 12, 1), D(2026, 12, 1))
    assert cover_of(D(2026, 8, 1), D(2026, 11, 23), 1) == (D(2026, 11, 1), D(2026, 11, 1))
    assert cover_of(D(2026, 10, 1), D(2026, 11, 2), 1) == (D(2026, 11, 1), D(2026, 11, 1))


operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 500), st.integers(1, 12), st.sampled_from(["tunai", "bank"])),
        st.tuples(st.just("void"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_service_cover_matches_a_replay_from_scratch(db, duta, cabang, ops):
    """Through the real service and database: payments (back-dated too) and voids in any order."""
    member = make_member(db, duta, status="approved")
    today = D(2026, 11, 23)
    receipts: list[str] = []
    remaining: dict[str, CoverInput] = {}  # the test's own record of what is still valid
    for index, op in enumerate(ops):
        if op[0] == "pay":
            _kind, days_back, months, channel = op
            paid_on = min(today, service.today()) - dt.timedelta(days=days_back)
            candidate = CoverInput(paid_on, months, order=index + 1)
            covered = replay(sorted([*remaining.values(), candidate], key=sort_key))[0]
            if covered > add_months(month_start(service.today()), service.MAX_MONTHS_AHEAD):
                with pytest.raises(Invalid) as refused:  # cover is paid at most a year ahead
                    make_payment(db, duta, member, months=months, channel=channel, paid_on=paid_on)
                assert set(refused.value.errors) == {"months"}
                continue
            payment = make_payment(db, duta, member, months=months, channel=channel, paid_on=paid_on)
            receipts.append(payment.receipt_number)
            remaining[payment.receipt_number] = CoverInput(paid_on, months, order=index + 1)
        elif receipts:
            receipt = receipts.pop(op[1] % len(receipts))
            service.void_payment(db, actor_of(db, cabang), receipt, "uji")
            del remaining[receipt]
    db.refresh(member)
    assert member.covered_until == replay(sorted(remaining.values(), key=sort_key))[0]
    valid = db.exec(select(Payment).where(Payment.member_id == member.id, Payment.status == "valid")).all()
    expected_until, spans = replay(sorted(valid, key=sort_key))
    assert member.covered_until == expected_until
    for payment, span in zip(sorted(valid, key=sort_key), spans, strict=False):
        db.refresh(payment)
        assert (payment.cover_from, payment.cover_to) == span
        assert payment.cover_from >= month_start(payment.paid_on)
