"""Browser sessions live on the server: the cookie holds only the session's id and the CSRF token, so
a logout, a password reset or a deactivation ends the session everywhere, copies of the cookie too."""

import datetime as dt

from sqlmodel import select

from app.auth.models import WebSession
from tests.factories import csrf_from, make_user, web_login

COOKIE = "duta_session"


def _logged_in(client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def test_a_copied_cookie_stops_working_after_logout(client, db):
    user = make_user(db, "wilayah")
    token = web_login(client, user)
    copied = client.cookies.get(COOKIE)
    assert _logged_in(client)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, copied)  # the thief's copy, or the phone's before logout
    assert not _logged_in(client)
    row = db.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    assert row.ended_at is not None


def test_the_cookie_carries_only_the_session_id_and_csrf_token(client, db):
    import base64
    import json

    web_login(client, make_user(db, "wilayah"))
    payload = client.cookies.get(COOKIE).split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) == {"sid", "csrf"}
    assert db.get(WebSession, data["sid"]) is not None


def test_csrf_token_is_renewed_at_login_and_at_logout(client, db):
    user = make_user(db, "wilayah")
    before = csrf_from(client.get("/login").text)
    after_login = web_login(client, user)
    assert after_login != before
    client.post("/logout", data={"csrf_token": after_login})
    after_logout = csrf_from(client.get("/login").text)
    assert after_logout not in (before, after_login)
    # The old tokens are worth nothing now.
    response = client.post("/login", data={"username": user.username, "password": "x", "csrf_token": after_login})
    assert response.status_code == 403


def test_unknown_or_expired_sessions_are_logged_out(client, db):
    user = make_user(db, "wilayah")
    web_login(client, user)
    row = db.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    row.expires_at = row.created_at - dt.timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert not _logged_in(client)
    web_login(client, user)
    db.exec(select(WebSession).where(WebSession.user_id == user.id)).one()  # the expired one was dropped
    for row in db.exec(select(WebSession)).all():
        db.delete(row)
    db.commit()
    assert not _logged_in(client)


def test_password_reset_and_deactivation_end_the_sessions_on_the_server(client, db):
    from app.auth import service
    from app.auth.service import actor_for

    admin = actor_for(db, make_user(db, "admin"))
    user = make_user(db, "wilayah")
    web_login(client, user)
    service.reset_password(db, admin, user.id, "another-password-1")
    rows = db.exec(select(WebSession).where(WebSession.user_id == user.id)).all()
    assert rows and all(row.ended_at is not None for row in rows)
    assert not _logged_in(client)

    other = make_user(db, "wilayah")
    web_login(client, other)
    service.set_active(db, admin, other.id, False)
    assert all(row.ended_at is not None for row in db.exec(select(WebSession).where(WebSession.user_id == other.id)))
    assert not _logged_in(client)
