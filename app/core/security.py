"""Password hashing, API bearer tokens and CSRF tokens."""

import hmac
import secrets
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from passlib.context import CryptContext

from app.core.config import get_settings

password_context = CryptContext(schemes=["argon2"], deprecated="auto")
# A hash to verify against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = password_context.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return password_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        password_context.verify(password, _DUMMY_HASH)
        return False
    return password_context.verify(password, password_hash)


def _token_serializer() -> URLSafeTimedSerializer:
    return _serializer(get_settings().secret_key)


@lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """Built once per key (every API request reads a token)."""
    return URLSafeTimedSerializer(secret_key, salt="duta-api-token")


def issue_token(user_id: int, credentials_version: int) -> str:
    return _token_serializer().dumps({"uid": user_id, "cv": credentials_version})


def read_token(token: str) -> dict | None:
    try:
        return _token_serializer().loads(token, max_age=get_settings().token_minutes * 60)
    except (BadSignature, SignatureExpired):
        return None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected, given)


def session_csrf_token(cookie_session: dict) -> str:
    """The CSRF token of a browser session, made on first use."""
    token = cookie_session.get("csrf")
    if not token:
        token = cookie_session["csrf"] = new_csrf_token()
    return token
