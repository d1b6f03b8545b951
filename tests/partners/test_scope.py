"""Who reaches the partner pages (the regional office and the administrator only: 403 for the branch
officer and the duta), and a partner client's area (404 outside its regencies)."""

import pytest

from app.members.payment_code import payment_code
from tests.factories import VILLAGE_OTHER_BRANCH, make_user, web_login
from tests.members.helpers import payload


@pytest.fixture(params=["cabang", "duta"])
def outsider(request, db, branch):
    villages = ("12.07.02.2001",) if request.param == "duta" else ()
    return make_user(db, request.param, villages=villages, branch_code=branch.code)


def test_branch_officers_and_dutas_get_403_on_partner_pages(client, outsider, partner, new_client):
    csrf = web_login(client, outsider)
    for url in ("/partners", "/partners/new", f"/partners/{partner.id}"):
        assert client.get(url).status_code == 403, url
    for url in (
        "/partners/new",
        f"/partners/{partner.id}",
        f"/partners/{partner.id}/clients",
        f"/partners/{partner.id}/clients/{new_client.client.client_id}/revoke",
    ):
        assert client.post(url, data={"csrf_token": csrf}).status_code == 403, url


def test_an_unknown_partner_or_client_is_404(client, wilayah, partner):
    csrf = web_login(client, wilayah)
    assert client.get("/partners/999999").status_code == 404
    assert (
        client.post(f"/partners/{partner.id}/clients/mitra-none/rotate", data={"csrf_token": csrf}).status_code == 404
    )


def test_a_partner_client_sees_nothing_outside_its_regencies(client, far_member, partner_headers):
    body = {"code": payment_code(far_member), "months": 1, "amount": 16_800, "reference": "F-1"}
    assert client.post("/api/v1/partner/payments", json=body, headers=partner_headers).status_code == 404
    registering = client.post(
        "/api/v1/members", json=payload(village_code=VILLAGE_OTHER_BRANCH), headers=partner_headers
    )
    assert registering.status_code == 404
