"""Recording payments: amounts, cover without arrears, dates, channels, who may record, idempotency."""

import datetime as dt

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.dues import rollup, service
from app.dues.models import Payment, RegencyDues, RegencyMonth, VillageMonth
from app.members.cover import CoverStatus, cover_status
from app.members.models import Member
from app.rates.models import RateDiscount
from tests.factories import actor_of, dues_from_scratch, make_member, make_payment, make_user, rollup_from_scratch

D = dt.date


def test_one_month_at_minimum_income_is_16800(db, duta, member, fixed_today):
    payment = make_payment(db, duta, member, months=1)
    assert (payment.monthly_amount, payment.amount) == (16800, 16800)
    assert payment.receipt_number.startswith("KW-2026-")
    assert (payment.cover_from, payment.cover_to) == (D(2026, 11, 1), D(2026, 11, 1))
    db.refresh(member)
    assert member.covered_until == D(2026, 11, 1)
    assert member.first_covered == D(2026, 11, 1)
    assert payment.holder_id == duta.id


def test_amount_is_months_times_contribution_with_income_and_jht(db, duta, fixed_today):
    member = make_member(db, duta, status="approved", monthly_income=2_500_000, jht=True)
    payment = make_payment(db, duta, member, months=3)
    # JKK 1 % = 25.000, JKM 6.800, JHT 2 % = 50.000
    assert payment.monthly_amount == 81800
    assert payment.amount == 3 * 81800


def test_discount_for_the_occupation_applies_in_its_months(db, duta, fixed_today):
    db.add(
        RateDiscount(
            occupation="nelayan",
            first_month=D(2026, 11, 1),
            last_month=D(2026, 12, 1),
            jkk_percent_off=50,
            jkm_percent_off=50,
        )
    )
    db.commit()
    fisher = make_member(db, duta, status="approved", occupation="nelayan")
    farmer = make_member(db, duta, status="approved", occupation="petani")
    assert make_payment(db, duta, fisher).monthly_amount == 5000 + 3400
    assert make_payment(db, duta, farmer).monthly_amount == 16800
    # The payment's month decides: a payment dated before the discount pays the full rate.
    late = make_member(db, duta, status="approved", occupation="nelayan")
    assert make_payment(db, duta, late, paid_on=D(2026, 10, 30)).monthly_amount == 16800


def test_cover_runs_on_from_the_last_covered_month(db, duta, member, fixed_today):
    make_payment(db, duta, member, months=2)  # Nov, Dec
    second = make_payment(db, duta, member, months=3)
    assert (second.cover_from, second.cover_to) == (D(2027, 1, 1), D(2027, 3, 1))
    db.refresh(member)
    assert member.covered_until == D(2027, 3, 1)


def test_no_arrears_after_a_gap_cover_starts_in_the_payment_month(db, duta, member, fixed_today):
    old = make_payment(db, duta, member, months=1, paid_on=D(2026, 3, 10))  # covers March only
    assert (old.cover_from, old.cover_to) == (D(2026, 3, 1), D(2026, 3, 1))
    now = make_payment(db, duta, member, months=1)
    assert (now.cover_from, now.cover_to) == (D(2026, 11, 1), D(2026, 11, 1))
    db.refresh(member)
    assert member.covered_until == D(2026, 11, 1)
    assert member.first_covered == D(2026, 3, 1)


def test_backdated_payment_recorded_late_is_replayed_in_date_order(db, duta, member, fixed_today):
    today_payment = make_payment(db, duta, member, months=1)  # Nov
    late = make_payment(db, duta, member, months=1, channel="bank", paid_on=D(2026, 10, 2))
    db.refresh(today_payment)
    assert (late.cover_from, late.cover_to) == (D(2026, 10, 1), D(2026, 10, 1))
    assert (today_payment.cover_from, today_payment.cover_to) == (D(2026, 11, 1), D(2026, 11, 1))
    # A back-dated payment whose month is already covered extends the cover at the end.
    earlier = make_payment(db, duta, member, months=2, channel="bank", paid_on=D(2026, 10, 20))
    db.refresh(today_payment)
    assert (earlier.cover_from, earlier.cover_to) == (D(2026, 11, 1), D(2026, 12, 1))
    assert (today_payment.cover_from, today_payment.cover_to) == (D(2027, 1, 1), D(2027, 1, 1))
    db.refresh(member)
    assert member.covered_until == D(2027, 1, 1)


