"""Branch offices: an admin opens them and sets their regencies; a regency belongs to one branch at most,
and the change moves the villages in and out of the branch officers' scope."""

import pytest
from sqlmodel import select

from app.auth import service
from app.core.audit import AuditEntry
from app.core.errors import Forbidden, Invalid
from app.members.service import list_members
from app.regions.models import Branch, Regency
from tests.factories import VILLAGE_A, make_branch, make_member, make_user, web_login


def _actor(db, user):
    return service.actor_for(db, user)


def test_admin_opens_a_branch_for_free_regencies(db):
    admin = make_user(db, "admin")
    branch = service.create_branch(db, _actor(db, admin), "kc-lbp", " Kantor Cabang Lubuk Pakam ", ["12.07", "12.18"])
    assert (branch.code, branch.name) == ("KC-LBP", "Kantor Cabang Lubuk Pakam")
    assert {r.code for r in db.exec(select(Regency).where(Regency.branch_code == "KC-LBP")).all()} == {"12.07", "12.18"}
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "branch_created")).one()
    assert entry.object_id == "KC-LBP" and entry.actor_id == admin.id


def test_a_regency_belongs_to_one_branch(db):
    admin = make_user(db, "admin")
    make_branch(db, code="OLD", regencies=("12.07",))
    with pytest.raises(Invalid) as refused:
        service.create_branch(db, _actor(db, admin), "NEW", "Baru", ["12.07", "12.18"])
    assert "12.07" in refused.value.errors["regency"]
    with pytest.raises(Invalid) as empty:
        service.create_branch(db, _actor(db, admin), "", "", [])
    assert set(empty.value.errors) == {"code", "name", "regency"}
    with pytest.raises(Invalid) as unknown:
        service.create_branch(db, _actor(db, admin), "NEW", "Baru", ["99.99"])
    assert "99.99" in unknown.value.errors["regency"]


def test_only_an_admin_manages_branches(db):
    for role in ("duta", "cabang", "wilayah"):
        user = make_user(db, role, villages=(VILLAGE_A,) if role == "duta" else ())
        with pytest.raises(Forbidden):
            service.create_branch(db, _actor(db, user), "X1", "X", ["12.18"])


def test_moving_a_regency_moves_its_villages_between_branch_officers(db):
    admin = make_user(db, "admin")
    old = make_branch(db, code="OLD", regencies=("12.07", "12.18"))
    officer = make_user(db, "cabang", branch_code=old.code)
    duta = make_user(db, "duta", villages=(VILLAGE_A,), branch_code=old.code)
    member = make_member(db, duta, VILLAGE_A)
    assert [m.id for m in list_members(db, _actor(db, officer))[0]] == [member.id]

    service.edit_branch(db, _actor(db, admin), "OLD", "Kantor Lama", ["12.18"])  # 12.07 released
    assert db.get(Regency, "12.07").branch_code is None
    assert list_members(db, _actor(db, officer))[0] == []  # Medan Senembah left the old branch's scope
    new = service.create_branch(db, _actor(db, admin), "NEW", "Kantor Baru", ["12.07"])
    newcomer = make_user(db, "cabang", branch_code=new.code)
    assert [m.id for m in list_members(db, _actor(db, newcomer))[0]] == [member.id]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "branch_updated")).one()
    assert '"released": ["12.07"]' in entry.detail and db.get(Branch, "OLD").name == "Kantor Lama"


