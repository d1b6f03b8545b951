"""Every message of the programme's code and templates has its Indonesian text."""

from pathlib import Path

from babel.messages.extract import extract_from_file

from app.core.config import ROOT
from app.core.i18n import merged_catalog

KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def programme_messages() -> set[str]:
    found = set()
    files = [*(ROOT / "app" / "programme").glob("*.py"), *(ROOT / "templates" / "programme").glob("*.html")]
    for path in files:
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _lineno, message, _comments, _context in extract_from_file(method, str(path), KEYWORDS, options=options):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_programme_message_is_translated():
    messages = programme_messages()
    assert len(messages) > 100
    catalog = merged_catalog("id")
    missing = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []


def test_programme_catalogue_has_no_empty_entries():
    from babel.messages.pofile import read_po

    path = Path(ROOT / "app" / "translations" / "id" / "LC_MESSAGES" / "programme.po")
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale="id")
    assert all(message.string for message in catalog if message.id)
