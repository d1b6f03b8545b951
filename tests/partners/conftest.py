"""Fixtures for the partner tests: a partner serving Deli Serdang (12.07), its API client and token."""

import pytest

from app.auth import clients
from app.partners import service as partners
from tests.factories import VILLAGE_OTHER_BRANCH, actor_of, make_branch, make_member, make_user


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The request counts live in the process: each test starts with none."""
    clients.client_requests.clear()
    yield
    clients.client_requests.clear()


@pytest.fixture
def wilayah(db):
    return make_user(db, "wilayah")


@pytest.fixture
def admin(db):
    return make_user(db, "admin")


@pytest.fixture
def partner(db, wilayah):
    return partners.create_partner(db, actor_of(db, wilayah), "koperasi", "Koperasi Maju Bersama", "0812", ["12.07"])


@pytest.fixture
def new_client(db, wilayah, partner):
    return partners.create_client(db, actor_of(db, wilayah), partner.id)


def token_of(client, client_id: str, secret: str):
    return client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


@pytest.fixture
def partner_headers(client, new_client):
    response = token_of(client, new_client.client.client_id, new_client.secret)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def member(db, duta):
    """An approved member of Deli Serdang: 16.800 a month."""
    return make_member(db, duta, status="approved", full_name="Budi Santoso")


@pytest.fixture
def far_member(db):
    """An approved member of Banda Aceh, outside the partner's regencies."""
    other = make_branch(db, regencies=("11.71",))
    far_duta = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code)
    return make_member(db, far_duta, VILLAGE_OTHER_BRANCH, status="approved")
