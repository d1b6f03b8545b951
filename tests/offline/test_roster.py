"""The roster sync: everything at first, then only what changed (each path that changes what the phone
shows), members who left, cursors checked, and the bytes on the wire."""

import datetime as dt
import json

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from app.core.audit import AuditEntry
from app.core.clock import add_months, month_start, today, utcnow
from app.dues.death import record_death
from app.dues.service import void_payment
from app.followups.service import record_contact
from app.members import identity
from app.members.models import Member
from app.members.service import submit
from app.offline import roster
from app.workflows.approvals import approve, reject
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    actor_of,
    api_headers,
    make_member,
    make_payment,
)

LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _age_all(db) -> None:
    """Every row last changed long ago, so that a sync after a change holds that change alone."""
    db.exec(update(Member).values(changed_at=LONG_AGO))  # type: ignore[call-overload]
    db.commit()


def _ids(result: roster.Roster) -> list[int]:
    return [row[0] for row in result.members]


def _field(result: roster.Roster, member_id: int, name: str):
    row = next(row for row in result.members if row[0] == member_id)
    return row[roster.FIELDS.index(name)]


@pytest.fixture
def village(db, duta):
    this_month = month_start(today())
    members = {
        "due": make_member(db, duta, VILLAGE_A, status="approved", covered_until=this_month),
        "other": make_member(db, duta, VILLAGE_A, status="approved", covered_until=add_months(this_month, 2)),
        "submitted": make_member(db, duta, VILLAGE_A, status="submitted"),
    }
    _age_all(db)
    return members


def _cursor_after_full(db, duta) -> str:
    first = roster.sync(db, actor_of(db, duta))
    assert first.full and first.removed == []
    return first.cursor


def test_first_sync_sends_every_member_with_what_the_phone_shows(db, duta, village):
    result = roster.sync(db, actor_of(db, duta))
    assert result.full
    assert _ids(result) == sorted(m.id for m in village.values())
    due = village["due"]
    row = dict(zip(roster.FIELDS, next(r for r in result.members if r[0] == due.id), strict=True))
    assert row["nik"] == due.nik[:4] + "********" + due.nik[12:]
    assert row["full_name"] == due.full_name
    assert row["member_number"] == due.member_number
    assert row["status"] == "approved" and row["cover_status"] == "jatuh_tempo"
    assert row["covered_until"] == f"{month_start(today()):%Y-%m}"
    assert row["monthly_contribution"] == 16_800
    assert row["phone"] == due.phone
    assert row["followup_list"] == "due_this_month"
    assert _field(result, village["other"].id, "followup_list") is None


def test_nothing_changed_nothing_sent(db, duta, village):
    cursor = _cursor_after_full(db, duta)
    again = roster.sync(db, actor_of(db, duta), cursor)
    assert not again.full and again.members == [] and again.removed == []


def test_a_payment_is_in_the_next_sync(db, duta, village):
    cursor = _cursor_after_full(db, duta)
    make_payment(db, duta, village["due"], months=3)
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [village["due"].id]
    # Cover is replayed from the payments: this month and the two after it.
    assert _field(result, village["due"].id, "covered_until") == f"{add_months(month_start(today()), 2):%Y-%m}"
    assert _field(result, village["due"].id, "followup_list") is None


def test_a_void_is_in_the_next_sync(db, duta, cabang, village):
    payment = make_payment(db, duta, village["due"], months=2)
    _age_all(db)
    cursor = _cursor_after_full(db, duta)
    void_payment(db, actor_of(db, cabang), payment.receipt_number, "Salah catat")
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [village["due"].id]
    assert _field(result, village["due"].id, "followup_list") == "never_paid"  # its only payment voided


def test_a_contact_is_in_the_next_sync(db, duta, village):
    cursor = _cursor_after_full(db, duta)
    record_contact(db, actor_of(db, duta), village["due"].id, "meninggal", note="Kata tetangga")
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [village["due"].id]
    assert _field(result, village["due"].id, "followup_list") is None  # off the lists


def test_a_decision_is_in_the_next_sync(db, duta, cabang, village):
    second = make_member(db, duta, VILLAGE_A, status="submitted")
    _age_all(db)
    cursor = _cursor_after_full(db, duta)
    approve(db, actor_of(db, cabang), village["submitted"].id)
    reject(db, actor_of(db, cabang), second.id, None, "Foto KTP buram, mohon ulangi")
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == sorted([village["submitted"].id, second.id])
    assert _field(result, village["submitted"].id, "status") == "approved"
    assert _field(result, village["submitted"].id, "member_number")
    assert _field(result, second.id, "followup_list") == "rejected"


def test_a_death_is_in_the_next_sync(db, duta, village):
    cursor = _cursor_after_full(db, duta)
    record_death(db, actor_of(db, duta), village["other"].id, today().isoformat())
    assert _ids(roster.sync(db, actor_of(db, duta), cursor)) == [village["other"].id]


def test_a_new_phone_number_is_in_the_next_sync(client, db, duta, village):
    cursor = _cursor_after_full(db, duta)
    answer = client.patch(
        f"/api/v1/members/{village['other'].id}", json={"phone": "081298765432"}, headers=api_headers(client, duta)
    )
    assert answer.status_code == 200, answer.text
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [village["other"].id]
    assert _field(result, village["other"].id, "phone") == "+6281298765432"


def test_a_new_registration_is_in_the_next_sync(db, duta, village):
    cursor = _cursor_after_full(db, duta)
    new = make_member(db, duta, VILLAGE_A, status="draft")
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [new.id]
    assert _field(result, new.id, "followup_list") == "drafts"


