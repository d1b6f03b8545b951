"""Per-request language, and the headers every response carries."""

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from app.core import i18n

LANG_COOKIE = "lang"
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class LocaleAndHeadersMiddleware:
    """Chooses the language (`?lang=` remembered in a cookie, else the cookie, else Indonesian) and adds
    security headers and `Vary: HX-Request` (pages and their HTMX partials share URLs)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        requested = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        if requested not in i18n.LOCALES:
            requested = None
        locale = requested or _cookie_locale(scope) or i18n.DEFAULT_LOCALE
        token = i18n.set_locale(locale)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
                vary = [v for k, v in message.get("headers", []) if k.lower() == b"vary"]
                headers.append((b"vary", b", ".join([*vary, b"HX-Request", b"Cookie"])))
                headers.extend(SECURITY_HEADERS)
                if requested:
                    cookie = f"{LANG_COOKIE}={requested}; Path=/; Max-Age=31536000; SameSite=Lax"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.reset_locale(token)


def _cookie_locale(scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            cookie = SimpleCookie()
            cookie.load(value.decode("latin-1"))
            if LANG_COOKIE in cookie and cookie[LANG_COOKIE].value in i18n.LOCALES:
                return cookie[LANG_COOKIE].value
    return None


def scope_locale(scope) -> str:
    """The language a request asks for, for code that runs outside this middleware (the 500 handler)."""
    requested = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
    if requested in i18n.LOCALES:
        return requested
    return _cookie_locale(scope) or i18n.DEFAULT_LOCALE
