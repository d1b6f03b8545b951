"""The PMI pages: the form refused beside its fields with what was typed, then the worker's page with
the phases of cover, and the list."""

from app.core.clock import today
from tests.factories import csrf_from, web_login
from tests.pmi.conftest import body


def test_register_through_the_form(client, db, people):
    web_login(client, people["duta"])
    assert "/pmi/new" in client.get("/pmi").text
    page = client.get("/pmi/new").text
    csrf = csrf_from(page)
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    assert 'name="contract_months" value="24"' in page  # the usual contract, ready to change
    typed = {**body(), "contract_months": "24", "csrf_token": csrf, "idempotency_key": key}
    refused = client.post("/pmi/new", data={**typed, "passport_number": "C-12", "destination": ""})
    assert refused.status_code == 422
    assert 'id="passport_number-error"' in refused.text and 'id="destination-error"' in refused.text
    assert 'value="C-12"' in refused.text and "PT Jaya Abadi Mandiri" in refused.text
    done = client.post("/pmi/new", data=typed, follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "Malaysia" in shown and "Rp370.000" in shown and "Sebelum penempatan" in shown
    assert f"PMI-{today().year}-" in shown
    again = client.post("/pmi/new", data=typed, follow_redirects=False)  # a double tap: the same worker
    assert again.headers["location"] == done.headers["location"]
    assert "Rina Sitompul" in client.get("/pmi").text
    # Another request for a worker still covered: said beside the NIK, with what was typed.
    twice = client.post("/pmi/new", data={**typed, "idempotency_key": "another-key"})
    assert twice.status_code == 409 and 'id="nik-error"' in twice.text and "PT Jaya Abadi Mandiri" in twice.text
