"""Scope of the approval queue: a branch sees only its villages; outside is 404; a duta gets 403."""

from tests.factories import VILLAGE_A, VILLAGE_OTHER_BRANCH, make_member, web_login


def test_branch_sees_only_its_villages(client, db, area):
    make_member(db, area.duta, full_name="Warga Deli Serdang")
    make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH, full_name="Warga Banda Aceh")
    web_login(client, area.cabang)
    text = client.get("/approvals").text
    assert "Warga Deli Serdang" in text and "Warga Banda Aceh" not in text
    assert "Kampung Baru" not in text  # not even in the village filter


def test_other_branch_sees_its_own(client, db, area):
    make_member(db, area.duta, full_name="Warga Deli Serdang")
    make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH, full_name="Warga Banda Aceh")
    web_login(client, area.other_cabang)
    text = client.get("/approvals").text
    assert "Warga Banda Aceh" in text and "Warga Deli Serdang" not in text


def test_another_branchs_registration_is_404(client, db, area):
    member = make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH)
    token = web_login(client, area.cabang)
    assert client.get(f"/approvals/{member.id}").status_code == 404
    assert client.post(f"/approvals/{member.id}/approve", data={"csrf_token": token}).status_code == 404
    assert (
        client.post(f"/approvals/{member.id}/reject", data={"csrf_token": token, "code": "incomplete"}).status_code
        == 404
    )
    assert client.post("/approvals/batch", data={"csrf_token": token, "member_id": [member.id]}).status_code == 404
    assert client.get("/approvals", params={"village": VILLAGE_OTHER_BRANCH}).status_code == 404


def test_duta_gets_403(client, db, area):
    member = make_member(db, area.duta)
    token = web_login(client, area.duta)
    assert client.get("/approvals").status_code == 403
    assert client.get(f"/approvals/{member.id}").status_code == 403
    assert client.post(f"/approvals/{member.id}/approve", data={"csrf_token": token}).status_code == 403
    # Another village's registration stays hidden from a duta: 404, not 403.
    other = make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH)
    assert client.get(f"/approvals/{other.id}").status_code == 404


def test_admin_gets_403(client, db, area):
    web_login(client, area.admin)
    assert client.get("/approvals").status_code == 403


def test_wilayah_reads_the_whole_region_without_deciding(client, db, area):
    inside = make_member(db, area.duta, full_name="Warga Deli Serdang")
    make_member(db, area.other_duta, village_code=VILLAGE_OTHER_BRANCH, full_name="Warga Banda Aceh")
    token = web_login(client, area.wilayah)
    text = client.get("/approvals").text
    assert "Warga Deli Serdang" in text and "Warga Banda Aceh" in text
    assert 'name="member_id"' not in text and "hx-post" not in text
    detail = client.get(f"/approvals/{inside.id}").text
    assert f'action="/approvals/{inside.id}/approve"' not in detail
    assert client.post(f"/approvals/{inside.id}/approve", data={"csrf_token": token}).status_code == 403


def test_not_logged_in_is_sent_to_login(client, db, area):
    response = client.get("/approvals", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_filter_village_in_scope(client, db, area):
    web_login(client, area.cabang)
    assert client.get("/approvals", params={"village": VILLAGE_A}).status_code == 200
