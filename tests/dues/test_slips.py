"""Receipts and deposit slips tell the truth: a voided receipt says so (page, PDF, WhatsApp), a receipt of a
registration not yet approved says when cover starts, and the branch sees each receipt of a deposit before
confirming it while the duta gets a slip naming the branch's bank account."""

import html
import io
import re
from urllib.parse import unquote

from pypdf import PdfReader

from app.dues import deposits as dues_deposits
from app.dues import service
from tests.factories import actor_of, make_member, make_payment, web_login

ID = {"Accept-Language": "id"}


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (420, 595)  # A5 in points
    # pypdf may break a line anywhere: compare text with whitespace folded.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _whatsapp_message(page_text: str) -> str:
    link = re.search(r'href="(https://wa\.me/[^"]+)"', page_text).group(1)
    return unquote(html.unescape(link).split("text=", 1)[1])


def test_receipt_pdf_has_the_page_content(client, db, duta, member):
    payment = make_payment(db, duta, member, months=3)
    web_login(client, duta)
    page = client.get(f"/receipts/{payment.receipt_number}", headers=ID).text
    assert f'href="/receipts/{payment.receipt_number}.pdf"' in page
    text = _pdf_text(client.get(f"/receipts/{payment.receipt_number}.pdf", headers=ID))
    for expected in (
        payment.receipt_number,
        "Budi Santoso",
        "KPJ menunggu",
        "Rp50.400",
        "lima puluh ribu empat ratus rupiah",
        "3 bulan",
        "Tunai",
        "Uji duta",
    ):
        assert expected in text, expected
    assert "DIBATALKAN" not in text


def test_a_voided_receipt_says_so_on_page_pdf_and_whatsapp(client, db, duta, cabang, member):
    payment = make_payment(db, duta, member)
    web_login(client, duta)
    before = client.get(f"/receipts/{payment.receipt_number}", headers=ID).text
    assert "DIBATALKAN" not in before and "Kuitansi Iuran" in _whatsapp_message(before)
    service.void_payment(db, actor_of(db, cabang), payment.receipt_number, "salah catat")
    page = client.get(f"/receipts/{payment.receipt_number}", headers=ID).text
    assert page.index("DIBATALKAN") < page.index('id="receipt-title"')  # at the top
    message = _whatsapp_message(page)
    assert "DIBATALKAN" in message and payment.receipt_number in message and "salah catat" in message
    assert "tidak berlaku" in message and "Masa perlindungan" not in message  # not shared as valid
    text = _pdf_text(client.get(f"/receipts/{payment.receipt_number}.pdf", headers=ID))
    assert text.startswith("DIBATALKAN") and "salah catat" in text


def test_a_refund_due_receipt_is_cancelled_and_the_money_goes_back(client, db, duta, cabang):
    pending = make_member(db, duta, status="submitted", full_name="Sari Dewi")
    payment = make_payment(db, duta, pending)
    service.mark_refund_due(db, None, pending)
    db.commit()
    web_login(client, duta)
    message = _whatsapp_message(client.get(f"/receipts/{payment.receipt_number}", headers=ID).text)
    assert "DIBATALKAN" in message and "akan dikembalikan" in message


def test_a_receipt_before_approval_says_when_cover_starts(client, db, duta, member):
    pending = make_member(db, duta, status="submitted", full_name="Sari Dewi")
    payment = make_payment(db, duta, pending)
    approved = make_payment(db, duta, member)
    web_login(client, duta)
    page = html.unescape(client.get(f"/receipts/{payment.receipt_number}", headers=ID).text)
    assert "perlindungan berlaku setelah cabang menyetujuinya" in page and "uang ini dikembalikan" in page
    assert "perlindungan berlaku setelah cabang menyetujuinya" in _whatsapp_message(page)
    text = _pdf_text(client.get(f"/receipts/{payment.receipt_number}.pdf", headers=ID))
    assert "perlindungan berlaku setelah cabang menyetujuinya" in text
    other = html.unescape(client.get(f"/receipts/{approved.receipt_number}", headers=ID).text)
    assert "setelah cabang menyetujuinya" not in other and "setelah cabang menyetujuinya" not in _whatsapp_message(
        other
    )


