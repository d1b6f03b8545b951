"""The roster holds the duta's own villages only; other roles do not sync."""

import pytest

from tests.factories import VILLAGE_A, VILLAGE_B, api_headers, make_member, make_user, web_login


def test_a_duta_never_gets_another_villages_member(client, db, duta, duta_b):
    own = make_member(db, duta, VILLAGE_A, status="approved")
    make_member(db, duta_b, VILLAGE_B, status="approved")
    answer = client.get("/api/v1/roster", headers=api_headers(client, duta))
    assert answer.status_code == 200, answer.text
    assert [row[0] for row in answer.json()["members"]] == [own.id]
    web_login(client, duta)
    assert [row[0] for row in client.get("/roster/sync").json()["members"]] == [own.id]


@pytest.mark.parametrize("role", ["cabang", "wilayah", "admin"])
def test_only_a_duta_syncs_a_roster(client, db, branch, role):
    user = make_user(db, role, branch_code=branch.code if role == "cabang" else None)
    assert client.get("/api/v1/roster", headers=api_headers(client, user)).status_code == 403


def test_not_logged_in(client):
    assert client.get("/api/v1/roster").status_code == 401
    assert client.get("/roster/sync", follow_redirects=False).status_code == 303


def test_the_roster_shell_is_a_duta_page(client, db, duta):
    assert client.get("/roster", follow_redirects=False).status_code == 303
    web_login(client, duta)
    page = client.get("/roster")
    assert page.status_code == 200
    assert 'id="roster"' in page.text and 'data-offline="payment"' in page.text
    assert "Terima {amount} untuk 3 bulan" in page.text  # the pay button, the amount put in on the phone
