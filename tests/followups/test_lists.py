"""The follow-up lists: who is on which list, in what order, counted once, and who leaves them."""

import datetime as dt
from urllib.parse import unquote

import pytest

from app.core.clock import add_months, month_start, today
from app.followups import service
from app.followups.models import Contact
from tests.factories import VILLAGE_B, actor_of, make_member, make_payment


def this_month():
    """Asked when a test runs, not when the module is collected: a long run may cross midnight WIB."""
    return month_start(today())


@pytest.fixture
def village(db, duta):
    """One member per list, and some on none (active beyond next month, another village's)."""
    m = {
        "due_this_month": make_member(db, duta, status="approved", full_name="Ani", covered_until=this_month()),
        "due_next_month": make_member(
            db, duta, status="approved", full_name="Budi", covered_until=add_months(this_month(), 1)
        ),
        "lapsed_recent": make_member(
            db, duta, status="approved", full_name="Cici", covered_until=add_months(this_month(), -3)
        ),
        "lapsed_long": make_member(
            db, duta, status="approved", full_name="Dodi", covered_until=add_months(this_month(), -4)
        ),
        "never_paid": make_member(db, duta, status="approved", full_name="Eka"),
        "drafts": make_member(db, duta, status="draft", full_name="Fajar"),
        "rejected": make_member(db, duta, status="rejected", full_name="Gita"),
    }
    make_member(db, duta, status="approved", full_name="Hadi", covered_until=add_months(this_month(), 2))
    make_member(db, duta, status="submitted", full_name="Indra")
    make_member(db, duta, VILLAGE_B, status="approved", full_name="Joko", covered_until=this_month())
    return m


def test_each_member_on_its_list(db, duta, village):
    actor = actor_of(db, duta)
    assert service.counts(db, actor) == dict.fromkeys(village, 1)
    for name, member in village.items():
        listing = service.listing(db, actor, service.FollowUpList(name))
        assert [row.member.id for row in listing.rows] == [member.id], name
        assert listing.total == 1


def test_a_row_carries_the_contribution_and_links_to_write(db, duta):
    member = make_member(
        db, duta, status="approved", full_name="Ani", covered_until=add_months(this_month(), -1), phone="+6281311112222"
    )
    (row,) = service.listing(db, actor_of(db, duta), service.FollowUpList.lapsed_recent).rows
    assert row.member.id == member.id and row.monthly_amount == 16800
    assert row.whatsapp_url.startswith("https://wa.me/6281311112222?text=")
    assert row.sms_url.startswith("sms:+6281311112222?body=")
    message = unquote(row.sms_url.split("body=", 1)[1])
    assert "Yth. Bapak/Ibu Ani" in message and "Rp16.800" in message and "telah berakhir" in message


def test_lapsed_lists_put_the_latest_lapse_first_and_page(db, duta):
    members = [
        make_member(db, duta, status="approved", covered_until=add_months(this_month(), -months))
        for months in (9, 5, 7, 6, 8)
    ]
    actor = actor_of(db, duta)
    first = service.listing(db, actor, service.FollowUpList.lapsed_long, size=2)
    second = service.listing(db, actor, service.FollowUpList.lapsed_long, page=2, size=2)
    assert first.total == second.total == 5
    assert [r.member.id for r in first.rows + second.rows] == [members[i].id for i in (1, 3, 2)] + [members[4].id]


def test_moved_away_or_died_leaves_the_lists_a_later_contact_brings_back(db, duta):
    member = make_member(db, duta, status="approved", covered_until=add_months(this_month(), -6))
    actor = actor_of(db, duta)
    service.record_contact(db, actor, member.id, "pindah", note="Pindah ke Medan")
    assert service.counts(db, actor)["lapsed_long"] == 0
    service.record_contact(db, actor, member.id, "tidak_terhubung")
    assert service.counts(db, actor)["lapsed_long"] == 1


def test_a_payment_moves_the_member_off_never_paid(db, duta):
    member = make_member(db, duta, status="approved")
    actor = actor_of(db, duta)
    assert service.counts(db, actor)["never_paid"] == 1
    make_payment(db, duta, member)
    counts = service.counts(db, actor)
    assert counts["never_paid"] == 0 and counts["due_this_month"] == 1


def test_visits_of_the_day(db, duta):
    """A next contact or a promise due today or earlier; not once the member paid after the contact; only
    the last contact counts."""
    actor = actor_of(db, duta)
    day = today()
    planned = make_member(db, duta, status="approved", full_name="Planned", covered_until=add_months(this_month(), -2))
    promised = make_member(db, duta, status="approved", full_name="Promised")
    later = make_member(db, duta, status="approved", full_name="Later")
    paid = make_member(db, duta, status="approved", full_name="Paid since")
    replanned = make_member(db, duta, status="approved", full_name="Replanned")
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)

    def contact(member, outcome, **fields):
        db.add(Contact(member_id=member.id, outcome=outcome, recorded_by_id=duta.id, **fields))
        db.commit()

    contact(planned, "belum_mampu", next_contact_on=day - dt.timedelta(days=1), recorded_at=earlier)
    contact(promised, "janji_bayar", promised_on=day, recorded_at=earlier)
    contact(later, "janji_bayar", promised_on=day + dt.timedelta(days=3), recorded_at=earlier)
    contact(paid, "janji_bayar", promised_on=day, recorded_at=earlier)
    make_payment(db, duta, paid)
    contact(replanned, "tidak_terhubung", next_contact_on=day, recorded_at=earlier)
    contact(replanned, "belum_mampu", next_contact_on=day + dt.timedelta(days=7))
    rows = service.visits(db, actor)
    assert [row.member.full_name for row in rows] == ["Planned", "Promised"]
    assert rows[1].last_contact is not None and rows[1].last_contact.outcome == "janji_bayar"