def test_a_payment_after_a_gap_starts_a_new_span_and_keeps_the_rollup(db, duta, member, fixed_today):
    """Paid after a lapse: the cover starts again at the payment's month (no arrears), and the roll-up
    still equals one rebuilt from scratch."""
    make_payment(db, duta, member, months=1, paid_on=D(2026, 3, 10))
    make_payment(db, duta, member, months=2, paid_on=D(2026, 4, 2))  # Apr, May; then a gap
    latest = make_payment(db, duta, member, months=3, paid_on=D(2026, 9, 5))
    same_day = make_payment(db, duta, member, months=1, paid_on=D(2026, 9, 5))
    assert (latest.cover_from, latest.cover_to) == (D(2026, 9, 1), D(2026, 11, 1))
    assert (same_day.cover_from, same_day.cover_to) == (D(2026, 12, 1), D(2026, 12, 1))
    stored = db.get(Member, member.id)
    assert (stored.first_covered, stored.covered_until) == (D(2026, 3, 1), D(2026, 12, 1))
    villages, regencies = rollup_from_scratch(db)
    dues_villages, dues_regencies = dues_from_scratch(db)
    assert rollup.dues_snapshot(db) == dues_villages
    assert rollup.dues_snapshot(db, RegencyDues) == dues_regencies
    assert rollup.snapshot(db, VillageMonth) == villages
    assert rollup.snapshot(db, RegencyMonth) == regencies


def test_paid_on_cannot_be_in_the_future(db, duta, member, fixed_today):
    with pytest.raises(Invalid) as error:
        make_payment(db, duta, member, paid_on=D(2026, 11, 24))
    assert "paid_on" in error.value.errors
    assert make_payment(db, duta, member, paid_on=D(2026, 11, 23)).paid_on == D(2026, 11, 23)


def test_paid_on_defaults_to_today_in_wib(db, duta, member, fixed_today):
    assert make_payment(db, duta, member).paid_on == fixed_today


@pytest.mark.parametrize("months", [0, 13, -1, "x", None])
def test_months_must_be_1_to_12(db, duta, member, months):
    with pytest.raises(Invalid) as error:
        make_payment(db, duta, member, months=months)
    assert "months" in error.value.errors


def test_twelve_months_at_once(db, duta, member, fixed_today):
    payment = make_payment(db, duta, member, months=12)
    assert (payment.cover_from, payment.cover_to, payment.amount) == (D(2026, 11, 1), D(2027, 10, 1), 12 * 16800)


def test_unknown_channel_refused(db, duta, member):
    with pytest.raises(Invalid) as error:
        make_payment(db, duta, member, channel="kripto")
    assert "channel" in error.value.errors


def test_bank_payment_needs_a_reference(db, duta, member):
    with pytest.raises(Invalid) as error:
        make_payment(db, duta, member, channel="bank", reference="  ")
    assert "reference" in error.value.errors
    payment = make_payment(db, duta, member, channel="bank", reference="BRI 123")
    assert payment.reference == "BRI 123" and payment.holder_id is None


@pytest.mark.parametrize("status", ["draft", "rejected"])
def test_no_payment_for_draft_or_rejected_registrations(db, duta, status):
    member = make_member(db, duta, status=status)
    with pytest.raises(Conflict):
        make_payment(db, duta, member)


def test_payment_for_a_submitted_registration_is_allowed(db, duta):
    member = make_member(db, duta, status="submitted")
    assert make_payment(db, duta, member).status == "valid"


