"""Follow-up stays inside one's villages: lists, contacts and visits of another village are not there (404)."""

from app.core.clock import month_start, today
from app.followups import service
from tests.factories import VILLAGE_A, VILLAGE_B, actor_of, api_headers, make_member, make_user, web_login


def test_duta_sees_only_their_village_and_cannot_note_a_contact_outside(client, db, duta, duta_b):
    this_month = month_start(today())
    own = make_member(db, duta, VILLAGE_A, status="approved", covered_until=this_month)
    other = make_member(db, duta_b, VILLAGE_B, status="approved", covered_until=this_month)
    actor = actor_of(db, duta)
    assert [r.member.id for r in service.listing(db, actor, service.FollowUpList.due_this_month).rows] == [own.id]
    headers = api_headers(client, duta)
    lists = client.get("/api/v1/followups", headers=headers).json()["lists"]
    assert [item["id"] for item in lists["due_this_month"]["items"]] == [own.id]
    assert (
        client.post(
            f"/api/v1/members/{other.id}/contacts", json={"outcome": "belum_mampu"}, headers=headers
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/members/{other.id}/contacts", headers=headers).status_code == 404
    web_login(client, duta)
    assert client.get(f"/members/{other.id}/contact").status_code == 404


def test_branch_officer_follows_the_branch_villages(client, db, duta, duta_b, cabang):
    this_month = month_start(today())
    make_member(db, duta, VILLAGE_A, status="approved", covered_until=this_month)
    make_member(db, duta_b, VILLAGE_B, status="approved", covered_until=this_month)
    lists = client.get("/api/v1/followups", headers=api_headers(client, cabang)).json()["lists"]
    assert lists["due_this_month"]["total"] == 2


def test_region_roles_are_not_given_follow_up_lists(client, db):
    wilayah = make_user(db, "wilayah")
    assert client.get("/api/v1/followups", headers=api_headers(client, wilayah)).status_code == 403
