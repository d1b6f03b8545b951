"""The busiest endpoints (a registration, a payment) load the token's user in their own thread
(`api_actor_of`) instead of through `Depends(api_actor)`: they refuse the same tokens."""

import pytest
from sqlmodel import func, select

from app.dues.models import Payment
from app.members.models import Member
from tests.factories import VILLAGE_A, api_headers, make_member, make_user
from tests.members.helpers import payload


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def busy_requests(client, db):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    member = make_member(db, duta, status="approved")
    requests = {
        "registration": lambda headers: client.post("/api/v1/members", json=payload(), headers=headers),
        "payment": lambda headers: client.post(
            f"/api/v1/members/{member.id}/payments", json={"months": 1, "channel": "tunai"}, headers=headers
        ),
    }
    return duta, requests


@pytest.mark.parametrize("kind", ["registration", "payment"])
def test_a_deactivated_users_token_is_refused(client, db, busy_requests, kind):
    duta, requests = busy_requests
    headers = api_headers(client, duta)
    duta.is_active = False
    db.add(duta)
    db.commit()
    before = (_count(db, Member), _count(db, Payment))
    assert requests[kind](headers).status_code == 401
    assert (_count(db, Member), _count(db, Payment)) == before


@pytest.mark.parametrize("kind", ["registration", "payment"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_no_token_or_a_forged_one_is_refused(busy_requests, kind, headers):
    _duta, requests = busy_requests
    assert requests[kind](headers).status_code == 401


@pytest.mark.parametrize("kind", ["registration", "payment"])
def test_a_valid_token_is_taken(client, busy_requests, kind):
    duta, requests = busy_requests
    response = requests[kind](api_headers(client, duta))
    assert response.status_code == 201, response.text
