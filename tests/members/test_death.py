"""A member's death: recorded (by the village's duta or the branch officer) with its day, audited, never
undone; no payment after it, and the member leaves the follow-up lists."""

import datetime as dt

import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.errors import Conflict
from app.followups import service as followups
from app.members.models import Member
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    DaysFromToday,
    actor_of,
    api_headers,
    csrf_from,
    make_branch,
    make_member,
    make_payment,
    make_user,
    resolve_days,
    web_login,
)
from tests.members.helpers import error_fields


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "other_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
        "wilayah": make_user(db, "wilayah"),
    }


@pytest.fixture
def member(db, people):
    # Lapsed long ago: on the duta's follow-up lists.
    return make_member(db, people["duta"], VILLAGE_A, status="approved", covered_until=dt.date(2025, 6, 1))


def _record(client, people, member, who="duta", **body):
    return client.post(f"/api/v1/members/{member.id}/death", json=body, headers=api_headers(client, people[who]))


def _followed(db, people, member) -> bool:
    duta = actor_of(db, people["duta"])
    return any(member.id in [row.member.id for row in listing.rows] for listing in followups.overview(db, duta))


def test_recorded_then_no_payment_and_off_the_follow_up_lists(client, db, people, member):
    assert _followed(db, people, member)
    day = today() - dt.timedelta(days=3)
    response = _record(client, people, member, died_on=day.isoformat(), note="Kecelakaan di laut")
    assert response.status_code == 200, response.text
    assert response.json()["died_on"] == day.isoformat() and response.json()["status"] == "approved"
    db.expire_all()
    assert db.get(Member, member.id).died_on == day
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "member_died")).one()
    assert entry.object_id == str(member.id) and day.isoformat() in entry.detail
    with pytest.raises(Conflict) as refused:
        make_payment(db, people["duta"], db.get(Member, member.id))
    assert "meninggal" in refused.value.message
    assert not _followed(db, people, member)
    assert _record(client, people, member, died_on=day.isoformat()).status_code == 409  # never twice


def test_the_cover_ends_with_the_month_of_death(client, db, people):
    member = make_member(db, people["duta"], VILLAGE_A, status="approved")
    make_payment(db, people["duta"], member, months=12, paid_on=today())
    assert _record(client, people, member, died_on=today().isoformat()).status_code == 200
    body = client.get(f"/api/v1/members/{member.id}", headers=api_headers(client, people["cabang"])).json()
    assert body["covered_until"] == f"{today():%Y-%m}" and body["cover_status"] == "jatuh_tempo"


def test_the_branch_officer_may_record_it_too(client, db, people, member):
    assert _record(client, people, member, who="cabang", died_on=today().isoformat()).status_code == 200


@pytest.mark.parametrize("died_on", [None, "kemarin", DaysFromToday(1), "1980-01-01"])
def test_the_day_is_checked(client, db, people, member, died_on):
    response = _record(client, people, member, **resolve_days({"died_on": died_on}))
    assert response.status_code == 422 and "died_on" in error_fields(response)
    db.refresh(member)
    assert member.died_on is None


def test_roles_scope_and_status(client, db, people, member):
    day = today().isoformat()
    assert _record(client, people, member, who="other_duta", died_on=day).status_code == 404
    assert _record(client, people, member, who="wilayah", died_on=day).status_code == 403
    submitted = make_member(db, people["duta"], VILLAGE_A, status="submitted")
    assert _record(client, people, submitted, died_on=day).status_code == 409


def test_page_records_it_and_the_member_page_says_so(client, db, people, member):
    web_login(client, people["duta"])
    page = client.get(f"/members/{member.id}")
    assert f"/members/{member.id}/death" in page.text and f"/members/{member.id}/pay" in page.text
    form = client.get(f"/members/{member.id}/death")
    csrf = csrf_from(form.text)
    refused = client.post(f"/members/{member.id}/death", data={"csrf_token": csrf, "died_on": ""})
    assert refused.status_code == 422 and 'id="died_on-error"' in refused.text
    done = client.post(
        f"/members/{member.id}/death",
        data={"csrf_token": csrf, "died_on": today().isoformat()},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/members/{member.id}").text
    assert "Meninggal pada" in page
    assert f"/members/{member.id}/death" not in page and f"/members/{member.id}/pay" not in page
