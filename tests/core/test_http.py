"""Headers, language, error pages, /healthz and session cookies: what every response promises."""

import pytest
from fastapi.testclient import TestClient

from app.core.config import DEFAULT_SECRET, Settings, get_settings
from app.core.db import get_session
from tests.factories import VILLAGE_A, api_headers, csrf_from, make_user, web_login


def _assert_security_headers(response):
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "HX-Request" in response.headers["vary"]


def _assert_security_headers_no_vary(response):
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_security_headers_on_html(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    _assert_security_headers(response)


def test_security_headers_on_api_and_errors(client, db):
    user = make_user(db, "wilayah")
    _assert_security_headers(client.get("/api/v1/me", headers=api_headers(client, user)))
    _assert_security_headers(client.get("/api/v1/me"))
    _assert_security_headers(client.get("/no-such-page"))


def test_vary_keeps_existing_values(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip"})
    vary = [part.strip() for part in response.headers["vary"].split(",")]
    assert "HX-Request" in vary
    assert "Accept-Encoding" in vary


def test_pages_use_no_inline_script_or_style(client, db):
    pages = [client.get("/login").text]
    web_login(client, make_user(db, "duta", villages=(VILLAGE_A,)))
    pages.append(client.get("/").text)
    for html in pages:
        assert "<script>" not in html
        assert 'style="' not in html
        assert "<style" not in html


def test_default_language_is_indonesian(client):
    html = client.get("/login").text
    assert '<html lang="id">' in html
    assert "Masuk" in html
    assert "Log in" not in html


def test_english_on_request_and_remembered(client):
    response = client.get("/login?lang=en")
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text
    assert "lang=en" in response.headers["set-cookie"]
    # The cookie keeps English on the next page, without the query.
    again = client.get("/login")
    assert '<html lang="en">' in again.text
    back = client.get("/login?lang=id")
    assert '<html lang="id">' in back.text
    assert '<html lang="id">' in client.get("/login").text


def test_unknown_language_falls_back_to_indonesian(client):
    response = client.get("/login?lang=fr")
    assert '<html lang="id">' in response.text
    assert "set-cookie" not in response.headers or "lang=fr" not in response.headers["set-cookie"]


def test_error_messages_follow_the_language(client, db):
    user = make_user(db, "wilayah")
    token = csrf_from(client.get("/login?lang=en").text)
    response = client.post("/login", data={"username": user.username, "password": "nope", "csrf_token": token})
    assert "Wrong username or password." in response.text


def test_unknown_url_is_a_friendly_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Halaman tidak ditemukan" in response.text
    english = client.get("/no-such-page?lang=en")
    assert "Page not found" in english.text


def test_unknown_api_url_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}


def test_forbidden_page_is_friendly(client, db):
    make_user(db, "wilayah")
    client.get("/login")
    response = client.post("/logout")  # no CSRF token
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_server_error_page_is_friendly_and_json_under_api(db):
    from app.main import create_app

    app = create_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("boom")

    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500
        assert "Terjadi kesalahan di sistem kami" in page.text
        assert "boom" not in page.text
        english = client.get("/boom?lang=en")
        assert "Something went wrong on our side" in english.text
        _assert_security_headers_no_vary(page)
        api = client.get("/api/v1/boom")
        assert api.status_code == 500
        assert api.json() == {"detail": "Internal Server Error"}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_static_files_are_served_with_long_cache(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


def _session_cookie(response) -> str:
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("duta_session=")]
    assert cookies, "no session cookie"
    return cookies[0].lower()


def test_session_cookie_flags_in_development(client):
    cookie = _session_cookie(client.get("/login"))
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie


def test_session_cookie_is_secure_in_production(db, monkeypatch):
    from app.main import create_app

    monkeypatch.setenv("DUTA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-production-secret-0123456789")
    get_settings.cache_clear()
    try:
        assert get_settings().production
        app = create_app()
        app.dependency_overrides[get_session] = lambda: db
        with TestClient(app, base_url="https://testserver") as client:
            cookie = _session_cookie(client.get("/login"))
    finally:
        get_settings.cache_clear()
    assert "secure" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(duta_env="production", secret_key=DEFAULT_SECRET)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(duta_env="production")
    assert Settings(duta_env="production", secret_key="something-else-entirely").production
    assert not Settings(duta_env="development").production


def test_session_signed_with_another_key_is_ignored(client, db):
    """A cookie forged with the default development key does not log anyone in."""
    import base64
    import json

    from itsdangerous import TimestampSigner

    user = make_user(db, "wilayah")
    payload = base64.b64encode(json.dumps({"uid": user.id, "cv": 1}).encode())
    forged = TimestampSigner("not-the-app-key").sign(payload).decode()
    client.cookies.set("duta_session", forged)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_password_change_ends_sessions_and_tokens(client, db):
    user = make_user(db, "wilayah")
    headers = api_headers(client, user)
    web_login(client, user)
    assert client.get("/", follow_redirects=False).status_code == 200
    user.credentials_version += 1
    db.add(user)
    db.commit()
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_start_up_objects_are_kept_out_of_the_garbage_collectors_way():
    """After start-up, what the app built is frozen: full collections walk only what requests make."""
    import gc

    from fastapi.testclient import TestClient

    from app.main import create_app

    gc.unfreeze()
    with TestClient(create_app()):
        assert gc.get_freeze_count() > 0