def test_cabang_records_bank_payments_but_not_cash(db, cabang, member):
    assert make_payment(db, cabang, member, channel="bank").holder_id is None
    with pytest.raises(Invalid) as error:
        make_payment(db, cabang, member, channel="tunai")
    assert "channel" in error.value.errors


@pytest.mark.parametrize("role", ["wilayah", "admin"])
def test_wilayah_and_admin_record_no_payments(db, member, role):
    user = make_user(db, role)
    with pytest.raises(Forbidden):
        make_payment(db, user, member, channel="bank")


def test_duta_of_another_village_cannot_see_the_member(db, duta_b, member):
    with pytest.raises(NotFound):
        make_payment(db, duta_b, member)


def test_a_back_dated_payment_moves_a_later_one_on(db, duta, member, fixed_today):
    """A payment dated before another is replayed with the rest: the later one's cover moves on."""
    make_payment(db, duta, member, months=2, paid_on=D(2026, 9, 5))  # Sep, Oct
    today_payment = make_payment(db, duta, member, months=1)
    assert (today_payment.cover_from, today_payment.cover_to) == (D(2026, 11, 1), D(2026, 11, 1))
    make_payment(db, duta, member, months=1, channel="bank", paid_on=D(2026, 11, 2))
    db.refresh(today_payment)
    assert (today_payment.cover_from, today_payment.cover_to) == (D(2026, 12, 1), D(2026, 12, 1))
    stored = db.get(Member, member.id)
    db.refresh(stored)
    assert stored.covered_until == D(2026, 12, 1)


def test_receipt_numbers_are_unique_and_increasing(db, duta, member):
    numbers = [make_payment(db, duta, member).receipt_number for _ in range(3)]
    assert len(set(numbers)) == 3
    assert numbers == sorted(numbers)


def test_same_idempotency_key_records_once_and_returns_the_first(db, duta, member, fixed_today):
    first = make_payment(db, duta, member, months=2, idempotency_key="form-abc")
    again = make_payment(db, duta, member, months=2, idempotency_key="form-abc")
    assert again.receipt_number == first.receipt_number
    assert len(db.exec(select(Payment).where(Payment.member_id == member.id)).all()) == 1
    db.refresh(member)
    assert member.covered_until == D(2026, 12, 1)
    other = make_payment(db, duta, member, months=1, idempotency_key="form-xyz")
    assert other.receipt_number != first.receipt_number


def _serial(payment) -> int:
    return int(payment.receipt_number.rsplit("-", 1)[1])


def test_a_repeated_request_leaves_no_gap_in_the_receipt_numbers(db, duta, member, fixed_today):
    # PostgreSQL's sequence gives no number back on rollback: the key is claimed before one is taken.
    first = make_payment(db, duta, member, months=1, idempotency_key="outbox-1")
    for _ in range(2):
        assert (
            make_payment(db, duta, member, months=1, idempotency_key="outbox-1").receipt_number == first.receipt_number
        )
    assert _serial(make_payment(db, duta, member, months=1, idempotency_key="outbox-2")) == _serial(first) + 1


def test_a_repeated_key_answers_the_first_even_when_a_new_payment_would_be_refused(db, duta, cabang, fixed_today):
    """The retry of a payment arrives after the registration was rejected: it gets its first receipt
    (the key is not looked up before the work, so the refusal must not hide it)."""
    from app.workflows import approvals

    submitted = make_member(db, duta, status="submitted")
    first = make_payment(db, duta, submitted, months=1, idempotency_key="retry-after-reject")
    approvals.reject(db, actor_of(db, cabang), submitted.id, "other", "Foto KTP buram")
    again = make_payment(db, duta, submitted, months=1, idempotency_key="retry-after-reject")
    assert again.receipt_number == first.receipt_number
    with pytest.raises(Conflict):  # without the key it is refused
        make_payment(db, duta, submitted, months=1)
    assert len(db.exec(select(Payment).where(Payment.member_id == submitted.id)).all()) == 1


