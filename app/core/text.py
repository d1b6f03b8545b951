"""Free text typed by people (names, addresses, titles, reasons, references): the characters it may hold.

Control characters (C0, DEL, C1) have no place in what people type and break files and terminals
downstream; bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) make text read
differently from what it holds. Both are refused with a message beside the field. Only a multi-line
field (a textarea) may hold line breaks.
"""

import re
from collections.abc import Mapping
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import _

_BIDI = "\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_FORBIDDEN_MULTILINE = re.compile(f"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")  # \n and \r allowed


def text_problem(value: Any, *, multiline: bool = False) -> str | None:
    """The message to show beside a field whose text holds characters it may not, or None."""
    if value is None:
        return None
    pattern = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN
    if pattern.search(str(value)):
        return _("Remove the control or text-direction characters; type the text again if you pasted it.")
    return None


def text_errors(fields: Mapping[str, Any], *, multiline: tuple[str, ...] = ()) -> dict[str, str]:
    """One message per field of `fields` (name -> value) holding characters it may not."""
    errors = {}
    for name, value in fields.items():
        problem = text_problem(value, multiline=name in multiline)
        if problem:
            errors[name] = problem
    return errors


def require_plain_text(fields: Mapping[str, Any], *, multiline: tuple[str, ...] = ()) -> None:
    """Raise `Invalid` (422, messages beside the fields) if any of `fields` holds characters it may not."""
    errors = text_errors(fields, multiline=multiline)
    if errors:
        raise Invalid(errors)
