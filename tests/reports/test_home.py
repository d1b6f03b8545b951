"""Home pages of wilayah, cabang and admin: key numbers of their own area and links onward."""

import re

from tests.factories import VILLAGE_A, make_user, web_login


def dd_after(html: str, label: str) -> str:
    match = re.search(re.escape(label) + r"</dt><dd>(?:<a [^>]*>)?([^<]*)", html)
    assert match, label
    return match.group(1)


def test_wilayah_home(client, world):
    web_login(client, world.wilayah)
    html = client.get("/").text
    assert dd_after(html, "Aktif") == "3"
    assert dd_after(html, "Desa diresmikan") == "1"
    assert "<progress" in html and 'href="/dashboard"' in html
    assert "/reports/members.xlsx?scope=region" in html
    assert 'style="' not in html


def test_cabang_home(client, world):
    web_login(client, world.cabang)
    html = client.get("/").text
    assert dd_after(html, "Menunggu persetujuan") == "2"
    assert dd_after(html, "Aktif") == "2"
    assert f"village%3A{VILLAGE_A}" in html  # programme villages link to their dashboards
    assert 'href="/approvals"' in html


def test_admin_home(client, db, world):
    web_login(client, make_user(db, "admin"))
    html = client.get("/").text
    assert dd_after(html, "Peserta") == "7"
    assert 'href="/users"' in html


def test_duta_home_counts_still_render(client, world):
    web_login(client, world.duta_a)
    response = client.get("/")
    assert response.status_code == 200
    assert "Aktif" in response.text


def test_greeting_names_the_person_not_the_account(client, db, world):
    """Every home greets with the user's full name; an account without one falls back to its username."""
    for user in (world.duta_a, world.cabang, world.wilayah, make_user(db, "admin")):
        web_login(client, user)
        html = client.get("/").text
        assert f"Selamat datang, {user.full_name}" in html, user.role
        assert f"Selamat datang, {user.username}" not in html
    nameless = make_user(db, "admin")
    nameless.full_name = ""
    db.add(nameless)
    db.commit()
    web_login(client, nameless)
    assert f"Selamat datang, {nameless.username}" in client.get("/").text
