"""Every text the app shows has its Indonesian translation: the message ids are extracted from the code
and the templates with Babel (the same method map as babel.cfg) and looked up in the merged catalogue."""

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from app.core import i18n
from app.core.config import ROOT

METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


def _message_ids() -> dict[str, str]:
    """Each message id with the first place it occurs. A plural message (ngettext) is keyed by its
    singular id, as in a catalogue."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_extraction_finds_the_texts():
    ids = _message_ids()
    assert "Wrong username or password." in ids  # from Python
    assert "Log in" in ids  # from a template
    assert "Use at least %(n)s characters." in ids  # a call with parameters
    assert len(ids) > 50


def test_every_message_has_an_indonesian_translation():
    catalog = i18n.merged_catalog("id")
    assert catalog is not None
    missing = []
    for msgid, where in sorted(_message_ids().items()):
        message = catalog.get(msgid)
        if message is None or not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "missing Indonesian translations:\n" + "\n".join(missing)


def test_each_message_is_translated_in_one_catalogue():
    """One translation per text: a message in two catalogues would be translated by whichever is read
    first, and a change to the other copy would silently do nothing. Shared words live in core.po."""
    from babel.messages.pofile import read_po

    found: dict[str, list[str]] = {}
    for path in sorted((i18n.TRANSLATIONS_DIR / "id" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po_file:
            for message in read_po(po_file):
                if message.id:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    found.setdefault(msgid, []).append(path.name)
    repeated = {msgid: files for msgid, files in found.items() if len(files) > 1}
    assert not repeated, f"translated in more than one catalogue: {repeated}"


def test_parameters_survive_translation():
    """A translation must keep every %(name)s placeholder of its message id."""
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    catalog = i18n.merged_catalog("id")
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(ids[0]))
        for text in strings:
            if set(placeholder.findall(text)) != wanted:
                broken.append(f"{ids[0]!r} -> {text!r}")
    assert not broken, "translations that lose or add placeholders:\n" + "\n".join(broken)


def test_gettext_switches_language():
    token = i18n.set_locale("en")
    try:
        assert i18n.gettext("Log in") == "Log in"
    finally:
        i18n.reset_locale(token)
    token = i18n.set_locale("id")
    try:
        assert i18n.gettext("Log in") == "Masuk"
        assert i18n.gettext("Use at least %(n)s characters.", n=8).endswith("8 karakter.")
    finally:
        i18n.reset_locale(token)


def test_numbers_follow_the_language():
    """Thousands and decimals as each language writes them (the dashboards' and homes' filters)."""
    from app.core.templating import format_number, format_percent

    token = i18n.set_locale("id")
    try:
        assert format_number(1234567) == "1.234.567" and format_percent(0.5) == "0,5%"
        i18n.set_locale("en")
        assert format_number(1234567) == "1,234,567" and format_percent(0.5) == "0.5%"
        assert format_number(None) == format_percent(None) == "–"
    finally:
        i18n.reset_locale(token)
