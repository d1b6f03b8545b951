"""Account management: a cabang creates duta accounts for its own villages; an admin manages everything."""

import pytest
from sqlmodel import select

from app.auth import service
from app.auth.models import User, UserVillage
from app.core.audit import AuditEntry
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import (
    PASSWORD,
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_OTHER_BRANCH,
    api_headers,
    csrf_from,
    make_branch,
    make_user,
    web_login,
)


def _actor(db, user):
    return service.actor_for(db, user)


def _cabang(db, code="LBP"):
    branch = make_branch(db, code=code, regencies=("12.07",))
    return make_user(db, "cabang", branch_code=branch.code)


def _user(db, username):
    return db.exec(select(User).where(User.username == username)).first()


# The service


def test_cabang_creates_duta_for_its_village(db):
    cabang = _cabang(db)
    user = service.create_user(
        db, _actor(db, cabang), "duta.baru", "a-good-password", "duta", village_codes=[VILLAGE_A]
    )
    assert user.branch_code == "LBP"
    assert db.exec(select(UserVillage.village_code).where(UserVillage.user_id == user.id)).all() == [VILLAGE_A]
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "user_created", AuditEntry.actor_id == cabang.id)
    ).one()
    assert entry.object_id == str(user.id)
    assert "a-good-password" not in entry.detail


def test_cabang_cannot_create_duta_outside_its_branch(db):
    cabang = _cabang(db)
    with pytest.raises(Invalid) as error:
        service.create_user(
            db, _actor(db, cabang), "duta.luar", "a-good-password", "duta", village_codes=[VILLAGE_OTHER_BRANCH]
        )
    assert VILLAGE_OTHER_BRANCH in error.value.errors["village_codes"]
    assert _user(db, "duta.luar") is None


def test_outside_village_reads_like_an_unknown_one(db):
    cabang = _cabang(db)
    messages = []
    for code in (VILLAGE_OTHER_BRANCH, "12.07.02.9999"):
        with pytest.raises(Invalid) as error:
            service.create_user(db, _actor(db, cabang), "duta.x", "a-good-password", "duta", village_codes=[code])
        messages.append(error.value.errors["village_codes"].replace(code, "CODE"))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("role", ["cabang", "wilayah", "admin"])
def test_cabang_creates_only_duta(db, role):
    cabang = _cabang(db)
    with pytest.raises(Forbidden):
        service.create_user(db, _actor(db, cabang), "someone", "a-good-password", role, branch_code="LBP")


def test_cabang_cannot_give_another_branch(db):
    cabang = _cabang(db)
    make_branch(db, code="OTHER", regencies=("11.71",))
    user = service.create_user(
        db, _actor(db, cabang), "duta.y", "a-good-password", "duta", branch_code="OTHER", village_codes=[VILLAGE_A]
    )
    assert user.branch_code == "LBP"


@pytest.mark.parametrize("role", ["duta", "wilayah"])
def test_other_roles_create_no_accounts(db, role):
    actor = make_user(db, role, villages=(VILLAGE_A,) if role == "duta" else ())
    with pytest.raises(Forbidden):
        service.create_user(db, _actor(db, actor), "x.y.z", "a-good-password", "duta", village_codes=[VILLAGE_A])


def test_admin_creates_any_role(db):
    admin = make_user(db, "admin")
    make_branch(db, code="LBP", regencies=("12.07",))
    actor = _actor(db, admin)
    service.create_user(db, actor, "kanwil.baru", "a-good-password", "wilayah")
    service.create_user(db, actor, "kc.baru", "a-good-password", "cabang", branch_code="LBP")
    service.create_user(db, actor, "aceh.duta", "a-good-password", "duta", village_codes=[VILLAGE_OTHER_BRANCH])
    service.create_user(db, actor, "admin.dua", "a-good-password", "admin")
    assert {_user(db, n).role for n in ("kanwil.baru", "kc.baru", "aceh.duta", "admin.dua")} == {
        "wilayah",
        "cabang",
        "duta",
        "admin",
    }


def test_cabang_sees_its_branch_accounts_only(db):
    cabang = _cabang(db)
    mine = make_user(db, "duta", villages=(VILLAGE_B,))  # made by the CLI: no branch, but a village of ours
    ours = make_user(db, "duta", villages=(VILLAGE_A,), branch_code="LBP")
    other_branch = make_branch(db, code="BNA", regencies=("11.71",))
    theirs = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other_branch.code)
    kanwil = make_user(db, "wilayah")
    users, total = service.list_users(db, _actor(db, cabang))
    ids = {user.id for user in users}
    assert {cabang.id, mine.id, ours.id} <= ids
    assert theirs.id not in ids and kanwil.id not in ids
    assert total == len(ids)
    with pytest.raises(NotFound):
        service.get_user(db, _actor(db, cabang), theirs.id)


