"""Jinja2 templates with the user's language, rupiah and WIB dates, and HTMX-aware rendering."""

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.core import i18n, labels
from app.core.clock import to_wib
from app.core.money import format_rupiah
from app.core.security import session_csrf_token

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(ROOT / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=env)
# Added to the environment by the jinja2.ext.i18n extension at run time, so unknown to the type stubs.
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


@lru_cache(maxsize=256)
def _static_version(path: str) -> str:
    file = STATIC_DIR / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.exists() else "0"


def static_url(path: str) -> str:
    """A versioned name, so the file can be cached for a year and still change with a release."""
    return f"/static/{path}?v={_static_version(path)}"


def format_day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = to_wib(value)
    return value.strftime("%d/%m/%Y")


def format_moment(value: dt.datetime | None) -> str:
    return "-" if value is None else to_wib(value).strftime("%d/%m/%Y %H:%M") + " WIB"


def format_month(value: dt.date | None) -> str:
    return "-" if value is None else format_date(value, "MMMM yyyy", locale=i18n.get_locale())


def format_number(value: int | float | None) -> str:
    """Thousands grouped as the language does: 1.234.567 in Bahasa Indonesia, 1,234,567 in English."""
    return "–" if value is None else format_decimal(value, locale=i18n.get_locale())


def format_one_decimal(value: float | None) -> str:
    """One decimal in the language's style: 0,5 in Bahasa Indonesia, 0.5 in English."""
    return "–" if value is None else format_decimal(value, format="#,##0.0", locale=i18n.get_locale())


def format_percent(value: float | None) -> str:
    return "–" if value is None else format_one_decimal(value) + "%"


def mask_nik(nik: str) -> str:
    return nik[:4] + "*" * 8 + nik[12:] if len(nik) == 16 else nik


env.filters.update(
    rupiah=format_rupiah,
    day=format_day,
    moment=format_moment,
    month=format_month,
    mask_nik=mask_nik,
    number=format_number,
    one_decimal=format_one_decimal,
    percent=format_percent,
    label=labels.label,
)
env.globals.update(static_url=static_url, get_locale=i18n.get_locale)


def is_htmx(request: Request) -> bool:
    """A partial is wanted for HTMX requests, except boosted navigations and history restores,
    which need the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200, **headers: str):
    context = dict(context or {})
    context.setdefault("actor", getattr(request.state, "actor", None))
    context.setdefault("errors", {})
    context["csrf_token"] = session_csrf_token(request.session)
    context["locale"] = i18n.get_locale()
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(headers)
    return response