def test_a_key_used_to_register_cannot_record_a_payment(db, duta, member, fixed_today):
    from app.members import service as members

    registration = members.create(
        db,
        actor_of(db, duta),
        {
            "nik": "1101014506900003",
            "full_name": "Ani",
            "sex": "P",
            "birth_date": "1990-06-05",
            "village_code": member.village_code,
            "consent": True,
        },
        submit=False,
        idempotency_key="one-key",
    )
    assert not registration.replayed
    with pytest.raises(Invalid) as refused:
        make_payment(db, duta, member, months=1, idempotency_key="one-key")
    assert set(refused.value.errors) == {"idempotency_key"}
    assert db.exec(select(Payment).where(Payment.member_id == member.id)).all() == []


def test_payment_is_audited(db, duta, member):
    payment = make_payment(db, duta, member, months=2)
    entry = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "payment_recorded", AuditEntry.object_id == payment.receipt_number
        )
    ).one()
    assert entry.actor_id == duta.id and '"months": 2' in entry.detail


def test_status_on_a_day_follows_cover(db, duta, member, fixed_today):
    make_payment(db, duta, member, months=1)
    db.refresh(member)
    assert cover_status(member.covered_until, fixed_today) == CoverStatus.jatuh_tempo
    make_payment(db, duta, member, months=1)
    db.refresh(member)
    assert cover_status(member.covered_until, fixed_today) == CoverStatus.aktif
    assert cover_status(member.covered_until, D(2027, 1, 5)) == CoverStatus.nonaktif


def test_void_replays_cover_from_the_remaining_payments(db, duta, cabang, member, fixed_today):
    first = make_payment(db, duta, member, months=2)  # Nov-Dec
    second = make_payment(db, duta, member, months=1)  # Jan
    service.void_payment(db, actor_of(db, cabang), first.receipt_number, "salah input")
    db.refresh(member)
    db.refresh(second)
    assert member.covered_until == D(2026, 11, 1)
    assert (second.cover_from, second.cover_to) == (D(2026, 11, 1), D(2026, 11, 1))
    db.refresh(first)
    assert first.status == "void" and first.void_reason == "salah input" and first.voided_by_id == cabang.id
    service.void_payment(db, actor_of(db, cabang), second.receipt_number, "salah anggota")
    db.refresh(member)
    assert member.covered_until is None and member.first_covered is None
    assert db.get(Payment, first.id) is not None  # never deleted


def test_void_needs_a_reason_and_a_valid_payment(db, duta, cabang, member):
    payment = make_payment(db, duta, member)
    with pytest.raises(Invalid) as error:
        service.void_payment(db, actor_of(db, cabang), payment.receipt_number, " ")
    assert "reason" in error.value.errors
    service.void_payment(db, actor_of(db, cabang), payment.receipt_number, "dobel")
    with pytest.raises(Conflict):
        service.void_payment(db, actor_of(db, cabang), payment.receipt_number, "lagi")


def test_only_cabang_voids(db, duta, member):
    payment = make_payment(db, duta, member)
    with pytest.raises(Forbidden):
        service.void_payment(db, actor_of(db, duta), payment.receipt_number, "salah")


def test_void_is_audited(db, duta, cabang, member):
    payment = make_payment(db, duta, member)
    service.void_payment(db, actor_of(db, cabang), payment.receipt_number, "salah")
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "payment_voided")).one()
    assert entry.object_id == payment.receipt_number and entry.actor_id == cabang.id


