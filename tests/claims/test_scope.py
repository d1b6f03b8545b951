"""Claims live in their member's area: outside it a claim and its member do not exist (404)."""

from app.core.clock import today
from tests.factories import VILLAGE_OTHER_BRANCH, api_headers, make_member, web_login


def test_outside_the_area_a_claim_does_not_exist(client, db, people, member):
    headers = api_headers(client, people["duta"])
    claim_id = client.post(
        f"/api/v1/members/{member.id}/claims",
        json={"kind": "kecelakaan_kerja", "incident_on": today().isoformat()},
        headers=headers,
    ).json()["id"]
    for who in ("other_duta", "other_cabang"):
        other = api_headers(client, people[who])
        assert client.get(f"/api/v1/claims/{claim_id}", headers=other).status_code == 404
        assert client.get(f"/api/v1/members/{member.id}/claims", headers=other).status_code == 404
        assert (
            client.post(
                f"/api/v1/claims/{claim_id}/status", json={"status": "berkas_lengkap"}, headers=other
            ).status_code
            == 404
        )
        body = {"kind": "kecelakaan_kerja", "incident_on": today().isoformat()}
        assert client.post(f"/api/v1/members/{member.id}/claims", json=body, headers=other).status_code == 404
    assert client.get(f"/api/v1/claims/{claim_id}", headers=api_headers(client, people["wilayah"])).status_code == 200
    web_login(client, people["other_cabang"])
    assert client.get(f"/claims/{claim_id}").status_code == 404
    assert str(member.full_name) not in client.get("/claims").text
    # Their own member's claims are theirs.
    theirs = make_member(db, people["other_duta"], VILLAGE_OTHER_BRANCH, status="approved")
    assert client.get(f"/members/{theirs.id}/claims/new").status_code == 200
