"""The `/audit` page: same filters as the API, paged, newest first; wilayah and admin only."""

import pytest

from app.core import audit
from tests.factories import api_headers, web_login


def test_page_lists_and_filters(client, db, people):
    wilayah = people.actor(people.wilayah)
    audit.record(db, wilayah, "export", "village", "12.07.02.2001")
    audit.record(db, wilayah, "member_approved", "member", 5, member_number="26000000009")
    db.commit()
    web_login(client, people.wilayah)
    page = client.get("/audit")
    assert page.status_code == 200
    assert "Log audit" in page.text and "member:5" in page.text and "village:12.07.02.2001" in page.text
    filtered = client.get("/audit", params={"object": "member:5"})
    assert "26000000009" in filtered.text and "village:12.07.02.2001" not in filtered.text
    assert "Catatan: 1" in filtered.text


def test_malformed_filter_is_explained(client, db, people):
    web_login(client, people.admin)
    page = client.get("/audit", params={"object": "anggota dua belas"})
    assert page.status_code == 422
    assert "Tulis objek sebagai jenis:id" in page.text


@pytest.mark.parametrize("role", ["duta", "cabang"])
def test_others_get_403(client, db, people, role):
    web_login(client, getattr(people, role))
    assert client.get("/audit").status_code == 403


def test_actions_are_named_in_the_users_language_and_unknown_ones_refused(client, db, people):
    wilayah = people.actor(people.wilayah)
    audit.record(db, wilayah, "payment_voided", "payment", "KW-2026-000001", reason="salah catat")
    db.commit()
    web_login(client, people.wilayah)
    page = client.get("/audit", params={"action": "payment_voided"}, headers={"Accept-Language": "id"})
    assert "Iuran dibatalkan" in page.text and '<option value="payment_voided" selected>' in page.text
    with pytest.raises(ValueError):
        audit.record(db, wilayah, "payment.void", "payment", "KW-2026-000001")


def test_codes_in_the_details_are_shown_by_their_labels_and_the_api_keeps_the_codes(client, db, people):
    wilayah = people.actor(people.wilayah)
    audit.record(db, wilayah, "stage_changed", "village", "12.07.02.2001", **{"from": "calon", "to": "sosialisasi"})
    audit.record(db, wilayah, "user_created", "user", 7, username="cabang.baru", role="cabang")
    audit.record(db, wilayah, "member_updated", "member", 5, changes={"occupation": ["petani", "buruh_harian"]})
    db.commit()
    web_login(client, people.wilayah)
    page = client.get("/audit", headers={"Accept-Language": "id"}).text
    assert "Calon" in page and "Sosialisasi" in page and "Petugas kantor cabang" in page
    assert "Buruh harian" in page and "buruh_harian" not in page
    assert ">role:</small> cabang<" not in page
    api = client.get("/api/v1/audit", params={"object": "member:5"}, headers=api_headers(client, people.wilayah))
    assert api.json()["items"][0]["detail"]["changes"] == {"occupation": ["petani", "buruh_harian"]}