def test_refund_due_payments_are_marked_refunded_by_cabang(db, duta, cabang, member, fixed_today):
    payment = make_payment(db, duta, member, months=2)
    service.mark_refund_due(db, None, member)
    db.commit()
    db.refresh(member)
    assert member.covered_until is None  # a refund-due payment covers nothing
    with pytest.raises(Forbidden):
        service.mark_refunded(db, actor_of(db, duta), payment.receipt_number)
    refunded = service.mark_refunded(db, actor_of(db, cabang), payment.receipt_number)
    assert refunded.status == "refunded" and refunded.refunded_by_id == cabang.id
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "payment_refunded")).one().actor_id == cabang.id
    with pytest.raises(Conflict):
        service.mark_refunded(db, actor_of(db, cabang), payment.receipt_number)


def test_a_valid_payment_cannot_be_marked_refunded(db, duta, cabang, member):
    payment = make_payment(db, duta, member)
    with pytest.raises(Conflict):
        service.mark_refunded(db, actor_of(db, cabang), payment.receipt_number)


def test_a_payment_cannot_be_dated_before_the_registration_day_in_wib(db, duta, fixed_today):
    # 18:00 UTC on 9 November is 01:00 WIB on 10 November: the registration day is the 10th.
    member = make_member(db, duta, status="approved", created_at=dt.datetime(2026, 11, 9, 18, 0, tzinfo=dt.UTC))
    with pytest.raises(Invalid) as refused:
        make_payment(db, duta, member, paid_on=D(2026, 11, 9))
    assert set(refused.value.errors) == {"paid_on"}
    assert "10/11/2026" in refused.value.errors["paid_on"]
    assert make_payment(db, duta, member, paid_on=D(2026, 11, 10)).paid_on == D(2026, 11, 10)


def test_a_payment_dated_before_the_first_rate_is_refused_on_the_date(db, duta, fixed_today):
    """No rate in force (NoRate) was a 500; the first rate in the tables is from July 2015."""
    member = make_member(db, duta, status="approved", created_at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(Invalid) as refused:
        make_payment(db, duta, member, paid_on=D(2015, 6, 30))
    assert set(refused.value.errors) == {"paid_on"}
    assert make_payment(db, duta, member, paid_on=D(2015, 7, 1)).monthly_amount > 0


def test_cover_is_paid_at_most_twelve_months_past_the_current_month(db, duta, fixed_today):
    """Today is 23 November 2026: cover may run to November 2027, no further."""
    member = make_member(db, duta, status="approved")
    make_payment(db, duta, member, months=12)  # November 2026 to October 2027
    with pytest.raises(Invalid) as refused:
        make_payment(db, duta, member, months=2)
    assert set(refused.value.errors) == {"months"}
    assert "November 2027" in refused.value.errors["months"]
    last = make_payment(db, duta, member, months=1)
    assert last.cover_to == D(2027, 11, 1)
    with pytest.raises(Invalid):
        make_payment(db, duta, member, months=1)


def test_the_cover_limit_counts_back_dated_payments_as_replayed(db, duta, fixed_today):
    """A back-dated payment moves the later ones: the limit is checked on the cover as it would be stored."""
    member = make_member(db, duta, status="approved")
    make_payment(db, duta, member, months=12)  # November 2026 to October 2027
    with pytest.raises(Invalid) as refused:  # October to December 2026 would push the year on to December 2027
        make_payment(db, duta, member, months=3, channel="bank", paid_on=D(2026, 10, 5))
    assert set(refused.value.errors) == {"months"}
    make_payment(db, duta, member, months=2, channel="bank", paid_on=D(2026, 10, 5))
    db.refresh(member)
    assert member.covered_until == D(2027, 11, 1)


def test_the_cover_limit_is_shown_beside_months_on_the_page(client, db, duta, fixed_today):
    from tests.factories import web_login

    member = make_member(db, duta, status="approved", covered_until=None)
    make_payment(db, duta, member, months=12)
    token = web_login(client, duta)
    response = client.post(
        f"/members/{member.id}/pay",
        data={"csrf_token": token, "months": "3", "channel": "tunai", "paid_on": "2026-11-23"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert 'id="months-error"' in response.text and "November 2027" in response.text