def test_a_member_moved_away_is_removed(client, db, duta, village, other_branch):
    cursor = _cursor_after_full(db, duta)
    moving = village["other"]
    asked = client.post(
        f"/api/v1/members/{moving.id}/moves",
        json={"village_code": VILLAGE_OTHER_BRANCH, "reason": "Ikut suami"},
        headers=api_headers(client, duta),
    )
    assert asked.status_code == 201, asked.text
    confirmed = client.post(
        f"/api/v1/moves/{asked.json()['id']}/confirm", headers=api_headers(client, other_branch["cabang"])
    )
    assert confirmed.status_code == 200, confirmed.text
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert result.members == [] and result.removed == [moving.id]
    # The new village's duta gets the member in its own roster.
    assert moving.id in _ids(roster.sync(db, actor_of(db, other_branch["duta"])))


def test_changes_just_before_the_cursor_are_sent_again(db, duta, village):
    """A transaction that stamped its row before the cursor but committed after the sync read is not missed."""
    cursor = roster.parse_cursor(_cursor_after_full(db, duta))
    assert cursor is not None
    late = cursor.at - dt.timedelta(minutes=1)
    db.exec(update(Member).where(col(Member.id) == village["other"].id).values(changed_at=late))  # type: ignore[call-overload]
    db.commit()
    assert _ids(roster.sync(db, actor_of(db, duta), str(cursor))) == [village["other"].id]


def test_a_new_month_or_new_villages_mean_a_full_sync(db, duta, village):
    cursor = roster.parse_cursor(_cursor_after_full(db, duta))
    assert cursor is not None
    last_month = roster.Cursor(add_months(cursor.month, -1), cursor.fingerprint, cursor.at)
    assert roster.sync(db, actor_of(db, duta), str(last_month)).full
    other_scope = roster.Cursor(cursor.month, "0" * 8, cursor.at)
    assert roster.sync(db, actor_of(db, duta), str(other_scope)).full
    too_old = roster.Cursor(cursor.month, cursor.fingerprint, utcnow() - dt.timedelta(days=40))
    assert roster.sync(db, actor_of(db, duta), str(too_old)).full


@pytest.mark.parametrize(
    "since",
    ["garbage", "2026-13.0123abcd.1", "2026-12.0123abcd.x", "2026-12.0123ABCD.1", "9" * 41],
)
def test_a_broken_cursor_is_refused_in_indonesian(client, db, duta, since):
    answer = client.get("/api/v1/roster", params={"since": since}, headers=api_headers(client, duta))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail[0]["loc"][-1] == "since"
    assert "tidak sah" in detail[0]["msg"].lower() or "sinkron" in detail[0]["msg"].lower(), detail


def test_bytes_on_the_wire_fit_the_budget(client, db, duta):
    """200 members: a tenth of the benchmark's village (bench/roster.py measures 2.000), within a tenth of
    its 150 KB; a day's changes (a dozen payments) within 5 KB."""
    members = [
        make_member(
            db,
            duta,
            VILLAGE_A,
            status="approved",
            covered_until=month_start(today()),
            full_name=f"Warga Nomor {n}",
            phone=f"+62812{n:08d}",
        )
        for n in range(200)
    ]
    _age_all(db)
    headers = {**api_headers(client, duta), "Accept-Encoding": "gzip"}
    first = client.get("/api/v1/roster", headers=headers)
    assert first.headers.get("content-encoding") == "gzip", "the roster must be compressed"
    assert int(first.headers["content-length"]) <= 15_000, first.headers["content-length"]
    for member in members[:12]:
        make_payment(db, duta, member, months=1)
    changes = client.get("/api/v1/roster", params={"since": first.json()["cursor"]}, headers=headers)
    assert len(json.loads(changes.content)["members"]) == 12
    wire = int(changes.headers["content-length"]) if changes.headers.get("content-encoding") else len(changes.content)
    assert wire <= 5_000, wire


def test_full_syncs_are_audited_and_changes_are_not(db, duta, village):
    def entries() -> list[str]:
        return list(
            db.exec(
                select(AuditEntry.detail).where(AuditEntry.action == "roster_synced", AuditEntry.actor_id == duta.id)
            ).all()
        )

    cursor = _cursor_after_full(db, duta)
    assert [json.loads(detail) for detail in entries()] == [{"members": 3}]
    roster.sync(db, actor_of(db, duta), cursor)
    assert len(entries()) == 1


def test_a_submitted_draft_is_in_the_next_sync(db, duta, village):
    draft = make_member(db, duta, VILLAGE_A, status="draft")
    _age_all(db)
    cursor = _cursor_after_full(db, duta)
    submit(db, actor_of(db, duta), draft.id)
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [draft.id]
    assert _field(result, draft.id, "status") == "submitted"
    assert _field(result, draft.id, "followup_list") is None  # no longer a draft to send


def test_an_identity_change_decided_is_in_the_next_sync(db, duta, cabang, village):
    asked = identity.request_change(
        db, actor_of(db, duta), village["other"].id, {"full_name": "Nama Yang Benar", "reason": "Salah ketik nama"}
    )
    _age_all(db)
    cursor = _cursor_after_full(db, duta)
    identity.approve(db, actor_of(db, cabang), asked.id)
    result = roster.sync(db, actor_of(db, duta), cursor)
    assert _ids(result) == [village["other"].id]
    assert _field(result, village["other"].id, "full_name") == "Nama Yang Benar"
