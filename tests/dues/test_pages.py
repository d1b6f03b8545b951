"""Dues pages: the pay form, the receipt (content, amount in words, WhatsApp link), deposits, home."""

import datetime as dt
import html
import re
from urllib.parse import unquote

from sqlmodel import select

from app.core.clock import add_months, month_start, today
from app.dues import deposits as dues_deposits
from app.dues import service
from app.dues.models import Deposit, Payment
from app.reports import counts as reports_counts
from tests.factories import make_member, make_payment, web_login


def _pay(client, member, token, **data):
    form = {
        "csrf_token": token,
        "months": "1",
        "channel": "tunai",
        "reference": "",
        "paid_on": "",
        "idempotency_key": "",
        **data,
    }
    return client.post(f"/members/{member.id}/pay", data=form, follow_redirects=False)


def test_pay_form_shows_the_amount_per_number_of_months(client, duta, member):
    web_login(client, duta)
    page = client.get(f"/members/{member.id}/pay")
    assert page.status_code == 200
    assert "Rp16.800" in page.text and "Rp50.400" in page.text and "Rp201.600" in page.text
    assert 'name="idempotency_key"' in page.text and 'name="paid_on"' in page.text


def test_pay_form_sends_the_amount_and_the_button_says_it(client, duta, member):
    web_login(client, duta)
    page = client.get(f"/members/{member.id}/pay").text
    assert 'name="amount" value="16800"' in page
    assert re.search(r"<button type=\"submit\" data-pay-receive>Terima Rp16\.800 untuk 1 bulan</button>", page)
    assert 'data-amount="50400" data-receive="Terima Rp50.400 untuk 3 bulan"' in page


def test_pay_with_another_amount_than_told_is_shown_again_with_the_right_one(client, db, duta, member):
    token = web_login(client, duta)
    # Without JavaScript the months changed to 3 while the form still carries one month's Rp16.800.
    response = _pay(client, member, token, months="3", amount="16800")
    assert response.status_code == 409
    text = html.unescape(response.text)
    assert 'id="amount-error">3 bulan adalah Rp50.400, bukan Rp16.800' in text
    assert 'name="amount" value="50400"' in text and "Terima Rp50.400 untuk 3 bulan</button>" in text
    assert db.exec(select(Payment).where(Payment.member_id == member.id)).first() is None
    # Confirmed again, grouped as typed or not: recorded once, for the amount told.
    again = _pay(client, member, token, months="3", amount="50.400")
    assert again.status_code == 303
    assert db.exec(select(Payment).where(Payment.member_id == member.id)).one().amount == 50400


def test_pay_amount_that_is_no_number_is_refused_beside_it(client, db, duta, member):
    token = web_login(client, duta)
    response = _pay(client, member, token, amount="lima puluh")
    assert response.status_code == 422 and 'id="amount-error"' in response.text
    assert db.exec(select(Payment).where(Payment.member_id == member.id)).first() is None


def test_pay_then_303_to_the_receipt(client, db, duta, member):
    token = web_login(client, duta)
    response = _pay(client, member, token, months="3")
    assert response.status_code == 303
    assert re.fullmatch(r"/receipts/KW-\d{4}-\d{6}", response.headers["location"])
    payment = db.exec(select(Payment).where(Payment.member_id == member.id)).one()
    assert payment.amount == 50400


def test_pay_form_errors_are_shown_beside_fields_with_input_kept(client, duta, member):
    token = web_login(client, duta)
    future = (today() + dt.timedelta(days=1)).isoformat()
    response = _pay(client, member, token, channel="bank", reference="", paid_on=future)
    assert response.status_code == 422
    assert 'id="reference-error"' in response.text and 'id="paid_on-error"' in response.text
    assert "Tanggal bayar tidak boleh di masa depan." in response.text
    assert f'value="{future}"' in response.text


def test_double_submit_of_the_form_records_once(client, db, duta, member):
    token = web_login(client, duta)
    page = client.get(f"/members/{member.id}/pay").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    first = _pay(client, member, token, months="2", idempotency_key=key)
    second = _pay(client, member, token, months="2", idempotency_key=key)
    assert first.headers["location"] == second.headers["location"]
    assert len(db.exec(select(Payment).where(Payment.member_id == member.id)).all()) == 1


def test_the_form_key_sent_again_with_other_values_is_refused_and_renewed(client, db, duta, member):
    token = web_login(client, duta)
    first = _pay(client, member, token, months="1", idempotency_key="form-key-1")
    assert first.status_code == 303
    again = _pay(client, member, token, months="2", idempotency_key="form-key-1")
    assert again.status_code == 422
    assert 'id="idempotency_key-error"' in again.text and "kunci baru" in again.text
    renewed = re.search(r'name="idempotency_key" value="([^"]+)"', again.text).group(1)
    assert renewed != "form-key-1"
    assert _pay(client, member, token, months="2", idempotency_key=renewed).status_code == 303
    assert len(db.exec(select(Payment).where(Payment.member_id == member.id)).all()) == 2