def test_receipt_pdf_is_scoped_like_the_page(client, db, member, duta, other_duta):
    payment = make_payment(db, duta, member)
    web_login(client, other_duta)
    assert client.get(f"/receipts/{payment.receipt_number}.pdf").status_code == 404


def _with_account(branch, db):
    branch.bank_name, branch.bank_account_number, branch.bank_account_holder = (
        "Bank Uji Nusantara",
        "123-456-7890",
        "BPJS Ketenagakerjaan Cabang Uji",
    )
    db.add(branch)
    db.commit()


def test_duta_gets_a_deposit_slip_with_receipts_and_the_branch_account(client, db, branch, duta, member):
    _with_account(branch, db)
    a, b = make_payment(db, duta, member), make_payment(db, duta, member, months=2)
    token = web_login(client, duta)
    created = client.post(
        "/deposits",
        data={"csrf_token": token, "receipt_numbers": [a.receipt_number, b.receipt_number], "idempotency_key": "s1"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    slip_url = created.headers["location"]
    assert re.fullmatch(r"/deposits/\d+", slip_url)
    page = html.unescape(client.get(slip_url, headers=ID).text)
    for expected in (a.receipt_number, b.receipt_number, "Budi Santoso", "Rp16.800", "Rp33.600", "Rp50.400"):
        assert expected in page, expected
    assert "Bank Uji Nusantara" in page and "123-456-7890" in page and "BPJS Ketenagakerjaan Cabang Uji" in page
    assert 'action="' + slip_url + '/confirm"' not in page  # the duta does not confirm its own deposit
    text = _pdf_text(client.get(slip_url + ".pdf", headers=ID))
    for expected in (a.receipt_number, b.receipt_number, "Budi Santoso", "Rp50.400", "123-456-7890", "Bank Uji"):
        assert expected in text, expected


def test_slip_without_a_bank_account_says_to_ask_the_branch(client, db, duta, member):
    deposit = dues_deposits.create_deposit(
        db, actor_of(db, duta), [make_payment(db, duta, member).receipt_number]
    ).deposit
    web_login(client, duta)
    assert "Rekening kantor cabang belum tercatat" in client.get(f"/deposits/{deposit.id}", headers=ID).text


def test_branch_sees_each_receipt_and_the_total_before_confirming(client, db, duta, cabang, member):
    other = make_member(db, duta, status="approved", full_name="Rina Marpaung")
    a, b = make_payment(db, duta, member, months=3), make_payment(db, duta, other)
    deposit = dues_deposits.create_deposit(db, actor_of(db, duta), [a.receipt_number, b.receipt_number]).deposit
    web_login(client, cabang)
    page = html.unescape(client.get(f"/deposits/{deposit.id}", headers=ID).text)
    confirm = page.index(f'action="/deposits/{deposit.id}/confirm"')
    for expected in (a.receipt_number, "Budi Santoso", "Rina Marpaung", "Rp50.400", "Rp16.800", "Rp67.200"):
        assert page.index(expected) < confirm, expected  # shown before the form
    assert f'action="/deposits/{deposit.id}/return"' in page
    dues_deposits.confirm_deposit(db, actor_of(db, cabang), deposit.id, "SLIP-1")
    done = client.get(f"/deposits/{deposit.id}", headers=ID).text
    assert "/confirm" not in done and "SLIP-1" in done


def test_deposit_pages_are_scoped(client, db, duta, duta_b, other_cabang, member):
    deposit = dues_deposits.create_deposit(
        db, actor_of(db, duta), [make_payment(db, duta, member).receipt_number]
    ).deposit
    for user in (duta_b, other_cabang):
        web_login(client, user)
        assert client.get(f"/deposits/{deposit.id}").status_code == 404
        assert client.get(f"/deposits/{deposit.id}.pdf").status_code == 404
