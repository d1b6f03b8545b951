"""A partner's API clients: the client-credentials grant, revocation, rotation, what a token may do,
and the rate limit."""

import base64

from sqlmodel import select

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.config import get_settings
from app.partners import service as partners
from tests.factories import PASSWORD, VILLAGE_OTHER_BRANCH, actor_of, api_headers
from tests.members.helpers import payload
from tests.partners.conftest import token_of


def test_the_secret_gives_a_token_as_form_fields_or_http_basic(client, new_client):
    client_id, secret = new_client.client.client_id, new_client.secret
    assert token_of(client, client_id, secret).status_code == 200
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"


def test_the_secret_is_kept_hashed(db, new_client):
    assert new_client.secret not in new_client.client.secret_hash
    assert new_client.client.secret_hash.startswith("$argon2")


def test_a_wrong_secret_or_an_unknown_client_is_401_and_audited(client, db, new_client):
    assert token_of(client, new_client.client.client_id, "not-the-secret").status_code == 401
    assert token_of(client, "mitra-unknown", new_client.secret).status_code == 401
    failed = db.exec(select(AuditEntry).where(AuditEntry.action == "client_login_failed")).all()
    assert len(failed) == 2


def test_the_password_grant_still_works_and_a_client_account_cannot_use_it(client, db, wilayah, new_client):
    assert api_headers(client, wilayah)  # the users' grant, unchanged
    user = db.get(User, new_client.client.user_id)
    refused = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert refused.status_code == 401
    unknown = client.post("/api/v1/auth/token", data={"grant_type": "implicit"})
    assert unknown.status_code == 422


def test_a_revoked_client_and_its_token_are_refused(client, db, wilayah, partner, new_client, partner_headers):
    partners.revoke_client(db, actor_of(db, wilayah), partner.id, new_client.client.client_id)
    assert token_of(client, new_client.client.client_id, new_client.secret).status_code == 401
    assert client.post("/api/v1/members", json=payload(), headers=partner_headers).status_code == 401


def test_a_new_secret_replaces_the_old_one(client, db, wilayah, partner, new_client, partner_headers):
    rotated = partners.rotate_client(db, actor_of(db, wilayah), partner.id, new_client.client.client_id)
    assert rotated.secret != new_client.secret
    assert token_of(client, new_client.client.client_id, new_client.secret).status_code == 401
    assert client.post("/api/v1/members", json=payload(), headers=partner_headers).status_code == 401
    assert token_of(client, new_client.client.client_id, rotated.secret).status_code == 200


def test_the_token_registers_members_in_its_area_only(client, db, partner_headers):
    response = client.post("/api/v1/members", json=payload(), headers=partner_headers)
    assert response.status_code == 201, response.text
    far = client.post("/api/v1/members", json=payload(village_code=VILLAGE_OTHER_BRANCH), headers=partner_headers)
    assert far.status_code == 404


def test_every_other_api_is_403_for_a_partner_token(client, member, partner_headers):
    for method, url, body in (
        ("get", "/api/v1/members", None),
        ("get", "/api/v1/me", None),
        ("get", f"/api/v1/members/{member.id}", None),
        ("post", f"/api/v1/members/{member.id}/payments", {"months": 1, "channel": "bank", "reference": "X"}),
        ("get", "/api/v1/deposits", None),
    ):
        response = client.request(method, url, json=body, headers=partner_headers)
        assert response.status_code == 403, url


def test_a_users_token_cannot_record_a_partner_payment(client, duta, member):
    response = client.post(
        "/api/v1/partner/payments",
        json={"code": "000000000000", "months": 1, "amount": 16800, "reference": "R-1"},
        headers=api_headers(client, duta),
    )
    assert response.status_code == 403


def test_more_requests_than_the_limit_get_429_with_retry_after(client, monkeypatch, partner_headers):
    monkeypatch.setattr(get_settings(), "partner_requests_per_minute", 3)
    answers = [client.get("/api/v1/members", headers=partner_headers) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [403, 403, 403, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
