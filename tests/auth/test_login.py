import pytest
from sqlmodel import select

from app.core.audit import AuditEntry
from tests.factories import PASSWORD, VILLAGE_A, api_headers, csrf_from, make_user, web_login


def test_login_sets_session_and_home_shows_role(client, db):
    user = make_user(db, "duta", villages=(VILLAGE_A,))
    web_login(client, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Medan Senembah" in page.text
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.actor_id == user.id)).all()
    assert len(entries) == 1


def test_home_requires_login(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_wrong_password_is_refused_and_audited(client, db):
    user = make_user(db, "wilayah")
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": user.username, "password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.text
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "login_failed")).first() is not None


def test_account_locks_after_five_failures(client, db, no_backoff):
    user = make_user(db, "wilayah")
    token = csrf_from(client.get("/login").text)
    for _ in range(5):
        client.post("/login", data={"username": user.username, "password": "bad", "csrf_token": token})
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(15 * 60)  # the window, in whole seconds
    # The API shares the same lock.
    api = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert api.status_code == 429
    assert api.headers["retry-after"] == str(15 * 60)


def test_address_lock_needs_many_more_failures(client, db, monkeypatch, no_backoff):
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "login_max_failures_ip", 8)
    users = [make_user(db, "wilayah") for _ in range(3)]
    token = csrf_from(client.get("/login").text)
    # Four failures on each of two accounts: neither account is locked, the address is at 8.
    for user in users[:2]:
        for _ in range(4):
            client.post("/login", data={"username": user.username, "password": "bad", "csrf_token": token})
    response = client.post("/login", data={"username": users[2].username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


@pytest.fixture
def no_backoff(monkeypatch):
    """The lock tests fail five times in a row without waiting between attempts."""
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "login_backoff_seconds", 0)


def test_failures_slow_the_account_down_before_the_lock(client, db):
    """After the n-th failure the next attempt waits 2^(n-1) seconds; refused attempts are not failures."""
    import datetime as dt

    from app.auth.models import LoginAttempt

    user = make_user(db, "wilayah")
    token = csrf_from(client.get("/login").text)

    def attempt(password):
        return client.post(
            "/login",
            data={"username": user.username, "password": password, "csrf_token": token},
            headers={"Accept-Language": "id"},
            follow_redirects=False,
        )

    def move_failures_back(seconds):
        """The recorded failures happened `seconds` earlier (time passes for the database's rows)."""
        for row in db.exec(select(LoginAttempt).where(LoginAttempt.username == user.username)).all():
            row.at = row.at - dt.timedelta(seconds=seconds)
            db.add(row)
        db.commit()

    assert attempt("bad").status_code == 401  # failure 1
    hurried = attempt(PASSWORD)
    assert hurried.status_code == 429 and "Tunggu 1 detik" in hurried.text  # even the right password waits
    assert hurried.headers["retry-after"] == "1"
    api = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert api.status_code == 429 and api.headers["retry-after"] == "1"
    move_failures_back(1.5)
    assert attempt("bad").status_code == 401  # failure 2: the next one waits 2 s
    move_failures_back(1.5)
    assert "Tunggu 1 detik" in attempt(PASSWORD).text
    move_failures_back(1)
    assert attempt(PASSWORD).status_code == 303  # waited long enough: in
    failed = db.exec(
        select(LoginAttempt).where(LoginAttempt.username == user.username, LoginAttempt.succeeded.is_(False))
    ).all()
    assert len(failed) == 2  # the refused attempts were not counted as failures
    throttled = db.exec(select(AuditEntry).where(AuditEntry.action == "login_throttled")).all()
    assert sum(entry.times for entry in throttled) == 3  # counted in one entry a minute


def test_login_without_csrf_token_is_refused(client, db):
    user = make_user(db, "wilayah")
    client.get("/login")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


def test_logout_needs_csrf_and_ends_session(client, db):
    user = make_user(db, "wilayah")
    token = web_login(client, user)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_htmx_header_carries_csrf(client, db):
    user = make_user(db, "wilayah")
    token = web_login(client, user)
    response = client.post("/logout", headers={"X-CSRF-Token": token, "HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 303


def test_open_redirect_is_refused(client, db):
    user = make_user(db, "wilayah")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_token_and_me(client, db):
    user = make_user(db, "duta", villages=(VILLAGE_A,))
    me = client.get("/api/v1/me", headers=api_headers(client, user))
    assert me.json() == {"username": user.username, "role": "duta", "branch_code": None, "village_codes": [VILLAGE_A]}


def test_api_rejects_missing_or_bad_token(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_token_wrong_password(client, db):
    user = make_user(db, "duta", villages=(VILLAGE_A,))
    response = client.post("/api/v1/auth/token", data={"username": user.username, "password": "x"})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_retry_after_on_other_pages_and_api_answers():
    """Any 429 the app answers (not only the login form's) says how long to wait, in whole seconds."""
    from fastapi import APIRouter
    from fastapi.testclient import TestClient

    from app.core.errors import TooManyAttempts
    from app.main import create_app

    app = create_app()  # a fresh app: the shared one keeps its routes
    router = APIRouter()

    @router.get("/slow-page")
    @router.get("/api/v1/slow-api")
    def slow():
        raise TooManyAttempts("wait", retry_after=2.2)

    app.include_router(router)
    with TestClient(app) as client:
        for path in ("/slow-page", "/api/v1/slow-api"):
            response = client.get(path)
            assert response.status_code == 429 and response.headers["retry-after"] == "3", path


@pytest.mark.parametrize("path", ["/login", "/api/v1/auth/token"])
def test_overlong_username_is_refused_before_any_write(client, db, path):
    """A username longer than any account's is a wrong login; nothing is stored, so the huge text is not."""
    from app.auth.models import LoginAttempt

    before = len(db.exec(select(AuditEntry)).all()), len(db.exec(select(LoginAttempt)).all())
    huge = "a" * 65 + "x" * 10_000
    data = {"username": huge, "password": "whatever"}
    if path == "/login":
        data["csrf_token"] = csrf_from(client.get("/login").text)
    response = client.post(path, data=data, headers={"Accept-Language": "id"})
    assert response.status_code == 401
    if path == "/login":
        assert "Nama pengguna atau kata sandi salah" in response.text
    else:
        assert response.json() == {"detail": "Nama pengguna atau kata sandi salah."}
    assert (len(db.exec(select(AuditEntry)).all()), len(db.exec(select(LoginAttempt)).all())) == before
    assert db.exec(select(AuditEntry).where(AuditEntry.object_id.contains("aaaa"))).first() is None


def test_refusals_of_a_minute_are_one_entry_with_a_count(client, db, monkeypatch, no_backoff):
    """Hammering a locked account adds no row per attempt: one entry per username, address and minute."""
    import datetime as dt

    from app.auth import service
    from app.core import audit
    from app.core.errors import TooManyAttempts

    user = make_user(db, "wilayah")
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": user.username, "password": "bad"})
    for _ in range(20):
        assert client.post("/api/v1/auth/token", data={"username": user.username, "password": "x"}).status_code == 429
    with pytest.raises(TooManyAttempts):  # the same account from another address: an entry of its own
        service.authenticate(db, user.username, PASSWORD, "10.9.9.9")
    later = audit.utcnow() + dt.timedelta(minutes=1)
    monkeypatch.setattr(audit, "utcnow", lambda: later)
    for _ in range(2):  # the next minute: a new entry
        with pytest.raises(TooManyAttempts):
            service.authenticate(db, user.username, PASSWORD, "10.9.9.9")
    rows = db.exec(select(AuditEntry).where(AuditEntry.action == "login_locked", AuditEntry.object_id == user.username))
    assert sorted(entry.times for entry in rows) == [1, 2, 20]
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "login_failed")).all()) == 5  # not folded

    reader = make_user(db, "wilayah")
    listed = client.get("/api/v1/audit", params={"action": "login_locked"}, headers=api_headers(client, reader))
    assert sorted(entry["times"] for entry in listed.json()["items"]) == [1, 2, 20]
    web_login(client, reader)
    page = client.get("/audit", params={"action": "login_locked"}, headers={"Accept-Language": "id"})
    assert "(20 kali)" in page.text and "(2 kali)" in page.text and "(1 kali)" not in page.text
