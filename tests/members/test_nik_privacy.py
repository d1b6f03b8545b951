"""The whole NIK is shown only to the duta of the member's village and the branch officer of its
branch; wilayah and admin see it masked, on the pages and in the API alike."""

import pytest

from app.auth.models import Role
from app.auth.service import actor_for
from app.members.privacy import may_see_full_nik
from tests.factories import VILLAGE_A, VILLAGE_B, api_headers, make_branch, make_member, make_user, web_login

MASKED_FORM = "********"


@pytest.fixture
def member(db):
    make_branch(db, "KC-NIK")
    duta = make_user(db, Role.duta.value, villages=(VILLAGE_A,))
    return make_member(db, duta, VILLAGE_A)


def _user(db, role):
    if role == "duta":
        return make_user(db, role, villages=(VILLAGE_A,))
    if role == "cabang":
        return make_user(db, role, branch_code="KC-NIK")
    return make_user(db, role)


@pytest.mark.parametrize(("role", "whole"), [("duta", True), ("cabang", True), ("wilayah", False), ("admin", False)])
def test_each_role_sees_the_nik_whole_or_masked_on_the_page_and_in_the_api(client, db, member, role, whole):
    user = _user(db, role)
    masked = member.nik[:4] + MASKED_FORM + member.nik[12:]
    expected = member.nik if whole else masked

    api = client.get(f"/api/v1/members/{member.id}", headers=api_headers(client, user))
    assert api.status_code == 200
    assert api.json()["nik"] == expected
    listed = client.get("/api/v1/members", headers=api_headers(client, user)).json()["items"]
    assert [item["nik"] for item in listed if item["id"] == member.id] == [masked]  # lists are always masked

    web_login(client, user)
    page = client.get(f"/members/{member.id}")
    assert page.status_code == 200
    assert expected in page.text
    if not whole:
        assert member.nik not in page.text


@pytest.mark.parametrize(("role", "whole"), [("cabang", True), ("wilayah", False)])
def test_the_approval_page_follows_the_same_rule(client, db, member, role, whole):
    web_login(client, _user(db, role))
    page = client.get(f"/approvals/{member.id}")
    assert page.status_code == 200
    assert (member.nik in page.text) is whole


def test_a_duta_of_another_village_or_a_cabang_of_another_branch_would_not_see_it(db, member):
    """The scope already hides such members (404); the rule does not lean on that."""
    other_duta = make_user(db, Role.duta.value, villages=(VILLAGE_B,))
    make_branch(db, "KC-OTHER", regencies=("11.71",))
    other_cabang = make_user(db, Role.cabang.value, branch_code="KC-OTHER")
    assert not may_see_full_nik(db, actor_for(db, other_duta), member)
    assert not may_see_full_nik(db, actor_for(db, other_cabang), member)
