"""The approval pages: queue, one screen per registration, decisions by plain form (303) and by HTMX
(an empty partial that removes the row), approving several at once, and the duta's home list."""

import datetime as dt

from sqlmodel import select

from app.core.clock import today, utcnow
from app.members.models import Member, Occupation
from app.workflows import approvals
from tests.factories import VILLAGE_A, VILLAGE_B, make_member, make_payment, web_login

HTMX = {"HX-Request": "true"}


def _submitted(db, duta, hours_ago, **fields):
    member = make_member(db, duta, **fields)
    member.submitted_at = utcnow() - dt.timedelta(hours=hours_ago)
    db.add(member)
    db.commit()
    return member


def test_queue_oldest_first_with_village_and_wait(client, db, area):
    newer = _submitted(db, area.duta, 2, full_name="Baru Saja")
    older = _submitted(db, area.duta_b, 50, full_name="Sudah Lama", village_code=VILLAGE_B)
    make_member(db, area.duta, status="approved", member_number="99000000010", full_name="Sudah Disetujui")
    web_login(client, area.cabang)
    page = client.get("/approvals")
    assert page.status_code == 200
    text = page.text
    assert text.index("Sudah Lama") < text.index("Baru Saja")
    assert "Sudah Disetujui" not in text
    assert "Limau Manis" in text and "Medan Senembah" in text
    assert "menunggu 2 hari" in text  # 50 hours
    assert "menunggu 2 jam" in text
    # NIK masked in the list.
    assert older.nik not in text and older.nik[:4] + "********" + older.nik[12:] in text
    assert f'value="{newer.id}"' in text  # a checkbox per row


def test_a_possible_duplicate_in_the_queue_opens_its_decision_page(client, db, area):
    first = _submitted(db, area.duta, 3, full_name="Siti Aminah", birth_date=dt.date(1990, 5, 17), sex="P")
    namesake = _submitted(db, area.duta, 2, full_name="SITI AMINAH", birth_date=dt.date(1990, 5, 17), sex="P")
    plain = _submitted(db, area.duta, 1)
    web_login(client, area.cabang)
    text = client.get("/approvals").text
    for flagged in (first, namesake):
        assert f'href="/approvals/{flagged.id}">Putuskan</a>' in text
        assert f"/approvals/{flagged.id}/approve" not in text and f'value="{flagged.id}"' not in text
    assert f"/approvals/{plain.id}/approve" in text
    assert text.count("Mungkin ganda") == 2


def test_queue_filter_by_village(client, db, area):
    make_member(db, area.duta, full_name="Warga Desa A")
    make_member(db, area.duta_b, village_code=VILLAGE_B, full_name="Warga Desa B")
    web_login(client, area.cabang)
    page = client.get("/approvals", params={"village": VILLAGE_B})
    assert "Warga Desa B" in page.text and "Warga Desa A" not in page.text
    assert "Menunggu: 1" in page.text


def test_queue_pages(client, db, area):
    for i in range(27):
        _submitted(db, area.duta, 100 - i, full_name=f"Antre {i:02d}")
    web_login(client, area.cabang)
    first = client.get("/approvals")
    assert "Antre 00" in first.text and "Antre 26" not in first.text
    assert "Halaman 1 dari 2" in first.text
    second = client.get("/approvals", params={"page": 2})
    assert "Antre 26" in second.text and "Antre 00" not in second.text


def test_decision_page_has_everything_to_decide(client, db, area):
    born = dt.date(1980, 3, 9)
    member = make_member(db, area.duta, full_name="Budi Santoso", birth_date=born)
    twin = make_member(
        db, area.duta, full_name="budi santoso", birth_date=born, status="approved", member_number="99000000011"
    )
    make_member(db, area.duta_b, village_code=VILLAGE_B, full_name="Budi Santoso", birth_date=born)
    make_payment(db, area.duta, member)
    web_login(client, area.cabang)
    page = client.get(f"/approvals/{member.id}")
    assert page.status_code == 200
    text = page.text
    assert member.nik in text  # whole NIK on the registration's own screen
    assert "Kemungkinan ganda" in text and twin.nik[:4] + "********" in text
    assert text.count("Kemungkinan ganda") == 1  # the namesake in another village is not a duplicate
    assert f"usia {approvals.age_on(born, today())}" in text
    assert area.duta.username in text
    assert "Pendaftaran ganda" in text  # the list of common reasons
    assert "harus dikembalikan" in text  # payments would become refunds
    assert f"<dd>{Occupation(member.occupation).label}</dd>" in text  # by its label, not its code


