"""The phone pages with plain form posts (no JavaScript): register, re-render on errors, list, show, correct."""

import datetime as dt
import re

import pytest
from sqlmodel import func, select

from app.members.models import Member
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    actor_of,
    csrf_from,
    make_branch,
    make_member,
    make_payment,
    make_user,
    valid_nik,
    web_login,
)
from tests.members.helpers import form_data

HTMX = {"HX-Request": "true"}


@pytest.fixture
def duta(db):
    return make_user(db, "duta", villages=(VILLAGE_A,))


@pytest.fixture
def csrf(client, duta):
    return web_login(client, duta)


def count(db) -> int:
    return db.exec(select(func.count()).select_from(Member)).one()


def idempotency_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def test_form_has_fresh_key_empty_income_and_the_minimum(client, csrf):
    page = client.get("/members/new")
    assert page.status_code == 200
    assert len(idempotency_key(page.text)) == 36
    assert idempotency_key(client.get("/members/new").text) != idempotency_key(page.text)
    # Empty, so digits typed are the whole amount (typed after a prefilled 1000000 they made trillions).
    assert 'name="monthly_income" value=""' in page.text and "data-rupiah" in page.text
    assert "Iuran ditampilkan setelah penghasilan paling sedikit Rp1.000.000." in page.text
    assert 'hx-trigger="keyup changed delay:400ms"' in page.text
    assert '<select id="village_code"' not in page.text  # one village: no choice to make
    for name in (
        "nik",
        "full_name",
        "sex",
        "birth_date",
        "phone",
        "address",
        "occupation",
        "monthly_income",
        "jht",
        "heir_name",
        "heir_relation",
        "consent",
    ):
        assert f'name="{name}"' in page.text


def test_village_choice_only_with_several_villages(client, db):
    duta = make_user(db, "duta", villages=(VILLAGE_A, VILLAGE_B))
    web_login(client, duta)
    page = client.get("/members/new")
    assert '<select id="village_code"' in page.text and "Limau Manis" in page.text


def test_a_village_code_in_the_link_chooses_it_and_survives_a_mistake(client, db):
    duta = make_user(db, "duta", villages=(VILLAGE_A, VILLAGE_B))
    token = web_login(client, duta)
    page = client.get("/members/new", params={"village_code": VILLAGE_B})
    assert f'<option value="{VILLAGE_B}" selected>' in page.text
    assert f'<option value="{VILLAGE_A}" selected>' not in page.text
    refused = client.post("/members/new", data=form_data(token, key="k-v", nik="12", village_code=VILLAGE_B))
    assert refused.status_code == 422 and f'<option value="{VILLAGE_B}" selected>' in refused.text
    # Not one of the duta's villages: nothing is chosen.
    other = client.get("/members/new", params={"village_code": "11.71.01.2001"})
    assert " selected>" not in other.text.split('id="village_code"', 1)[1].split("</select>", 1)[0]


