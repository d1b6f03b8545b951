"""Partners' API clients: the OAuth2 client-credentials grant and each client's request rate.

The rate limit is kept in process memory, per worker: a sliding minute of request times per client.
Not in the database: counting would turn every read into a write, and SQLite takes one writer at a
time. The limit guards against a runaway integration, not a quota to bill: with several workers a
client may get up to (workers x limit) a minute, which is said in docs/api.md."""

import secrets
import threading
import time
from collections import deque

from sqlmodel import Session, col, select

from app.auth.models import PartnerClient, User
from app.core import audit
from app.core.config import get_settings
from app.core.errors import NotAuthenticated, TooManyAttempts
from app.core.i18n import _
from app.core.security import hash_password, verify_password

CLIENT_ID_PREFIX = "mitra-"
# The longest client id accepted: longer is no client, refused before any query.
MAX_CLIENT_ID_LENGTH = 40
MAX_SECRET_LENGTH = 200
WINDOW_SECONDS = 60.0


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(8)


def new_secret() -> tuple[str, str]:
    """(the secret, shown once; its hash, stored)."""
    secret = secrets.token_urlsafe(32)
    return secret, hash_password(secret)


def authenticate_client(session: Session, client_id: str, secret: str, ip: str) -> User:
    """The account a live client acts through, or 401 (unknown client, wrong secret, revoked: one answer).
    A failure is audited as one folded entry a minute, like refused logins."""
    client_id = client_id.strip()
    row = None
    if client_id and len(client_id) <= MAX_CLIENT_ID_LENGTH and len(secret) <= MAX_SECRET_LENGTH:
        row = session.exec(
            select(PartnerClient, User)
            .join(User, col(User.id) == PartnerClient.user_id)
            .where(PartnerClient.client_id == client_id)
        ).first()
    client, user = row if row is not None else (None, None)
    ok = verify_password(secret[:MAX_SECRET_LENGTH], client.secret_hash if client else None)
    if not ok or client is None or user is None or client.revoked_at is not None or not user.is_active:
        audit.record_repeats(
            session, None, "client_login_failed", "partner_client", client_id[:40], actor_name="-", ip=ip
        )
        session.commit()
        raise NotAuthenticated(_("Unknown client or wrong secret."))
    return user


class RateLimiter:
    """At most `limit` requests per key in any `window` seconds."""

    def __init__(self, window: float = WINDOW_SECONDS):
        self.window = window
        self._hits: dict[object, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: object, limit: int) -> float:
        """Count a request; 0 when it may go on, else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return hits[0] + self.window - now
            hits.append(now)
            return 0.0

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


client_requests = RateLimiter()


def count_request(user_id: int) -> None:
    """Raise 429 (with Retry-After) when the client sent its minute's share already."""
    wait = client_requests.hit(user_id, get_settings().partner_requests_per_minute)
    if wait > 0:
        raise TooManyAttempts(_("Too many requests: wait %(seconds)s seconds.", seconds=max(1, round(wait))), wait)