def test_branch_pages_for_the_admin(client, db):
    admin = make_user(db, "admin")
    make_branch(db, code="OLD", regencies=("12.07",))
    token = web_login(client, admin)
    page = client.get("/branches", headers={"Accept-Language": "id"})
    assert page.status_code == 200 and "Kabupaten Deli Serdang" in page.text
    assert 'value="12.07" disabled' in page.text  # covered by another branch
    bad = client.post("/branches", data={"csrf_token": token, "code": "NEW", "name": "", "regencies": ["12.18"]})
    assert bad.status_code == 422 and 'id="name-error"' in bad.text
    assert 'value="NEW"' in bad.text and 'value="12.18" checked' in bad.text  # what was typed is kept
    ok = client.post(
        "/branches",
        data={"csrf_token": token, "code": "NEW", "name": "Kantor Baru", "regencies": ["12.18"]},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and db.get(Regency, "12.18").branch_code == "NEW"
    edit = client.get("/branches/NEW")
    assert edit.status_code == 200 and 'value="12.18" checked' in edit.text
    saved = client.post(
        "/branches/NEW",
        data={"csrf_token": token, "name": "Kantor Baru Serdang", "regencies": ["12.18", "12.01"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and db.get(Regency, "12.01").branch_code == "NEW"
    assert client.get("/branches/NOPE").status_code == 404
    assert client.post("/branches", data={"code": "X", "name": "X", "regencies": ["12.02"]}).status_code == 403  # CSRF


@pytest.mark.parametrize("role", ["duta", "cabang", "wilayah"])
def test_branch_pages_are_for_admins_only(client, db, role):
    make_branch(db, code="OLD", regencies=("12.07",))
    user = make_user(
        db, role, villages=(VILLAGE_A,) if role == "duta" else (), branch_code="OLD" if role != "wilayah" else None
    )
    token = web_login(client, user)
    assert client.get("/branches").status_code == 403
    assert (
        client.post(
            "/branches", data={"csrf_token": token, "code": "X", "name": "X", "regencies": ["12.02"]}
        ).status_code
        == 403
    )


def test_branch_name_with_control_or_bidi_characters_is_refused(db):
    admin = make_user(db, "admin")
    with pytest.raises(Invalid) as raised:
        service.create_branch(db, _actor(db, admin), "KC-X", "Kantor\u2067Cabang", ["12.18"])
    assert set(raised.value.errors) == {"name"}
    make_branch(db, code="OLD", regencies=("12.07",))
    with pytest.raises(Invalid) as raised:
        service.edit_branch(db, _actor(db, admin), "OLD", "Kantor\x07Lama", ["12.07"])
    assert set(raised.value.errors) == {"name"}
    assert db.get(Branch, "OLD").name != "Kantor\x07Lama"


BANK = {"bank_name": "Bank Uji", "bank_account_number": "0123-4567-89", "bank_account_holder": "BPJS TK Cabang Uji"}


def test_admin_sets_the_branch_bank_account_all_three_or_none(db):
    admin = make_user(db, "admin")
    make_branch(db, code="OLD", regencies=("12.07",))
    branch = service.edit_branch(db, _actor(db, admin), "OLD", "Kantor Lama", ["12.07"], BANK)
    assert (branch.bank_name, branch.bank_account_number, branch.bank_account_holder) == tuple(BANK.values())
    with pytest.raises(Invalid) as partial:
        service.edit_branch(db, _actor(db, admin), "OLD", "Kantor Lama", ["12.07"], {**BANK, "bank_name": " "})
    assert set(partial.value.errors) == {"bank_name"}
    for number in ("12 34", "12--34", "-1234", "1234-", "12a4", "1" * 31):
        with pytest.raises(Invalid) as bad:
            service.edit_branch(
                db, _actor(db, admin), "OLD", "Kantor Lama", ["12.07"], {**BANK, "bank_account_number": number}
            )
        assert set(bad.value.errors) == {"bank_account_number"}, number
    with pytest.raises(Invalid) as hidden:
        service.edit_branch(
            db, _actor(db, admin), "OLD", "Kantor Lama", ["12.07"], {**BANK, "bank_account_holder": "BPJS\u202e"}
        )
    assert set(hidden.value.errors) == {"bank_account_holder"}
    db.refresh(branch)
    assert branch.bank_account_number == "0123-4567-89"  # refused edits change nothing
    cleared = service.edit_branch(db, _actor(db, admin), "OLD", "Kantor Lama", ["12.07"], dict.fromkeys(BANK, ""))
    assert (cleared.bank_name, cleared.bank_account_number, cleared.bank_account_holder) == (None, None, None)


def test_branch_page_edits_the_bank_account(client, db):
    admin = make_user(db, "admin")
    make_branch(db, code="OLD", regencies=("12.07",))
    token = web_login(client, admin)
    form = {"csrf_token": token, "name": "Kantor Lama", "regencies": ["12.07"]}
    bad = client.post(
        "/branches/OLD", data={**form, **BANK, "bank_account_number": "12 34"}, headers={"Accept-Language": "id"}
    )
    assert bad.status_code == 422 and 'id="bank_account_number-error"' in bad.text and "Gunakan angka" in bad.text
    assert 'value="Bank Uji"' in bad.text  # what was typed is kept
    ok = client.post("/branches/OLD", data={**form, **BANK}, follow_redirects=False)
    assert ok.status_code == 303
    assert db.get(Branch, "OLD").bank_account_holder == "BPJS TK Cabang Uji"
    assert 'value="0123-4567-89"' in client.get("/branches/OLD").text