def test_valid_form_lands_on_the_member_page(client, db, csrf):
    data = form_data(csrf, key="k-1", jht=True)
    response = client.post("/members/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    member = db.exec(select(Member)).one()
    assert response.headers["location"] == f"/members/{member.id}"
    assert member.status == "submitted" and member.jht
    page = client.get(response.headers["location"])
    assert member.nik in page.text  # whole on the member's own page
    assert "Rp36.800" in page.text
    assert "Menunggu persetujuan" in page.text


def test_invalid_form_comes_back_with_messages_and_everything_typed(client, db, csrf):
    data = form_data(
        csrf,
        key="k-2",
        nik="1207025705",
        phone="021 555 1234",
        monthly_income="900000",
        full_name="Siti Typed Aminah",
        heir_relation="",
    )
    data.pop("consent")
    response = client.post("/members/new", data=data)
    assert response.status_code == 422
    html = response.text
    assert "NIK terdiri dari 16 digit; yang diisi 10 digit." in html
    assert 'id="nik-error"' in html and 'aria-invalid="true"' in html
    assert 'id="phone-error"' in html and 'id="monthly_income-error"' in html
    assert 'id="consent-error"' in html and 'id="heir_relation-error"' in html
    assert 'value="Siti Typed Aminah"' in html
    assert 'value="021 555 1234"' in html
    assert 'value="900000"' in html
    assert 'value="1207025705"' in html
    assert 'value="P" checked' in html
    assert idempotency_key(html) == "k-2"  # the retry keeps its key
    assert count(db) == 0


def test_grouped_income_is_read_and_its_contribution_shown_again_without_javascript(client, db, csrf):
    data = form_data(csrf, monthly_income="2.000.000", jht="1", full_name="")
    response = client.post("/members/new", data=data)
    assert response.status_code == 422 and 'id="full_name-error"' in response.text
    assert 'value="2.000.000"' in response.text and 'id="monthly_income-error"' not in response.text
    assert "Rp66.800" in response.text  # the contribution of Rp2.000.000 with JHT, shown again
    assert count(db) == 0


@pytest.mark.parametrize("income", ["10000001500000", "1.000.000.001"])
def test_income_above_a_billion_is_refused_beside_the_field(client, db, csrf, income):
    response = client.post("/members/new", data=form_data(csrf, monthly_income=income))
    assert response.status_code == 422
    error = re.search(r'id="monthly_income-error">([^<]*)<', response.text).group(1)
    assert error == "Penghasilan paling banyak Rp1.000.000.000."
    assert "Iuran per bulan" not in response.text  # no contribution for an income refused
    assert count(db) == 0


def test_income_of_exactly_a_billion_is_accepted(client, db, csrf):
    response = client.post("/members/new", data=form_data(csrf, monthly_income="1.000.000.000"), follow_redirects=False)
    assert response.status_code == 303
    assert db.exec(select(Member)).one().monthly_income == 1_000_000_000


def test_duplicate_nik_is_shown_beside_the_nik_field(client, db, csrf, duta):
    nik = valid_nik(dt.date(1990, 5, 17), "P")
    make_member(db, duta, VILLAGE_A, nik=nik, sex="P")
    response = client.post("/members/new", data=form_data(csrf, nik=nik))
    assert response.status_code == 409
    assert 'id="nik-error"' in response.text and "Medan Senembah" in response.text


def test_a_possible_duplicate_asks_the_duta_to_confirm_beside_a_checkbox(client, db, csrf, duta):
    make_member(db, duta, VILLAGE_A, full_name="SITI AMINAH", birth_date=dt.date(1990, 5, 17), sex="P")
    data = form_data(csrf, key="namesake", full_name="Siti Aminah", birth_date="1990-05-17", sex="P")
    refused = client.post("/members/new", data=data, follow_redirects=False)
    assert refused.status_code == 409
    assert 'id="confirm_not_duplicate-error"' in refused.text and 'name="confirm_not_duplicate"' in refused.text
    assert 'value="Siti Aminah"' in refused.text  # what was typed comes back
    assert count(db) == 1
    confirmed = client.post("/members/new", data={**data, "confirm_not_duplicate": "1"}, follow_redirects=False)
    assert confirmed.status_code == 303 and count(db) == 2


def test_double_submit_records_once(client, db, csrf):
    data = form_data(csrf, key="double-tap")
    first = client.post("/members/new", data=data, follow_redirects=False)
    second = client.post("/members/new", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count(db) == 1


def test_draft_with_little_data_then_finished_later(client, db, csrf):
    nik = valid_nik(dt.date(1988, 1, 9), "L")
    data = {
        "csrf_token": csrf,
        "idempotency_key": "draft-1",
        "nik": nik,
        "full_name": "Rudi",
        "consent": "1",
        "monthly_income": "1000000",
        "action": "draft",
    }
    response = client.post("/members/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    member = db.exec(select(Member)).one()
    assert member.status == "draft"
    assert (member.sex, member.birth_date) == ("L", dt.date(1988, 1, 9))  # read from the NIK
    page = client.get(f"/members/{member.id}")
    assert f'action="/members/{member.id}/submit"' in page.text
    # Submitting the incomplete draft explains what is missing.
    incomplete = client.post(f"/members/{member.id}/submit", data={"csrf_token": csrf})
    assert incomplete.status_code == 422
    assert "Isi nama ahli waris" in incomplete.text
    # The edit form finishes and submits it.
    edit = client.get(f"/members/{member.id}/edit")
    assert edit.status_code == 200 and f'value="{nik}"' in edit.text
    finished = form_data(csrf, nik=nik, sex="L", birth_date="1988-01-09", full_name="Rudi Hartono")
    finished["action"] = "submit"
    done = client.post(f"/members/{member.id}/edit", data=finished, follow_redirects=False)
    assert done.status_code == 303, done.text
    db.refresh(member)
    assert member.status == "submitted" and member.full_name == "Rudi Hartono"


def test_draft_still_needs_a_valid_nik_and_consent(client, db, csrf):
    data = {"csrf_token": csrf, "nik": "1234", "full_name": "Rudi", "action": "draft"}
    response = client.post("/members/new", data=data)
    assert response.status_code == 422
    assert 'id="nik-error"' in response.text and 'id="consent-error"' in response.text


def test_edit_of_a_submitted_member_is_not_offered(client, db, csrf, duta):
    member = make_member(db, duta, VILLAGE_A, status="submitted")
    assert "/edit" not in client.get(f"/members/{member.id}").text
    assert client.get(f"/members/{member.id}/edit", follow_redirects=False).status_code == 303
    response = client.post(f"/members/{member.id}/edit", data=form_data(csrf, action="submit"))
    assert response.status_code == 409


def test_rejected_member_shows_reason_and_can_be_corrected(client, db, csrf, duta):
    member = make_member(db, duta, VILLAGE_A, status="rejected", rejection_reason="Foto KTP buram")
    page = client.get(f"/members/{member.id}")
    assert "Foto KTP buram" in page.text and f"/members/{member.id}/edit" in page.text


def test_nik_check_partial_reports_length_date_and_sex(client, csrf):
    short = client.post("/members/nik-check", data={"nik": "12070257"}, headers={**HTMX, "X-CSRF-Token": csrf})
    assert short.status_code == 200 and "<html" not in short.text
    assert "yang diisi 8 digit" in short.text
    bad_date = client.post("/members/nik-check", data={"nik": "1207023213900003"}, headers={"X-CSRF-Token": csrf})
    assert "bukan tanggal lahir" in bad_date.text
    wrong_sex = client.post(
        "/members/nik-check", data={"nik": "1207025705900003", "sex": "L"}, headers={"X-CSRF-Token": csrf}
    )
    assert "milik perempuan" in wrong_sex.text
    fine = client.post(
        "/members/nik-check",
        data={"nik": "1207025705900003", "sex": "P", "birth_date": "1990-05-17"},
        headers={"X-CSRF-Token": csrf},
    )
    assert "17/05/1990" in fine.text and "Perempuan" in fine.text


def test_contribution_partial_follows_income_jht_and_occupation(client, csrf):
    headers = {**HTMX, "X-CSRF-Token": csrf}
    base = client.post("/members/contribution", data={"monthly_income": "1.000.000"}, headers=headers)
    assert "Rp16.800" in base.text and "<html" not in base.text
    with_jht = client.post("/members/contribution", data={"monthly_income": "2000000", "jht": "1"}, headers=headers)
    assert "Rp66.800" in with_jht.text  # 20.000 + 6.800 + 40.000
    too_low = client.post("/members/contribution", data={"monthly_income": "500000"}, headers=headers)
    assert "Rp1.000.000" in too_low.text


def test_member_page_shows_duplicate_warning(client, db, csrf, duta):
    make_member(db, duta, VILLAGE_A, full_name="Ani", birth_date=dt.date(1990, 5, 17), sex="P")
    second = make_member(db, duta, VILLAGE_A, full_name="ani", birth_date=dt.date(1990, 5, 17), sex="P")
    assert "Mungkin ganda" in client.get(f"/members/{second.id}").text


def test_member_page_offers_a_payment_and_lists_the_latest_ones(client, db, csrf, duta):
    from app.dues.service import void_payment

    member = make_member(db, duta, VILLAGE_A, full_name="Rudi Hartono")  # submitted: payable already
    page = client.get(f"/members/{member.id}").text
    assert f'href="/members/{member.id}/pay">Catat pembayaran</a>' in page
    assert "Pembayaran terakhir" not in page
    receipts = [make_payment(db, duta, member).receipt_number for _ in range(13)]
    cabang = make_user(db, "cabang", branch_code=make_branch(db, regencies=("12.07",)).code)
    void_payment(db, actor_of(db, cabang), receipts[-1], "salah hitung")
    page = client.get(f"/members/{member.id}").text
    assert "Pembayaran terakhir" in page
    shown = re.findall(r'href="/receipts/([^"]+)"', page)
    assert shown == receipts[:0:-1]  # the latest twelve, latest first; the first one is left off
    latest = page[page.index(f'href="/receipts/{receipts[-1]}"') : page.index(f'href="/receipts/{receipts[-2]}"')]
    assert "dibatalkan" in latest and "Rp16.800" in latest


def test_member_page_offers_no_payment_to_whom_may_not_record_one(client, db, csrf, duta):
    draft = make_member(db, duta, VILLAGE_A, full_name="Ani Lestari", status="draft")
    assert f"/members/{draft.id}/pay" not in client.get(f"/members/{draft.id}").text
    approved = make_member(db, duta, VILLAGE_A, full_name="Rudi Hartono", status="approved")
    receipt = make_payment(db, duta, approved).receipt_number
    web_login(client, make_user(db, "wilayah"))
    page = client.get(f"/members/{approved.id}").text
    assert f"/members/{approved.id}/pay" not in page and "Catat pembayaran" not in page
    assert f'href="/receipts/{receipt}"' in page  # the region office still sees what was paid


def test_list_masks_nik_searches_and_updates_by_htmx(client, db, csrf, duta):
    rudi = make_member(db, duta, VILLAGE_A, full_name="Rudi Hartono")
    ani = make_member(db, duta, VILLAGE_A, full_name="Ani Lestari", status="draft")
    page = client.get("/members")
    assert page.status_code == 200
    assert rudi.nik not in page.text and f"{rudi.nik[:4]}********{rudi.nik[12:]}" in page.text
    assert page.text.index("Ani Lestari") < page.text.index("Rudi Hartono")  # newest first
    found = client.get("/members", params={"q": "hartono"})
    assert "Rudi Hartono" in found.text and "Ani Lestari" not in found.text
    by_nik = client.get("/members", params={"q": ani.nik[:16]})
    assert "Ani Lestari" in by_nik.text and "Rudi Hartono" not in by_nik.text
    drafts = client.get("/members", params={"status": "draft"})
    assert "Ani Lestari" in drafts.text and "Rudi Hartono" not in drafts.text
    partial = client.get("/members", params={"q": "rudi"}, headers={**HTMX, "HX-Target": "member-list"})
    assert "<html" not in partial.text and "Rudi Hartono" in partial.text
    boosted = client.get("/members", headers={**HTMX, "HX-Boosted": "true", "HX-Target": "main"})
    assert "<html" in boosted.text


def test_list_filters_by_cover(client, db, csrf, duta):
    """The reminders' "show all" links: approved members by cover today, as the dashboards count them."""
    from app.core.clock import add_months, month_start, today

    this_month = month_start(today())
    make_member(db, duta, VILLAGE_A, full_name="Ani Due", status="approved", covered_until=this_month)
    make_member(
        db, duta, VILLAGE_A, full_name="Budi Lapsed", status="approved", covered_until=add_months(this_month, -2)
    )
    make_member(
        db, duta, VILLAGE_A, full_name="Cici Active", status="approved", covered_until=add_months(this_month, 3)
    )
    make_member(db, duta, VILLAGE_A, full_name="Dodi Submitted", status="submitted", covered_until=this_month)
    due = client.get("/members", params={"cover_status": "jatuh_tempo"}).text
    assert "Ani Due" in due and "Budi Lapsed" not in due and "Cici Active" not in due and "Dodi Submitted" not in due
    assert 'value="jatuh_tempo" selected' in due
    lapsed = client.get("/members", params={"cover_status": "nonaktif"}).text
    assert "Budi Lapsed" in lapsed and "Ani Due" not in lapsed and "Cici Active" not in lapsed
    assert "Cici Active" in client.get("/members", params={"cover_status": "unknown"}).text  # ignored


def test_list_pages_by_twenty(client, db, csrf, duta):
    for index in range(21):
        make_member(db, duta, VILLAGE_A, full_name=f"Warga {index:02d}")
    first = client.get("/members")
    assert "Warga 20" in first.text and "Warga 00" not in first.text
    assert "page=2" in first.text
    assert "Warga 00" in client.get("/members?page=2").text


def test_forms_need_the_csrf_token(client, db, csrf):
    data = form_data(csrf)
    data.pop("csrf_token")
    assert client.post("/members/new", data=data).status_code == 403
    assert count(db) == 0


def test_pages_need_login(client):
    response = client.get("/members/new", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_cabang_may_not_open_the_registration_form(client, db):
    from tests.factories import make_branch

    branch = make_branch(db, regencies=("12.07",))
    web_login(client, make_user(db, "cabang", branch_code=branch.code))
    assert client.get("/members/new").status_code == 403


def test_home_links_to_registration(client, csrf):
    assert 'href="/members/new"' in client.get("/").text


def test_csrf_from_member_pages(client, csrf):
    assert csrf_from(client.get("/members/new").text) == csrf
