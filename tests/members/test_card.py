"""The member card: shown within the member page's scope (404 outside it), as HTML, PDF and PNG, with a
QR code of a signed verification link; the public check shows the first name and initial, village,
status and covered until, never the NIK, phone or address; a revoked card's link says it is not valid,
a tampered one is not found."""

import base64
import datetime as dt
import html
import io
import re
from urllib.parse import unquote

import pytest
import segno
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import add_months, month_start, today
from app.members.card import MAX_TOKEN
from app.members.card_documents import MARGIN, QR_SIZE
from app.members.payment_code import grouped, payment_code
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    make_branch,
    make_member,
    make_payment,
    make_user,
    web_login,
)


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,)),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "wilayah": make_user(db, "wilayah"),
        "other_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,)),
    }


@pytest.fixture
def member(db, people):
    return make_member(
        db,
        people["duta"],
        VILLAGE_A,
        status="approved",
        full_name="Siti Aminah Lubis",
        phone="+6281299887766",
        address="Jl. Kenanga Gang Mawar No. 17",
        covered_until=add_months(month_start(today()), 2),
        jht=True,
    )


def _verify_url(page: str) -> str:
    return html.unescape(re.search(r'<a href="(http://testserver/v/[^"]+)"', page).group(1))


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def _card_page(client, member) -> str:
    response = client.get(f"/members/{member.id}/card")
    assert response.status_code == 200, response.text
    return response.text


def test_the_card_shows_what_the_worker_holds(client, db, people, member):
    web_login(client, people["duta"])
    page = _card_page(client, member)
    for expected in (
        "Siti Aminah Lubis",
        member.nik[:4] + "********" + member.nik[-4:],  # masked even for the duta, who may see it whole
        "KPJ menunggu",  # never the internal number as the KPJ
        "JKK, JKM, JHT",
        "Aktif",
        grouped(payment_code(member)),
        "Medan Senembah",
        "<svg",
    ):
        assert expected in page
    assert member.nik not in page and member.member_number not in page
    # The member page links to it and shows the payment code.
    shown = client.get(f"/members/{member.id}").text
    assert f'href="/members/{member.id}/card"' in shown and grouped(payment_code(member)) in shown


def test_the_kpj_once_recorded(client, db, people, member):
    member.kpj = "12345678901"
    db.add(member)
    db.commit()
    web_login(client, people["wilayah"])  # the region reads cards too
    page = _card_page(client, member)
    assert "12345678901" in page and "KPJ menunggu" not in page


def test_the_qr_code_holds_the_verification_link(client, people, member):
    web_login(client, people["duta"])
    page = _card_page(client, member)
    url = _verify_url(page)
    token = url.rsplit("/", 1)[1]
    assert len(token) <= 48  # short: a small code for a cheap phone's camera
    expected = segno.make(url, error="m", micro=False)
    assert expected.version <= 5
    shown = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', page).group(1)
    assert shown == re.search(r' d="([^"]+)"', expected.svg_inline(border=4)).group(1)
    assert client.get(_path(url)).status_code == 200


def test_outside_the_area_the_card_is_not_found(client, db, people, member):
    web_login(client, people["other_duta"])
    for suffix in ("card", "card.pdf", "card.png"):
        assert client.get(f"/members/{member.id}/{suffix}").status_code == 404
    assert client.get("/members/2147483647/card").status_code == 404
    headers = api_headers(client, people["other_duta"])
    assert client.get(f"/api/v1/members/{member.id}/card", headers=headers).status_code == 404
    response = client.post(f"/api/v1/members/{member.id}/card/revoke", json={"reason": "Hilang"}, headers=headers)
    assert response.status_code == 404


def test_no_card_before_approval(client, db, people):
    waiting = make_member(db, people["duta"], VILLAGE_A, status="submitted")
    web_login(client, people["duta"])
    response = client.get(f"/members/{waiting.id}/card")
    assert response.status_code == 409 and "setelah pendaftaran disetujui" in response.text
    assert f"/members/{waiting.id}/card" not in client.get(f"/members/{waiting.id}").text


def test_the_public_check_says_little(client, db, people, member):
    web_login(client, people["duta"])
    url = _verify_url(_card_page(client, member))
    client.cookies.clear()  # anyone: no login
    response = client.get(_path(url))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex' in response.text
    # What the page says (the head's asset versions are hashes that may hold any digits).
    page = response.text.split('<main id="main">', 1)[1]
    for expected in ("Siti L.", "Medan Senembah", "Aktif"):
        assert expected in page
    for secret in (
        member.nik,
        member.nik[:4],
        member.nik[-4:],
        "Aminah",
        "Lubis",
        "81299887766",
        "Kenanga",
        "Mawar",
        member.member_number,
        payment_code(member),
    ):
        assert secret not in page, secret


def test_a_tampered_or_overlong_token_is_not_found(client, people, member):
    web_login(client, people["duta"])
    token = _verify_url(_card_page(client, member)).rsplit("/", 1)[1]
    payload, signature = token.split(".")
    # Another member's id with this member's signature.
    forged = base64.urlsafe_b64encode(f"[{member.id + 1},1]".encode()).decode().rstrip("=") + "." + signature
    # A character inside the signature (the last one carries spare bits base64 ignores).
    other = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    for bad in (forged, f"{payload}.{other}", "x" * (MAX_TOKEN + 1), "abc"):
        response = client.get(f"/v/{bad}")
        assert response.status_code == 404, bad
        assert "Halaman tidak ditemukan" in response.text or "tidak sah" in response.text


