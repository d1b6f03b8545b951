"""No input gives a 500: ids, pages, counts, amounts, search text and dates past their bounds answer
404 or 422 (pages: a 404 page for an id that cannot exist), as each role sees them."""

import pytest

from app.core.bounds import MAX_ROW_ID
from tests.factories import VILLAGE_A, api_headers, make_branch, make_member, make_user, web_login

HUGE = "99999999999999999999999"
HUGE_PAGE = "123181401624745931332567926046720"
LONG_TEXT = "a" * 60_000


@pytest.fixture
def users(db):
    branch = make_branch(db, regencies=("12.07",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "wilayah": make_user(db, "wilayah"),
    }


API_GETS = [
    f"/api/v1/members/{HUGE}",
    f"/api/v1/members/{MAX_ROW_ID + 1}",
    f"/api/v1/members/{HUGE}/payments",
    f"/api/v1/deposits/{HUGE}",
    f"/api/v1/events/{HUGE}",
    f"/api/v1/events?page={HUGE_PAGE}",
    f"/api/v1/villages?page={HUGE_PAGE}",
    f"/api/v1/members?page={HUGE_PAGE}",
    f"/api/v1/audit?page={HUGE_PAGE}",
    f"/api/v1/members?q={LONG_TEXT}",
    f"/api/v1/audit?object={LONG_TEXT}",
]
API_POSTS = [
    (f"/api/v1/members/{HUGE}/submit", None),
    (f"/api/v1/members/{HUGE}/approve", None),
    (f"/api/v1/members/{HUGE}/reject", {"code": "other", "note": "x"}),
    (f"/api/v1/members/{HUGE}/payments", {"months": 1, "channel": "tunai"}),
    (f"/api/v1/deposits/{HUGE}/confirm", {"bank_reference": "S-1"}),
    (f"/api/v1/deposits/{HUGE}/return", {"reason": "x"}),
]
PAGE_GETS = [
    f"/members/{HUGE}",
    f"/members/{HUGE}/edit",
    f"/members/{HUGE}/pay",
    f"/approvals/{HUGE}",
    f"/events/{HUGE}",
    f"/users/{HUGE}",
    f"/members?page={HUGE_PAGE}",
    f"/events?page={HUGE_PAGE}",
    f"/villages?page={HUGE_PAGE}",
    f"/approvals?page={HUGE_PAGE}",
    f"/audit?page={HUGE_PAGE}",
    f"/users?page={HUGE_PAGE}",
]
PAGE_POSTS = [
    f"/members/{HUGE}/submit",
    f"/members/{HUGE}/pay",
    f"/approvals/{HUGE}/approve",
    f"/approvals/{HUGE}/reject",
    f"/deposits/{HUGE}/confirm",
    f"/deposits/{HUGE}/return",
]


@pytest.mark.parametrize("role", ["duta", "cabang", "wilayah"])
def test_api_ids_and_pages_out_of_bounds_are_404_or_422(client, users, role):
    headers = api_headers(client, users[role])
    for url in API_GETS:
        response = client.get(url, headers=headers)
        assert response.status_code in (403, 404, 422), (url, response.status_code)
    for url, body in API_POSTS:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code in (403, 404, 422), (url, response.status_code)


@pytest.mark.parametrize("role", ["duta", "cabang", "wilayah"])
def test_page_ids_and_pages_out_of_bounds_are_a_404_page(client, users, role):
    token = web_login(client, users[role])
    for url in PAGE_GETS:
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), url
    for url in PAGE_POSTS:
        response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), url
    assert client.get(f"/members?q={LONG_TEXT}").status_code < 500


def test_an_id_out_of_bounds_on_a_page_is_not_found(client, users):
    web_login(client, users["duta"])
    response = client.get(f"/members/{HUGE}")
    assert response.status_code == 404 and "<html" in response.text


def _fields(response) -> set[str]:
    return {item["loc"][-1] for item in response.json()["detail"]}


def test_numbers_past_their_bounds_are_refused_beside_the_field(client, db, users):
    from tests.members.helpers import payload

    duta, wilayah = api_headers(client, users["duta"]), api_headers(client, users["wilayah"])
    income = client.post("/api/v1/members", json=payload(monthly_income=10**30), headers=duta)
    assert income.status_code == 422 and _fields(income) == {"monthly_income"}
    typed = client.post("/api/v1/members", json=payload(monthly_income="1" * 5000), headers=duta)
    assert typed.status_code == 422 and _fields(typed) == {"monthly_income"}
    event = {"kind": "sosialisasi", "title": "Uji", "date": "2026-11-01", "place": "Balai", "village_code": VILLAGE_A}
    attendance = client.post("/api/v1/events", json={**event, "attendance": 10**30}, headers=duta)
    assert attendance.status_code == 422 and _fields(attendance) == {"attendance"}
    target = {"year": 2026, "level": "region", "scope_code": "", "metric": "new_members", "value": 2**64}
    refused = client.put("/api/v1/targets", json=target, headers=wilayah)
    assert refused.status_code == 422 and _fields(refused) == {"value"}
    baseline = {"province_code": "12", "year": 2026, "workers": 2**64, "covered": 2**65}
    refused = client.put("/api/v1/targets/baselines", json=baseline, headers=wilayah)
    assert refused.status_code == 422 and "workers" in _fields(refused)


def test_a_payment_date_without_a_rate_is_refused_on_the_date(client, db, users):
    member = make_member(db, users["duta"], status="approved")
    response = client.post(
        f"/api/v1/members/{member.id}/payments",
        json={"months": 1, "channel": "tunai", "paid_on": "0001-01-01"},
        headers=api_headers(client, users["duta"]),
    )
    assert response.status_code == 422 and _fields(response) == {"paid_on"}
