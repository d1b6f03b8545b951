"""A migrant worker lives in a village: outside its area (and not served by the actor's branch) the
registration does not exist (404)."""

from tests.factories import api_headers, web_login
from tests.pmi.conftest import body


def test_outside_the_area_a_registration_does_not_exist(client, db, people):
    created = client.post("/api/v1/pmi", json=body(), headers=api_headers(client, people["duta"])).json()
    for who in ("other_duta", "other_cabang"):
        assert client.get(f"/api/v1/pmi/{created['id']}", headers=api_headers(client, people[who])).status_code == 404
        # Registering into a village outside the area: the village is not found, beside its field.
        refused = client.post("/api/v1/pmi", json=body(), headers=api_headers(client, people[who]))
        assert refused.status_code == 422
    for who in ("cabang", "pmi_cabang", "wilayah"):  # the area's branch, the serving branch, the region
        assert client.get(f"/api/v1/pmi/{created['id']}", headers=api_headers(client, people[who])).status_code == 200
    web_login(client, people["other_cabang"])
    assert client.get(f"/pmi/{created['id']}").status_code == 404
    assert created["full_name"] not in client.get("/pmi").text
    web_login(client, people["pmi_cabang"])
    assert created["full_name"] in client.get("/pmi").text
