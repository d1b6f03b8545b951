"""The branch officer's settlement pages: a file uploaded, the result and the lines waiting; a line matched
by hand or closed; a refused form says why beside its field and keeps what was typed."""

from sqlmodel import select

from app.core.clock import today
from app.dues.models import Payment
from app.members.payment_code import payment_code
from app.partners.models import SettlementLine
from tests.factories import web_login
from tests.partners.test_settlements import _file, _unknown_code


def _upload(client, csrf, partner_id, content, **extra):
    data = {"csrf_token": csrf, "partner_id": str(partner_id), **extra}
    return client.post("/settlements", data=data, files={"file": ("setoran.csv", content, "text/csv")})


def test_the_officer_uploads_a_file_and_sees_what_it_gave(client, db, cabang, partner, member):
    csrf = web_login(client, cabang)
    page = client.get("/settlements")
    assert page.status_code == 200 and partner.name in page.text and 'href="/settlements"' in page.text
    content = _file(
        (today().isoformat(), payment_code(member), 16_800, "P-1"),
        (today().isoformat(), _unknown_code(), 16_800, "P-2"),
    )
    response = _upload(client, csrf, partner.id, content)
    assert response.status_code == 200, response.text
    assert "1 baris cocok" in response.text and "1 pembayaran baru" in response.text
    assert "Kode bayar tidak dikenal" in response.text and "1 baris menunggu." in response.text
    assert len(db.exec(select(Payment)).all()) == 1


def test_a_refused_upload_says_why_beside_the_field(client, db, cabang, partner):
    csrf = web_login(client, cabang)
    unchosen = _upload(client, csrf, "", _file((today().isoformat(), _unknown_code(), 16_800, "X")))
    assert unchosen.status_code == 422 and 'id="partner_id-error"' in unchosen.text
    unreadable = _upload(client, csrf, partner.id, b"tanggal,kode\n1,2\n", dry_run="1")
    assert unreadable.status_code == 422 and 'id="file-error"' in unreadable.text
    assert "nama kolom" in unreadable.text and "checked" in unreadable.text  # the dry run still ticked
    assert f'value="{partner.id}" selected' in unreadable.text
    assert db.exec(select(SettlementLine)).all() == []


def test_a_line_is_matched_or_closed_from_its_page(client, db, cabang, partner, member):
    csrf = web_login(client, cabang)
    content = _file(
        (today().isoformat(), _unknown_code(), 16_800, "L-1"), (today().isoformat(), _unknown_code(), 16_800, "L-2")
    )
    _upload(client, csrf, partner.id, content)
    first, second = db.exec(select(SettlementLine).order_by(SettlementLine.id)).all()
    page = client.get(f"/settlements/lines/{first.id}")
    assert page.status_code == 200 and "L-1" in page.text
    wrong = client.post(f"/settlements/lines/{first.id}/match", data={"csrf_token": csrf, "code": "1234"})
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text and 'value="1234"' in wrong.text
    matched = client.post(
        f"/settlements/lines/{first.id}/match",
        data={"csrf_token": csrf, "code": payment_code(member)},
        follow_redirects=False,
    )
    assert matched.status_code == 303
    no_note = client.post(f"/settlements/lines/{second.id}/close", data={"csrf_token": csrf, "resolution": "set_aside"})
    assert no_note.status_code == 422 and 'id="note-error"' in no_note.text
    closed = client.post(
        f"/settlements/lines/{second.id}/close",
        data={"csrf_token": csrf, "resolution": "refunded", "note": "Dana dikembalikan ke nasabah"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    listing = client.get("/settlements")
    assert "0 baris menunggu." in listing.text and "Baris ditutup: Dikembalikan." in listing.text
    again = client.post(f"/settlements/lines/{second.id}/close", data={"csrf_token": csrf, "resolution": "refunded"})
    assert again.status_code == 409 and 'id="form-error"' in again.text
    assert client.get(f"/settlements/lines/{second.id}").status_code == 200


def test_others_may_not_reconcile(client, db, duta, partner):
    web_login(client, duta)
    assert client.get("/settlements").status_code == 403
