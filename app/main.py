"""The ASGI application: middleware, routers, error pages."""

import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import configure_mappers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from app.auth import api as auth_api
from app.auth import place_routes
from app.auth import routes as auth_routes
from app.auth.deps import LoginRequired, PasswordChangeRequired
from app.claims import api as claims_api
from app.claims import routes as claims_routes
from app.core import i18n
from app.core.config import get_settings
from app.core.db import get_engine
from app.core.errors import DomainError, Invalid, NotFound, TooManyAttempts
from app.core.forms import FormPage, refused_form_page
from app.core.middleware import SECURITY_HEADERS, LocaleAndHeadersMiddleware, scope_locale
from app.core.templating import STATIC_DIR, render
from app.dues import api as dues_api
from app.dues import death_routes
from app.dues import routes as dues_routes
from app.followups import api as followups_api
from app.followups import routes as followups_routes
from app.members import api as members_api
from app.members import card_routes, import_routes, life_routes
from app.members import routes as members_routes
from app.offline import api as offline_api
from app.offline import routes as offline
from app.partners import api as partners_api
from app.partners import routes as partners_routes
from app.partners import settlement_routes
from app.pmi import api as pmi_api
from app.pmi import routes as pmi_routes
from app.programme import api as programme_api
from app.programme import officials_routes
from app.programme import routes as programme_routes
from app.reports import api as reports_api
from app.reports import audit as audit_reports
from app.reports import incentive_routes, statement_routes
from app.reports import routes as reports_routes
from app.workflows import api as approval_api
from app.workflows import member_page, move_pages
from app.workflows import routes as approval_routes

API_PREFIX = "/api/v1"
# The values in pydantic's "expected" ('L' or 'P').
_QUOTED = re.compile(r"'([^']*)'")


class CachedStatic(StaticFiles):
    """Static names carry a content hash (`?v=`), so browsers may keep them for a year."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _refused_form(request: Request, form_page: FormPage, messages: dict[str, str], exc: DomainError):
    """The form's page again, with the messages beside their fields, answered with the error's status
    but 422 for a code typed that names nothing in one's area (a mistake in the form, not a page not
    found). Nothing of the refused action is kept; the page reads in a transaction of its own, ended
    here so that its connection (on SQLite, a write transaction) is given back at once."""
    session = form_page.session
    session.rollback()
    status_code = 422 if isinstance(exc, NotFound) else exc.status_code
    try:
        return render(request, form_page.template, form_page.context(messages), status_code=status_code)
    finally:
        session.rollback()


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _names_a_place(loc) -> bool:
    return tuple(loc[:1]) == ("path",) or tuple(loc[:2]) == ("query", "page")


def _in_user_language(error: dict) -> dict:
    """A value outside a field's fixed set (an enum of the request schema) is explained in the user's
    language, naming the field and its values; the rest stays as FastAPI words it."""
    if error.get("type") not in ("enum", "literal_error"):
        return error
    field = next((part for part in reversed(error.get("loc", ())) if isinstance(part, str)), "")
    choices = ", ".join(_QUOTED.findall(str(error.get("ctx", {}).get("expected", ""))))
    return {**error, "msg": i18n.gettext("%(field)s: choose one of %(choices)s.", field=field, choices=choices)}


def _error_page(request: Request, status_code: int, message: str = ""):
    return render(request, "error.html", {"status_code": status_code, "message": message}, status_code=status_code)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # What start-up built lives as long as the process: out of the garbage collector's way, so that
    # a full collection walks only what requests make (it paused a dashboard 120 ms in 1 of 10).
    configure_mappers()
    gc.collect()
    gc.freeze()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="Duta API",
        version="1",
        description="Desa Sadar Jaminan Sosial Ketenagakerjaan: members, dues and villages for partners.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    # Outermost first: compression wraps everything, the session sits inside the header middleware.
    # The signed cookie carries only the server-side session's id and the CSRF token (app.auth.deps).
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="duta_session",
        max_age=settings.session_days * 86400,
        same_site="lax",
        https_only=settings.production,
    )
    app.add_middleware(LocaleAndHeadersMiddleware)
    # A response that fits in one packet (JSON answers, small partials) goes as it is: compressing it
    # saves no round trip and costs a compressor per request.
    app.add_middleware(GZipMiddleware, minimum_size=1400)

    app.mount("/static", CachedStatic(directory=str(STATIC_DIR)), name="static")

    for module in (
        auth_api,
        members_api,
        dues_api,
        claims_api,
        pmi_api,
        followups_api,
        offline_api,
        programme_api,
        partners_api,
        reports_api,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (
        auth_routes,
        members_routes,
        import_routes,
        life_routes,
        card_routes,
        dues_routes,
        claims_routes,
        pmi_routes,
        followups_routes,
        programme_routes,
        partners_routes,
        settlement_routes,
        reports_routes,
    ):
        app.include_router(module.router)
    app.include_router(officials_routes.router)
    app.include_router(death_routes.router)
    app.include_router(death_routes.api_router, prefix=API_PREFIX)
    app.include_router(approval_api.router, prefix=API_PREFIX)
    app.include_router(audit_reports.api_router, prefix=API_PREFIX)
    app.include_router(approval_routes.router)
    app.include_router(member_page.router)  # after members' own pages: /members/new is not a member
    app.include_router(move_pages.router)
    app.include_router(audit_reports.router)
    app.include_router(incentive_routes.router)
    app.include_router(incentive_routes.api_router, prefix=API_PREFIX)
    app.include_router(statement_routes.router)
    app.include_router(statement_routes.api_router, prefix=API_PREFIX)
    app.include_router(place_routes.router)

    app.include_router(offline.router)  # /sw.js, /offline, /outbox, /roster

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _exc: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("HX-Request") == "true":
            return JSONResponse({}, status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    def password_change_required(request: Request, _exc: PasswordChangeRequired):
        if request.headers.get("HX-Request") == "true":
            return JSONResponse({}, status_code=403, headers={"HX-Redirect": "/account"})
        return RedirectResponse("/account", status_code=303)

    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError):
        retry = exc.headers() if isinstance(exc, TooManyAttempts) else {}
        if _wants_json(request):
            detail = exc.as_detail() if isinstance(exc, Invalid) else exc.message
            headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else retry
            return JSONResponse({"detail": detail, **exc.data}, status_code=exc.status_code, headers=headers)
        form_page = refused_form_page(request)
        messages = form_page.messages(exc) if form_page is not None else {}
        if form_page is not None and messages:
            response = _refused_form(request, form_page, messages, exc)
        else:
            response = _error_page(request, exc.status_code, exc.message)
        response.headers.update(retry)
        return response

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return _error_page(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError):
        if _wants_json(request):
            detail = [_in_user_language(error) for error in exc.errors()]
            return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)
        # An id or a page number out of bounds names nothing there is: the page is not found.
        if any(_names_a_place(error.get("loc", ())) for error in exc.errors()):
            return _error_page(request, 404)
        return _error_page(request, 400, i18n.gettext("The request was not understood."))

    @app.exception_handler(Exception)
    def server_error(request: Request, _exc: Exception):
        # Starlette answers unhandled errors outside every middleware: choose the language and add the
        # security headers here again.
        if _wants_json(request):
            response = JSONResponse({"detail": "Internal Server Error"}, status_code=500)
        else:
            token = i18n.set_locale(scope_locale(request.scope))
            try:
                response = _error_page(request, 500)
            finally:
                i18n.reset_locale(token)
        for key, value in SECURITY_HEADERS:
            response.headers[key.decode()] = value.decode()
        return response

    return app


app = create_app()
