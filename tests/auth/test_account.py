"""My account: every user changes their own password at /account; a password chosen by someone else
(an admin or branch officer) must be changed at first login before anything else."""

from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth import service
from app.auth.models import LoginAttempt, Role, User, WebSession
from app.auth.service import actor_for
from app.core.audit import AuditEntry
from app.main import app as fastapi_app
from tests.factories import PASSWORD, VILLAGE_A, api_headers, csrf_from, make_branch, make_user, web_login

NEW = "a-new-secret-77"


def _change(client, token, current=PASSWORD, new=NEW, again=None, **headers):
    return client.post(
        "/account",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
        headers={"Accept-Language": "id", **headers},
        follow_redirects=False,
    )


def _login(client, username, password):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )


def test_every_role_has_the_page_and_the_link(client, db):
    make_branch(db, "KC-ACC")
    for role, extra in (
        ("duta", {"villages": (VILLAGE_A,)}),
        ("cabang", {"branch_code": "KC-ACC"}),
        ("wilayah", {}),
        ("admin", {}),
    ):
        web_login(client, make_user(db, role, **extra))
        page = client.get("/", headers={"Accept-Language": "id"})
        assert 'href="/account">Akun saya</a>' in page.text, role
        account = client.get("/account")
        assert account.status_code == 200
        assert f"<dd>{Role(role).label}</dd>" in account.text  # the role by its label, never its code


def test_a_change_keeps_this_session_and_ends_the_others(client, db):
    user = make_user(db, "wilayah")
    old_api = api_headers(client, user)
    with TestClient(fastapi_app) as other_phone:
        web_login(other_phone, user)
        token = web_login(client, user)
        response = _change(client, token)
        assert response.status_code == 303 and response.headers["location"] == "/account"
        assert "Kata sandi diganti" in client.get("/account", headers={"Accept-Language": "id"}).text
        assert client.get("/", follow_redirects=False).status_code == 200  # this phone stays in
        assert other_phone.get("/", follow_redirects=False).status_code == 303  # the other is out
    assert client.get("/api/v1/me", headers=old_api).status_code == 401  # and so are API tokens
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "password_changed")).first() is not None
    with TestClient(fastapi_app) as fresh:
        assert _login(fresh, user.username, NEW).status_code == 303
        assert _login(fresh, user.username, PASSWORD).status_code == 401


def test_a_wrong_current_password_is_a_failed_login_shown_beside_the_field(client, db):
    user = make_user(db, "wilayah")
    token = web_login(client, user)
    response = _change(client, token, current="wrong-one")
    assert response.status_code == 422
    assert 'id="current_password-error">Kata sandi salah.' in response.text
    assert 'aria-invalid="true" aria-describedby="current_password-error"' in response.text
    failed = db.exec(
        select(LoginAttempt).where(LoginAttempt.username == user.username, LoginAttempt.succeeded.is_(False))
    ).all()
    assert len(failed) == 1
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "password_change_failed")).one()
    assert entry.actor_id == user.id
    assert db.get(User, user.id).password_hash == user.password_hash


def test_the_login_lock_applies_to_the_current_password_too(client, db, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "login_backoff_seconds", 0)
    user = make_user(db, "wilayah")
    token = web_login(client, user)
    for _ in range(5):
        assert _change(client, token, current="wrong-one").status_code == 422
    locked = _change(client, token)  # even the right one: a stolen session cannot guess on
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    assert 'id="current_password-error">Terlalu banyak' in locked.text


def test_new_password_rules_and_the_repeat_are_checked_beside_their_fields(client, db):
    user = make_user(db, "wilayah")
    token = web_login(client, user)
    short = _change(client, token, new="short")
    assert short.status_code == 422 and 'id="new_password-error">Gunakan paling sedikit 8 karakter' in short.text
    differ = _change(client, token, again=NEW + "x")
    assert differ.status_code == 422
    assert 'id="new_password_again-error">Kedua kata sandi baru tidak sama.' in differ.text
    same = _change(client, token, new=PASSWORD)
    assert same.status_code == 422 and 'id="new_password-error"' in same.text
    assert PASSWORD not in differ.text and NEW not in differ.text  # passwords are never typed back
    assert db.get(User, user.id).credentials_version == user.credentials_version


def test_a_password_given_by_an_admin_must_be_changed_first(client, db):
    admin = actor_for(db, make_user(db, "admin"))
    user = service.create_user(db, admin, "given.pw", PASSWORD, "wilayah")
    assert user.must_change_password
    response = _login(client, user.username, PASSWORD)
    assert response.headers["location"] == "/account"
    token = csrf_from(client.get("/account").text)
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/account"
    hx = client.get("/dashboard", headers={"HX-Request": "true"}, follow_redirects=False)
    assert hx.headers["HX-Redirect"] == "/account"
    api = client.get("/api/v1/me", headers=api_headers(client, user) | {"Accept-Language": "id"})
    assert api.status_code == 403 and "/account" in api.json()["detail"]

    assert _change(client, token).status_code == 303
    assert not db.get(User, user.id).must_change_password
    assert client.get("/dashboard", follow_redirects=False).status_code == 200
    bearer = client.post("/api/v1/auth/token", data={"username": user.username, "password": NEW}).json()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer['access_token']}"}).status_code == 200


def test_a_branch_officers_new_ambassador_must_change_too(db):
    make_branch(db, "KC-NEW")
    cabang = actor_for(db, make_user(db, "cabang", branch_code="KC-NEW"))
    user = service.create_user(db, cabang, "duta.baru", PASSWORD, "duta", village_codes=[VILLAGE_A])
    assert user.must_change_password


def test_from_the_cli_or_for_oneself_no_change_is_forced(db):
    assert not service.create_user(db, None, "operator.own", PASSWORD, "admin").must_change_password
    admin_user = make_user(db, "admin")
    admin = actor_for(db, admin_user)
    assert not service.reset_password(db, admin, admin_user.id, NEW).must_change_password
    other = make_user(db, "wilayah")
    assert service.reset_password(db, admin, other.id, NEW).must_change_password


def test_logout_still_works_while_a_change_is_due(client, db):
    admin = actor_for(db, make_user(db, "admin"))
    user = service.create_user(db, admin, "given.out", PASSWORD, "wilayah")
    _login(client, user.username, PASSWORD)
    token = csrf_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert db.exec(select(WebSession).where(WebSession.user_id == user.id)).one().ended_at is not None