def test_admin_deactivates_and_the_account_can_no_longer_log_in(db):
    admin = make_user(db, "admin")
    target = make_user(db, "wilayah")
    version = target.credentials_version
    service.set_active(db, _actor(db, admin), target.id, False)
    db.refresh(target)
    assert not target.is_active
    assert target.credentials_version == version + 1
    assert service.load_actor(db, target.id, target.credentials_version) is None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "user_deactivated")).first() is not None
    service.set_active(db, _actor(db, admin), target.id, True)
    db.refresh(target)
    assert target.is_active


def test_admin_cannot_deactivate_itself(db):
    admin = make_user(db, "admin")
    with pytest.raises(Conflict):
        service.set_active(db, _actor(db, admin), admin.id, False)


def test_cabang_may_not_deactivate_or_reset(db):
    cabang = _cabang(db)
    duta = make_user(db, "duta", villages=(VILLAGE_A,), branch_code="LBP")
    with pytest.raises(Forbidden):
        service.set_active(db, _actor(db, cabang), duta.id, False)
    with pytest.raises(Forbidden):
        service.reset_password(db, _actor(db, cabang), duta.id, "another-password")


def test_reset_password_checks_length_and_bumps_version(db):
    admin = make_user(db, "admin")
    target = make_user(db, "wilayah")
    with pytest.raises(Invalid):
        service.reset_password(db, _actor(db, admin), target.id, "short")
    service.reset_password(db, _actor(db, admin), target.id, "a-brand-new-password")
    db.refresh(target)
    assert target.credentials_version == 2
    assert service.authenticate(db, target.username, "a-brand-new-password", "10.0.0.1").id == target.id
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "password_reset")).one()
    assert "a-brand-new-password" not in entry.detail


# The pages


def test_users_page_for_cabang_lists_its_villages_only(client, db):
    cabang = _cabang(db)
    web_login(client, cabang)
    page = client.get("/users")
    assert page.status_code == 200
    assert 'list="villages-list"' in page.text  # the branch's hundreds of villages: chosen by name
    assert "Kampung Baru" not in page.text
    found = client.get("/places", params={"level": "village", "field": "villages", "villages": "senembah"})
    assert "Medan Senembah — Tanjung Morawa" in found.text
    assert "Kampung Baru" not in client.get("/places", params={"level": "village", "q": "kampung baru"}).text
    assert 'name="role" value="duta"' in page.text
    assert "Akun baru" in page.text


def test_cabang_creates_duta_through_the_form(client, db):
    cabang = _cabang(db)
    token = web_login(client, cabang)
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "duta.form",
            "full_name": "Pak Kades",
            "password": "a-good-password",
            "role": "admin",
            "villages": VILLAGE_A,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    user = _user(db, "duta.form")
    assert (user.role, user.branch_code) == ("duta", "LBP")  # the role field cannot raise itself
    listing = client.get("/users")
    assert "Akun duta.form sudah dibuat." in listing.text
    assert "duta.form" in listing.text
    assert "Pak Kades · Duta desa" in listing.text  # the role by its label, never its code
    assert "Duta desa" in client.get(f"/users/{user.id}").text


def test_form_refuses_a_village_outside_the_branch_and_keeps_the_input(client, db):
    cabang = _cabang(db)
    token = web_login(client, cabang)
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "duta.luar",
            "full_name": "Bu Geuchik",
            "password": "a-good-password",
            "villages": VILLAGE_OTHER_BRANCH,
        },
    )
    assert response.status_code == 422
    assert "Kode desa tidak dikenal" in response.text or VILLAGE_OTHER_BRANCH in response.text
    assert 'value="duta.luar"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _user(db, "duta.luar") is None


def test_form_needs_csrf(client, db):
    cabang = _cabang(db)
    web_login(client, cabang)
    response = client.post(
        "/users", data={"username": "duta.csrf", "password": "a-good-password", "villages": VILLAGE_A}
    )
    assert response.status_code == 403
    assert _user(db, "duta.csrf") is None


