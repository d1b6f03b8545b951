"""The claim pages: reported from the member page, refused input beside its field with what was typed,
the claim's page with its documents and benefits, the branch officer's steps."""

import re

from app.core.clock import today
from tests.factories import csrf_from, make_payment, web_login


def test_report_then_follow_to_payment(client, db, people, member):
    make_payment(db, people["duta"], member, months=1, paid_on=today())
    web_login(client, people["duta"])
    page = client.get(f"/members/{member.id}").text
    assert f"/members/{member.id}/claims/new" in page
    form = client.get(f"/members/{member.id}/claims/new")
    csrf = csrf_from(form.text)
    refused = client.post(
        f"/members/{member.id}/claims", data={"csrf_token": csrf, "kind": "", "incident_on": "32/13/2026"}
    )
    assert refused.status_code == 422
    assert (
        'id="kind-error"' in refused.text and 'id="incident_on-error"' in refused.text and "32/13/2026" in refused.text
    )
    done = client.post(
        f"/members/{member.id}/claims",
        data={"csrf_token": csrf, "kind": "kecelakaan_kerja", "incident_on": today().isoformat()},
        follow_redirects=False,
    )
    assert done.status_code == 303
    claim_url = done.headers["location"]
    shown = client.get(claim_url).text
    assert "Terlindungi pada hari itu" in shown and "Formulir laporan kecelakaan kerja tahap I" in shown
    assert "claim-status" not in shown  # the duta follows, the branch officer decides

    web_login(client, people["cabang"])
    listing = client.get("/claims").text
    assert claim_url in listing
    shown = client.get(claim_url).text
    csrf = csrf_from(shown)
    claim_id = re.search(r"/claims/(\d+)", claim_url).group(1)
    for status in ("berkas_lengkap", "diajukan"):
        client.post(f"/claims/{claim_id}/status", data={"csrf_token": csrf, "status": status})
    refused = client.post(
        f"/claims/{claim_id}/status", data={"csrf_token": csrf, "status": "dibayar", "amount": "banyak"}
    )
    assert refused.status_code == 422 and 'id="amount-error"' in refused.text and 'value="banyak"' in refused.text
    paid = client.post(
        f"/claims/{claim_id}/status",
        data={"csrf_token": csrf, "status": "dibayar", "amount": "5.000.000"},
        follow_redirects=False,
    )
    assert paid.status_code == 303
    shown = client.get(claim_url).text
    assert "Rp5.000.000" in shown and "Dibayar" in shown
    assert claim_url not in client.get("/claims").text and claim_url in client.get("/claims?semua=true").text