def test_approve_by_plain_form_redirects_to_the_queue(client, db, area):
    member = make_member(db, area.duta, full_name="Siti Aminah")
    token = web_login(client, area.cabang)
    response = client.post(f"/approvals/{member.id}/approve", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/approvals"
    db.refresh(member)
    assert member.status == "approved"
    queue = client.get("/approvals")
    assert f"Siti Aminah disetujui; nomor peserta {member.member_number}" in queue.text
    # The message shows once.
    assert "Siti Aminah disetujui" not in client.get("/approvals").text


def test_approve_from_a_row_with_htmx_removes_the_row(client, db, area):
    member = make_member(db, area.duta, full_name="Row Satu")
    token = web_login(client, area.cabang)
    response = client.post(f"/approvals/{member.id}/approve", headers={**HTMX, "X-CSRF-Token": token})
    assert response.status_code == 200
    assert "<li" not in response.text  # outerHTML swap with nothing: the row goes
    assert 'hx-swap-oob="true"' in response.text and "Row Satu disetujui" in response.text
    # A second click (or a colleague's) also removes the row and says why.
    again = client.post(f"/approvals/{member.id}/approve", headers={**HTMX, "X-CSRF-Token": token})
    assert again.status_code == 200 and "sudah disetujui" in again.text


def test_the_row_targets_itself(client, db, area):
    member = make_member(db, area.duta)
    web_login(client, area.cabang)
    text = client.get("/approvals").text
    assert f'hx-post="/approvals/{member.id}/approve"' in text
    assert 'hx-target="closest li"' in text and 'hx-swap="outerHTML"' in text
    assert f'formaction="/approvals/{member.id}/approve"' in text  # works without JavaScript


def test_boosted_navigation_gets_the_whole_page(client, db, area):
    make_member(db, area.duta)
    web_login(client, area.cabang)
    page = client.get("/approvals", headers={**HTMX, "HX-Boosted": "true"})
    assert "<html" in page.text


def test_approve_several_at_once(client, db, area):
    members = [make_member(db, area.duta) for _ in range(3)]
    token = web_login(client, area.cabang)
    response = client.post(
        "/approvals/batch",
        data={
            "csrf_token": token,
            "member_id": [members[0].id, members[2].id],
            "back": f"/approvals?village={VILLAGE_A}",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/approvals?village={VILLAGE_A}"
    statuses = [db.get(Member, m.id, populate_existing=True).status for m in members]
    assert statuses == ["approved", "submitted", "approved"]
    assert "Pendaftaran disetujui: 2." in client.get("/approvals").text


def test_batch_with_nothing_chosen_says_so(client, db, area):
    make_member(db, area.duta)
    token = web_login(client, area.cabang)
    response = client.post("/approvals/batch", data={"csrf_token": token, "back": f"/approvals?village={VILLAGE_A}"})
    # The queue again, as it was filtered, with the message in its status line.
    assert response.status_code == 422
    assert 'id="queue-status" role="status" class="alert">Pilih paling sedikit satu pendaftaran' in response.text
    assert f'<option value="{VILLAGE_A}" selected>' in response.text


def test_back_never_leaves_the_queue(client, db, area):
    member = make_member(db, area.duta)
    token = web_login(client, area.cabang)
    response = client.post(
        f"/approvals/{member.id}/approve",
        data={"csrf_token": token, "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/approvals"


def test_reject_by_form_needs_a_reason(client, db, area):
    member = make_member(db, area.duta)
    token = web_login(client, area.cabang)
    response = client.post(f"/approvals/{member.id}/reject", data={"csrf_token": token, "note": "x"})
    assert response.status_code == 422
    assert "Tuliskan alasan penolakan" in response.text
    assert 'aria-invalid="true"' in response.text
    db.refresh(member)
    assert member.status == "submitted"
    hidden = client.post(
        f"/approvals/{member.id}/reject", data={"csrf_token": token, "note": "data\u202e tidak lengkap"}
    )
    assert hidden.status_code == 422 and 'id="reason-error"' in hidden.text and "karakter kontrol" in hidden.text
    response = client.post(
        f"/approvals/{member.id}/reject",
        data={"csrf_token": token, "code": "nik_mismatch", "note": "angka ke-7\r\nberbeda"},  # lines are fine
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(member)
    assert member.status == "rejected"
    assert member.rejection_reason == "NIK tidak sesuai dengan foto atau data KTP: angka ke-7 berbeda"


def test_decided_registration_has_no_buttons_and_409_on_post(client, db, area):
    member = make_member(db, area.duta, status="rejected", rejection_reason="Data tidak lengkap")
    token = web_login(client, area.cabang)
    page = client.get(f"/approvals/{member.id}")
    assert page.status_code == 200 and "Data tidak lengkap" in page.text
    assert f'action="/approvals/{member.id}/approve"' not in page.text
    response = client.post(f"/approvals/{member.id}/approve", data={"csrf_token": token})
    assert response.status_code == 409
    assert "sudah ditolak" in response.text


def test_forms_need_the_csrf_token(client, db, area):
    member = make_member(db, area.duta)
    web_login(client, area.cabang)
    assert client.post(f"/approvals/{member.id}/approve", data={}).status_code == 403
    assert client.post("/approvals/batch", data={"member_id": [member.id]}).status_code == 403
    db.refresh(member)
    assert member.status == "submitted"


def test_duta_home_lists_rejected_with_reasons(client, db, area):
    first = make_member(
        db,
        area.duta,
        full_name="Ditolak Dulu",
        status="rejected",
        rejection_reason="Data tidak lengkap",
        decided_at=utcnow() - dt.timedelta(days=2),
    )
    second = make_member(
        db,
        area.duta,
        full_name="Ditolak Baru",
        status="rejected",
        rejection_reason="Pendaftaran ganda",
        decided_at=utcnow(),
    )
    web_login(client, area.duta)
    text = client.get("/").text
    assert "Pendaftaran ditolak yang perlu diperbaiki" in text
    assert text.index("Ditolak Baru") < text.index("Ditolak Dulu")
    assert "Data tidak lengkap" in text and "Pendaftaran ganda" in text
    assert f'href="/members/{first.id}/edit"' in text and f'href="/members/{second.id}/edit"' in text


def test_duta_home_without_rejections_shows_no_list(client, db, area):
    web_login(client, area.duta)
    assert "Pendaftaran ditolak" not in client.get("/").text


def test_members_in_db_unchanged_by_viewing(client, db, area):
    member = make_member(db, area.duta)
    web_login(client, area.wilayah)
    assert client.get(f"/approvals/{member.id}").status_code == 200
    assert db.exec(select(Member.status).where(Member.id == member.id)).one() == "submitted"
