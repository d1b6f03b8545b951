"""Bahasa Indonesia by default, English on request; catalogues read with Babel.

Message ids are English; `app/translations/id/LC_MESSAGES/*.po` hold the Indonesian text, one file per
domain of the app so changes do not collide. They are merged and compiled in memory at start-up, so
there is no build artefact to forget.
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"

_current_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@lru_cache
def translations(locale: str) -> NullTranslations:
    catalog = merged_catalog(locale)
    if catalog is None:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def merged_catalog(locale: str) -> Catalog | None:
    paths = sorted((TRANSLATIONS_DIR / locale / "LC_MESSAGES").glob("*.po"))
    if not paths:
        return None
    catalog = Catalog(locale=locale)
    for path in paths:
        with path.open("rb") as po_file:
            for message in read_po(po_file, locale=locale, abort_invalid=True):
                if message.id:
                    catalog[message.id] = message
    return catalog


def set_locale(locale: str):
    return _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current_locale.get()


def gettext(message: str, **params) -> str:
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def lazy_gettext(message: str) -> LazyProxy:
    """For module-level labels: translated when shown, in the language of that request."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def reset_locale(token) -> None:
    _current_locale.reset(token)


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Texts in a given language whatever the request's (the exports are written in Indonesian)."""
    token = set_locale(locale)
    try:
        yield
    finally:
        reset_locale(token)