@pytest.mark.parametrize("role", ["duta", "wilayah"])
def test_users_page_forbidden_for_other_roles(client, db, role):
    web_login(client, make_user(db, role, villages=(VILLAGE_A,) if role == "duta" else ()))
    assert client.get("/users").status_code == 403


def test_users_page_needs_login(client):
    response = client.get("/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_cabang_cannot_open_another_branch_account(client, db):
    cabang = _cabang(db)
    other = make_branch(db, code="BNA", regencies=("11.71",))
    theirs = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code)
    ours = make_user(db, "duta", villages=(VILLAGE_A,), branch_code="LBP")
    web_login(client, cabang)
    assert client.get(f"/users/{theirs.id}").status_code == 404
    page = client.get(f"/users/{ours.id}")
    assert page.status_code == 200
    assert "/deactivate" not in page.text


def test_admin_creates_deactivates_and_resets_through_pages(client, db):
    admin = make_user(db, "admin")
    make_branch(db, code="LBP", regencies=("12.07",))
    token = web_login(client, admin)
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "kc.lbp",
            "full_name": "Petugas",
            "password": "a-good-password",
            "role": "cabang",
            "branch_code": "LBP",
            "villages": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    target = _user(db, "kc.lbp")
    assert (target.role, target.branch_code) == ("cabang", "LBP")

    # The new account logs in on its own client; the admin's reset ends that session.
    from fastapi.testclient import TestClient

    from app.main import app as fastapi_app

    with TestClient(fastapi_app) as other:
        login_token = csrf_from(other.get("/login").text)
        assert (
            other.post(
                "/login",
                data={"username": "kc.lbp", "password": "a-good-password", "csrf_token": login_token},
                follow_redirects=False,
            ).status_code
            == 303
        )
        bearer = other.post("/api/v1/auth/token", data={"username": "kc.lbp", "password": "a-good-password"})
        headers = {"Authorization": f"Bearer {bearer.json()['access_token']}"}
        # Logged in, but the password the admin chose must be changed first.
        assert other.get("/", follow_redirects=False).headers["location"] == "/account"
        assert other.get("/account", follow_redirects=False).status_code == 200

        page = client.get(f"/users/{target.id}")
        assert "/deactivate" in page.text
        short = client.post(f"/users/{target.id}/password", data={"csrf_token": token, "password": "short"})
        assert short.status_code == 422
        reset = client.post(
            f"/users/{target.id}/password",
            data={"csrf_token": token, "password": "another-good-one"},
            follow_redirects=False,
        )
        assert reset.status_code == 303
        assert other.get("/account", follow_redirects=False).headers["location"].startswith("/login")
        assert other.get("/api/v1/me", headers=headers).status_code == 401

        deactivate = client.post(f"/users/{target.id}/deactivate", data={"csrf_token": token}, follow_redirects=False)
        assert deactivate.status_code == 303
        db.refresh(target)
        assert not target.is_active
        login_token = csrf_from(other.get("/login").text)
        refused = other.post(
            "/login", data={"username": "kc.lbp", "password": "another-good-one", "csrf_token": login_token}
        )
        assert refused.status_code == 401


def test_admin_page_lists_every_account(client, db):
    admin = make_user(db, "admin")
    duta = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,))
    web_login(client, admin)
    page = client.get("/users")
    assert duta.username in page.text
    assert 'name="branch_code"' in page.text


def test_english_users_page(client, db):
    web_login(client, make_user(db, "admin"))
    assert "New account" in client.get("/users?lang=en").text


def test_password_factory_still_works(client, db):
    user = make_user(db, "admin")
    assert client.get("/api/v1/me", headers=api_headers(client, user)).json()["role"] == "admin"
    assert PASSWORD


def test_full_name_with_control_or_bidi_characters_is_refused_beside_the_field(client, db):
    cabang = _cabang(db)
    with pytest.raises(Invalid) as raised:
        service.create_user(
            db,
            _actor(db, cabang),
            "duta.baru",
            "a-good-password",
            "duta",
            "Bu\u202e Geuchik",
            village_codes=[VILLAGE_A],
        )
    assert set(raised.value.errors) == {"full_name"}
    token = web_login(client, cabang)
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "duta.baru",
            "full_name": "Bu\x1b[2J Geuchik",
            "password": "a-good-password",
            "villages": VILLAGE_A,
        },
        headers={"Accept-Language": "id"},
    )
    assert response.status_code == 422
    assert 'id="full_name-error"' in response.text and "karakter kontrol" in response.text
    assert _user(db, "duta.baru") is None