def test_receipt_page_content_words_and_whatsapp_link(client, db, duta, member):
    token = web_login(client, duta)
    location = _pay(client, member, token, months="1").headers["location"]
    page = client.get(location)
    assert page.status_code == 200
    text = html.unescape(page.text)
    receipt = location.rsplit("/", 1)[1]
    assert receipt in text and "Budi Santoso" in text
    assert "<dt>KPJ</dt><dd>KPJ menunggu</dd>" in text and member.member_number not in text  # not the KPJ
    assert "Rp16.800" in text and "enam belas ribu delapan ratus rupiah" in text
    assert "Uji duta" in text  # recorded by
    assert f"{today():%d/%m/%Y}" in text
    link = re.search(r'href="(https://wa\.me/[^"]+)"', page.text).group(1)
    assert link.startswith("https://wa.me/6281234567890?text=")
    message = unquote(html.unescape(link).split("text=", 1)[1])
    assert receipt in message and "Budi Santoso" in message and "enam belas ribu delapan ratus rupiah" in message
    # Cash is "tunai" (BPJS's word) on the page and in the message, never "kas".
    assert "<dt>Cara bayar</dt><dd>Tunai</dd>" in text and "Cara bayar: Tunai" in message
    assert not re.search(r"\bkas\b", text + message, re.IGNORECASE)


def test_receipt_shows_months_range(client, db, duta, member, fixed_today):
    make_payment(db, duta, member, months=1, paid_on=dt.date(2026, 10, 5))  # October
    payment = make_payment(db, duta, member, months=3)  # Nov 2026 - Jan 2027
    web_login(client, duta)
    assert "Nov 2026 - Jan 2027" in client.get(f"/receipts/{payment.receipt_number}").text