def test_revoked_card_is_not_valid_and_a_new_one_is(client, db, people, member):
    csrf = web_login(client, people["duta"])
    old = _verify_url(_card_page(client, member))
    refused = client.post(f"/members/{member.id}/card/revoke", data={"csrf_token": csrf, "reason": " "})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    assert client.get(_path(old)).status_code == 200 and "Siti L." in client.get(_path(old)).text  # nothing changed
    response = client.post(
        f"/members/{member.id}/card/revoke",
        data={"csrf_token": csrf, "reason": "Ponsel peserta hilang"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    revoked = client.get(_path(old))
    assert revoked.status_code == 200 and "Kartu tidak berlaku" in revoked.text and "Siti" not in revoked.text
    new = _verify_url(_card_page(client, member))
    assert new != old and "Siti L." in client.get(_path(new)).text
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "card_revoked")).one()
    assert entry.object_id == str(member.id) and "Ponsel peserta hilang" in entry.detail


def test_who_may_revoke(client, db, people, member):
    headers = api_headers(client, people["wilayah"])
    body = {"reason": "Kartu dipakai orang lain"}
    assert client.post(f"/api/v1/members/{member.id}/card/revoke", json=body, headers=headers).status_code == 403
    headers = api_headers(client, people["cabang"])
    before = client.get(f"/api/v1/members/{member.id}/card", headers=headers).json()
    response = client.post(f"/api/v1/members/{member.id}/card/revoke", json=body, headers=headers)
    assert response.status_code == 200 and response.json()["verify_url"] != before["verify_url"]
    assert "Kartu tidak berlaku" in client.get(_path(before["verify_url"])).text
    short = client.post(f"/api/v1/members/{member.id}/card/revoke", json={"reason": "x"}, headers=headers)
    assert short.status_code == 422 and short.json()["detail"][0]["loc"][-1] == "reason"


def test_a_death_ends_the_card(client, db, people, member):
    web_login(client, people["duta"])
    url = _verify_url(_card_page(client, member))
    member.died_on = today() - dt.timedelta(days=1)
    db.add(member)
    db.commit()
    assert "Kartu tidak berlaku" in client.get(_path(url)).text
    assert client.get(f"/members/{member.id}/card").status_code == 409


def test_the_api_card(client, db, people, member):
    headers = api_headers(client, people["duta"])
    body = client.get(f"/api/v1/members/{member.id}/card", headers=headers).json()
    assert body["kpj"] is None and body["programmes"] == ["JKK", "JKM", "JHT"]
    assert body["payment_code"] == payment_code(member) and body["cover_status"] == "aktif"
    assert body["nik"] != member.nik and body["village_name"] == "Medan Senembah"
    assert body["verify_url"].startswith("http://testserver/v/")
    assert unquote(body["share_url"].split("text=", 1)[1]).endswith(body["verify_url"])
    assert client.get(f"/api/v1/members/{member.id}", headers=headers).json()["payment_code"] == payment_code(member)


def test_the_pdf_and_the_png(client, db, people, member):
    web_login(client, people["duta"])
    response = client.get(f"/members/{member.id}/card.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    for expected in ("Siti Aminah Lubis", "KPJ menunggu", grouped(payment_code(member)), "Kartu peserta", "/v/"):
        assert expected in text, expected
    assert member.nik not in text
    response = client.get(f"/members/{member.id}/card.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "PNG" and picture.width == 720 and 900 <= picture.height <= 1600
    assert len(response.content) < 200_000


def test_the_whatsapp_link_carries_the_check_link(client, people, member):
    web_login(client, people["duta"])
    page = _card_page(client, member)
    link = html.unescape(re.search(r'href="(https://wa\.me/\?text=[^"]+)"', page).group(1))
    message = unquote(link.split("text=", 1)[1])
    assert _verify_url(page) in message and grouped(payment_code(member)) in message
    assert member.nik not in message and "Lubis" not in message


def test_the_receipt_shows_the_payment_code(client, db, people, member):
    payment = make_payment(db, people["duta"], member)
    web_login(client, people["duta"])
    code = grouped(payment_code(member))
    page = client.get(f"/receipts/{payment.receipt_number}").text
    assert code in page
    assert code in unquote(html.unescape(re.search(r'href="(https://wa\.me/[^"]+)"', page).group(1)))
    pdf = client.get(f"/receipts/{payment.receipt_number}.pdf")
    assert code in " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    waiting = make_member(db, people["duta"], VILLAGE_A, status="submitted")
    receipt = make_payment(db, people["duta"], waiting)
    assert "Kode bayar" not in client.get(f"/receipts/{receipt.receipt_number}").text


def test_the_picture_holds_the_same_qr_code(client, people, member):
    """Read back module by module: the picture's code is segno's code of the card's verification link."""
    web_login(client, people["duta"])
    url = _verify_url(_card_page(client, member))
    picture = Image.open(io.BytesIO(client.get(f"/members/{member.id}/card.png").content)).convert("L")
    expected = segno.make(url, error="m", micro=False)
    modules = [list(row) for row in expected.matrix_iter(scale=1, border=4)]
    scale = QR_SIZE // len(modules)
    left = (picture.width - scale * len(modules)) // 2
    top = picture.height - MARGIN - scale * len(modules)
    read = [
        [
            picture.getpixel((left + col * scale + scale // 2, top + row * scale + scale // 2)) < 128
            for col in range(len(line))
        ]
        for row, line in enumerate(modules)
    ]
    assert read == [[bool(module) for module in line] for line in modules]


def test_the_qr_code_points_to_the_public_address_when_set(client, people, member, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "public_url", "https://duta.example.id/")
    headers = api_headers(client, people["duta"])
    url = client.get(f"/api/v1/members/{member.id}/card", headers=headers).json()["verify_url"]
    assert url.startswith("https://duta.example.id/v/")
    assert client.get(url.removeprefix("https://duta.example.id")).status_code == 200
