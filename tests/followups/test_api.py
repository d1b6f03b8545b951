"""GET /api/v1/followups: every list with its total and first page, or one list at a page."""

from app.core.clock import add_months, month_start, today
from tests.factories import api_headers, make_member

LISTS = {"due_this_month", "due_next_month", "lapsed_recent", "lapsed_long", "never_paid", "drafts", "rejected"}


def test_every_list_with_total_and_items(client, db, duta):
    this_month = month_start(today())
    member = make_member(
        db, duta, status="approved", covered_until=add_months(this_month, -5), member_number="26000000042"
    )
    lists = client.get("/api/v1/followups", headers=api_headers(client, duta)).json()["lists"]
    assert set(lists) == LISTS
    assert lists["lapsed_long"]["total"] == 1 and lists["drafts"] == {"total": 0, "items": []}
    (item,) = lists["lapsed_long"]["items"]
    assert item["id"] == member.id and item["member_number"] == "26000000042"
    assert item["cover_status"] == "nonaktif" and item["covered_until"] == f"{add_months(this_month, -5):%Y-%m}"
    assert item["nik"].count("*") == 8  # masked
    assert item["monthly_contribution"] == 16800 and item["last_contact"] is None
    assert item["whatsapp_url"].startswith("https://wa.me/") and item["sms_url"].startswith("sms:+")


def test_one_list_a_page_at_a_time(client, db, duta):
    for _ in range(21):
        make_member(db, duta, status="draft")
    headers = api_headers(client, duta)
    first = client.get("/api/v1/followups", params={"list": "drafts"}, headers=headers).json()["lists"]
    second = client.get("/api/v1/followups", params={"list": "drafts", "page": 2}, headers=headers).json()["lists"]
    assert set(first) == set(second) == {"drafts"}
    assert (
        first["drafts"]["total"] == 21 and len(first["drafts"]["items"]) == 20 and len(second["drafts"]["items"]) == 1
    )
    assert client.get("/api/v1/followups", params={"list": "semua"}, headers=headers).status_code == 422
    assert client.get("/api/v1/followups", params={"page": 10**30}, headers=headers).status_code == 422