def test_cabang_voids_from_the_receipt_page(client, db, duta, cabang, member):
    payment = make_payment(db, duta, member)
    token = web_login(client, cabang)
    page = client.get(f"/receipts/{payment.receipt_number}")
    assert f'action="/payments/{payment.receipt_number}/void"' in page.text
    bad = client.post(f"/payments/{payment.receipt_number}/void", data={"csrf_token": token, "reason": ""})
    assert bad.status_code == 422
    hidden = client.post(
        f"/payments/{payment.receipt_number}/void", data={"csrf_token": token, "reason": "dobel\u2067"}
    )
    assert hidden.status_code == 422 and 'id="reason-error"' in hidden.text and "karakter kontrol" in hidden.text
    ok = client.post(
        f"/payments/{payment.receipt_number}/void",
        data={"csrf_token": token, "reason": "dobel"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    db.refresh(payment)
    assert payment.status == "void"


def test_duta_deposits_held_cash_from_the_page(client, db, duta, member):
    a, b = make_payment(db, duta, member), make_payment(db, duta, member, months=2)
    token = web_login(client, duta)
    page = client.get("/deposits")
    assert a.receipt_number in page.text and "Rp50.400" in page.text  # held total
    response = client.post(
        "/deposits",
        data={"csrf_token": token, "receipt_numbers": [a.receipt_number, b.receipt_number], "idempotency_key": "k1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    deposit = db.exec(select(Deposit).where(Deposit.duta_id == duta.id)).one()
    assert deposit.total == 50400
    empty = client.post("/deposits", data={"csrf_token": token}, follow_redirects=False)
    assert empty.status_code == 422


def test_cabang_confirms_and_returns_from_the_deposit_page(client, db, duta, cabang, member):
    from tests.factories import actor_of

    a = make_payment(db, duta, member)
    deposit = dues_deposits.create_deposit(db, actor_of(db, duta), [a.receipt_number]).deposit
    token = web_login(client, cabang)
    assert f'href="/deposits/{deposit.id}"' in client.get("/deposits").text
    page = client.get(f"/deposits/{deposit.id}")
    assert f'action="/deposits/{deposit.id}/confirm"' in page.text and a.receipt_number in page.text
    empty = client.post(f"/deposits/{deposit.id}/confirm", data={"csrf_token": token, "bank_reference": ""})
    assert empty.status_code == 422 and 'id="bank_reference-error"' in empty.text
    assert a.receipt_number in empty.text  # the receipts stay in view beside the message
    hidden = client.post(f"/deposits/{deposit.id}/confirm", data={"csrf_token": token, "bank_reference": "SLIP\x07"})
    assert hidden.status_code == 422 and "karakter kontrol" in hidden.text
    ok = client.post(
        f"/deposits/{deposit.id}/confirm",
        data={"csrf_token": token, "bank_reference": "SLIP-7"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    db.refresh(deposit)
    assert deposit.status == "confirmed"
    back = client.post(
        f"/deposits/{deposit.id}/return", data={"csrf_token": token, "reason": "salah slip"}, follow_redirects=False
    )
    assert back.status_code == 303
    db.refresh(deposit)
    assert deposit.status == "returned"


def test_branch_pages_list_the_longest_held_cash_with_totals(client, db, duta, duta_b, cabang, member, monkeypatch):
    from tests.factories import VILLAGE_B

    monkeypatch.setattr(dues_deposits, "CASH_HELD_LIMIT", 1)
    monkeypatch.setattr(reports_counts, "CASH_HELD_LIMIT", 1)
    duta.full_name, duta_b.full_name = "Duta Lama", "Duta Baru"
    db.add_all([duta, duta_b])
    db.flush()
    make_payment(db, duta, member, paid_on=today() - dt.timedelta(days=10))
    neighbour = make_member(db, duta_b, VILLAGE_B, status="approved")
    make_payment(db, duta_b, neighbour, months=2)
    web_login(client, cabang)
    for path in ("/", "/deposits"):
        text = html.unescape(client.get(path, headers={"Accept-Language": "id"}).text)
        assert duta.full_name in text and duta_b.full_name not in text  # the longest held only
        assert "1 duta yang paling lama memegang uang, dari 2." in text and "Rp50.400" in text  # total of both


def test_deposits_to_confirm_are_all_reachable_oldest_first(client, db, duta, cabang, member, monkeypatch):
    """The queue is its own query: a waiting deposit older than the history shown still shows, oldest first."""
    from app.dues import routes
    from tests.factories import actor_of

    monkeypatch.setattr(routes, "DEPOSIT_HISTORY_LIMIT", 2)
    waiting = dues_deposits.create_deposit(
        db, actor_of(db, duta), [make_payment(db, duta, member).receipt_number]
    ).deposit
    for _ in range(3):
        done = dues_deposits.create_deposit(
            db, actor_of(db, duta), [make_payment(db, duta, member).receipt_number]
        ).deposit
        dues_deposits.confirm_deposit(db, actor_of(db, cabang), done.id, "SLIP")
    later = dues_deposits.create_deposit(
        db, actor_of(db, duta), [make_payment(db, duta, member).receipt_number]
    ).deposit
    web_login(client, cabang)
    page = client.get("/deposits").text
    assert page.index(f'href="/deposits/{waiting.id}"') < page.index(f'href="/deposits/{later.id}"')


def test_refund_button_on_the_branch_page(client, db, duta, cabang, member):

    payment = make_payment(db, duta, member)
    service.mark_refund_due(db, None, member)
    db.commit()
    token = web_login(client, cabang)
    assert f'action="/payments/{payment.receipt_number}/refund"' in client.get("/deposits").text
    assert (
        client.post(
            f"/payments/{payment.receipt_number}/refund", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    db.refresh(payment)
    assert payment.status == "refunded"


def test_duta_home_shows_cash_the_follow_up_counts_and_today_visits(client, db, duta, member):
    """The home: how many members each follow-up list holds (links to the lists), whom to see today
    (a contact planned for today, with WhatsApp), and the cash held."""
    from app.followups.models import Contact

    this_month = month_start(today())
    make_member(db, duta, status="approved", full_name="Ani Due", covered_until=this_month)
    make_member(db, duta, status="approved", full_name="Cici Lapsed", covered_until=add_months(this_month, -2))
    visit = make_member(
        db,
        duta,
        status="approved",
        full_name="Dodi Visit",
        covered_until=add_months(this_month, -5),
        phone="+6281111111111",
    )
    db.add(Contact(member_id=visit.id, outcome="belum_mampu", next_contact_on=today(), recorded_by_id=duta.id))
    db.commit()
    make_payment(db, duta, member, months=1)
    web_login(client, duta)
    page = client.get("/", headers={"Accept-Language": "id"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Dodi Visit" in text and "Ani Due" not in text  # the lists are a tap away, the visits are here
    # Ani Due and the member paying this month
    assert "https://wa.me/6281111111111?text=" in page.text
    assert re.search(r'href="/followups/due_this_month">Perlindungan berakhir bulan ini <span class="badge">2<', text)
    assert re.search(r'href="/followups/lapsed_long">Nonaktif lebih lama: ajak kembali <span class="badge">1<', text)
    assert "Rp16.800" in text  # cash held


def test_cabang_home_shows_cash_per_duta(client, db, duta, cabang, member):
    make_payment(db, duta, member, months=2)
    web_login(client, cabang)
    text = html.unescape(client.get("/").text)
    assert "Uji duta" in text and "Rp33.600" in text
