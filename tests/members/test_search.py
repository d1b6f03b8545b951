"""Searching members: by name, NIK (its start, or its last four digits), member number and mobile
number in any usual form; the page and the API use the same service, within the actor's villages."""

import re

import pytest

from app.core.clock import add_months, month_start, today
from app.core.templating import format_month
from app.members import service
from app.members.payment_code import grouped, payment_code
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    actor_of,
    api_headers,
    make_branch,
    make_member,
    make_user,
    valid_nik,
    web_login,
)


@pytest.fixture
def duta(db):
    return make_user(db, "duta", villages=(VILLAGE_A,))


@pytest.fixture
def people(db, duta):
    """Rudi (approved, numbered), Ani (submitted) and, outside the duta's villages, Eko with the same last
    four NIK digits and phone as Rudi."""
    other = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,))
    rudi = make_member(
        db,
        duta,
        VILLAGE_A,
        full_name="Rudi Hartono",
        status="approved",
        nik=valid_nik(serial=4321),
        phone="+6281234500001",
        member_number="26000000123",
        covered_until=add_months(month_start(today()), 2),
    )
    ani = make_member(db, duta, VILLAGE_A, full_name="Ani Lestari", nik=valid_nik(serial=1234), phone="+6285711122233")
    eko = make_member(
        db,
        other,
        VILLAGE_OTHER_BRANCH,
        full_name="Eko Outside",
        nik=valid_nik(region="117101", serial=4321),
        phone="+6281234500001",
    )
    return rudi, ani, eko


def names(db, duta, q: str) -> list[str]:
    items, _total = service.list_members(db, actor_of(db, duta), q=q)
    return sorted(m.full_name for m in items)


def test_last_four_nik_digits(db, duta, people):
    rudi, ani, _eko = people
    assert names(db, duta, "4321") == ["Rudi Hartono"]  # Eko matches too but is outside the villages
    assert names(db, duta, "1234") == ["Ani Lestari"]
    # Four digits are the end of the NIK, not its start (every NIK of the village starts alike).
    assert names(db, duta, rudi.nik[:4]) == []


def test_whole_or_start_of_nik(db, duta, people):
    rudi, ani, _eko = people
    assert names(db, duta, ani.nik) == ["Ani Lestari"]
    assert names(db, duta, f"{rudi.nik[:6]}.{rudi.nik[6:12]}") == ["Ani Lestari", "Rudi Hartono"]


def test_member_number_whole_or_start(db, duta, people):
    assert names(db, duta, "26000000123") == ["Rudi Hartono"]
    assert names(db, duta, "2600000") == ["Rudi Hartono"]
    assert names(db, duta, "27000000123") == []


def test_payment_code_as_printed(db, duta, people):
    rudi, _ani, _eko = people
    code = payment_code(rudi)
    assert names(db, duta, grouped(code)) == ["Rudi Hartono"]
    typo = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert names(db, duta, typo) == []  # a wrong check digit names nobody


@pytest.mark.parametrize(
    "typed", ["081234500001", "0812-3450-0001", "+62 812 3450 0001", "6281234500001", "81234500001"]
)
def test_phone_in_any_usual_form(db, duta, people, typed):
    assert names(db, duta, typed) == ["Rudi Hartono"]


def test_name_any_case_and_spacing(db, duta, people):
    assert names(db, duta, "  LESTARI ") == ["Ani Lestari"]
    assert names(db, duta, "rudi   hartono") == ["Rudi Hartono"]
    assert names(db, duta, "Eko") == []  # outside the villages


def test_region_sees_every_village(db, people):
    wilayah = make_user(db, "wilayah")
    assert names(db, wilayah, "4321") == ["Eko Outside", "Rudi Hartono"]
    assert names(db, wilayah, "0812 3450 0001") == ["Eko Outside", "Rudi Hartono"]


def test_branch_officer_sees_its_branch_only(db, people):
    cabang = make_user(db, "cabang", branch_code=make_branch(db).code)
    assert names(db, cabang, "4321") == ["Rudi Hartono"]


def test_page_and_api_search_alike(client, db, duta, people):
    headers = api_headers(client, duta)
    for q, expected in (
        ("4321", ["Rudi Hartono"]),
        ("0812-3450-0001", ["Rudi Hartono"]),
        ("26000000123", ["Rudi Hartono"]),
    ):
        api = client.get("/api/v1/members", params={"q": q}, headers=headers).json()
        assert sorted(item["full_name"] for item in api["items"]) == expected
    web_login(client, duta)
    page = client.get("/members", params={"q": "4321"}).text
    assert "Rudi Hartono" in page and "Ani Lestari" not in page and "Eko Outside" not in page


def row_of(html: str, member) -> str:
    return re.search(rf'<li>\s*<a href="/members/{member.id}">.*?</li>', html, re.S).group(0)


def test_list_rows(client, db, duta, people):
    """Name and masked NIK on their own lines, the KPJ (or that it is pending), covered until and a WhatsApp
    button."""
    rudi, ani, _eko = people
    draft = make_member(db, duta, VILLAGE_A, full_name="Dodi Draft", status="draft", phone="")
    web_login(client, duta)
    html = client.get("/members").text
    row = row_of(html, rudi)
    masked = f"{rudi.nik[:4]}********{rudi.nik[12:]}"
    assert re.search(rf'<strong>Rudi Hartono</strong>\s*<span class="nik">NIK {re.escape(masked)}</span>', row)
    assert "KPJ: KPJ menunggu" in row  # the app's own number is not the KPJ
    assert f"Terlindungi sampai: {format_month(rudi.covered_until)}" in row
    # The home page's reminder, naming the member and the monthly contribution.
    link = re.search(r'href="(https://wa\.me/6281234500001\?text=[^"]+)"', row).group(1)
    assert "Rudi%20Hartono" in link and "iuran%20bulanan" in link
    ani_row = row_of(html, ani)
    assert 'href="https://wa.me/6285711122233?text="' in ani_row  # not approved: a plain chat
    assert "Terlindungi sampai" not in ani_row and "KPJ" not in ani_row
    draft_row = row_of(html, draft)
    assert "wa.me" not in draft_row  # no number yet
