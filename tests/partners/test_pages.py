"""The partner pages: list, new, edit, clients (create, rotate, revoke), audited; a refused form keeps
what was typed and says why beside each field."""

from sqlmodel import select

from app.auth.models import Partner, PartnerClient, PartnerRegency
from app.core.audit import AuditEntry
from app.members.payment_code import payment_code
from tests.factories import web_login
from tests.partners.conftest import token_of


def new_partner(client, csrf, **fields):
    data = {"csrf_token": csrf, "kind": "bank", "name": "Bank Sumut Unit Lubuk Pakam", "contact": "061-123", **fields}
    data.setdefault("regencies", ["12.07"])
    return client.post("/partners/new", data=data, follow_redirects=False)


def test_the_regional_office_adds_a_partner_and_it_is_audited(client, db, wilayah):
    csrf = web_login(client, wilayah)
    response = new_partner(client, csrf, regencies=["12.07", "12.12"])
    assert response.status_code == 303
    partner = db.exec(select(Partner)).one()
    assert partner.kind == "bank" and partner.contact == "061-123"
    regencies = db.exec(select(PartnerRegency.regency_code).where(PartnerRegency.partner_id == partner.id)).all()
    assert sorted(regencies) == ["12.07", "12.12"]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "partner_created")).one()
    assert entry.actor_id == wilayah.id and entry.object_id == str(partner.id)
    listing = client.get("/partners")
    assert "Bank Sumut Unit Lubuk Pakam" in listing.text and "Bank" in listing.text


def test_a_refused_partner_form_keeps_what_was_typed(client, db, wilayah, partner):
    csrf = web_login(client, wilayah)
    response = new_partner(client, csrf, kind="", name="koperasi maju  bersama", contact="Pak Ali", regencies=[])
    assert response.status_code == 422
    page = response.text
    assert 'id="kind-error"' in page and 'id="regencies-error"' in page
    assert "Sudah ada mitra dengan nama ini." in page  # the same name, other case and spacing
    assert 'value="koperasi maju  bersama"' in page and 'value="Pak Ali"' in page
    assert db.exec(select(Partner)).all() == [partner]


def test_editing_changes_the_area_of_its_clients_at_once(client, db, admin, partner, partner_headers, far_member):
    headers = partner_headers
    body = {"code": payment_code(far_member), "months": 1, "amount": 16_800, "reference": "A-1"}
    assert client.post("/api/v1/partner/payments", json=body, headers=headers).status_code == 404
    csrf = web_login(client, admin)
    response = client.post(
        f"/partners/{partner.id}",
        data={"csrf_token": csrf, "kind": "koperasi", "name": "Koperasi Maju", "contact": "", "regencies": ["11.71"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "partner_updated")).one()
    assert entry.actor_id == admin.id
    assert client.post("/api/v1/partner/payments", json=body, headers=headers).status_code == 201


def test_a_client_secret_is_shown_once_and_rotating_or_revoking_is_audited(client, db, wilayah, partner):
    csrf = web_login(client, wilayah)
    created = client.post(f"/partners/{partner.id}/clients", data={"csrf_token": csrf})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    row = db.exec(select(PartnerClient)).one()
    secret = created.text.split('<code class="secret">')[1].split("</code>")[0]
    assert token_of(client, row.client_id, secret).status_code == 200
    page = client.get(f"/partners/{partner.id}")
    assert row.client_id in page.text and secret not in page.text  # never shown again
    rotated = client.post(f"/partners/{partner.id}/clients/{row.client_id}/rotate", data={"csrf_token": csrf})
    new_secret = rotated.text.split('<code class="secret">')[1].split("</code>")[0]
    assert new_secret != secret and token_of(client, row.client_id, secret).status_code == 401
    revoked = client.post(
        f"/partners/{partner.id}/clients/{row.client_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert token_of(client, row.client_id, new_secret).status_code == 401
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_id == row.client_id)).all()
    assert {"partner_client_created", "partner_client_rotated", "partner_client_revoked"} <= set(actions)
