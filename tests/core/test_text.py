"""The one check of free text: control characters and bidirectional overrides are refused."""

import pytest

from app.core import i18n
from app.core.errors import Invalid
from app.core.text import require_plain_text, text_errors, text_problem

C0 = [chr(c) for c in range(0x20)] + ["\x7f"]
C1 = [chr(c) for c in range(0x80, 0xA0)]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("bad", C0 + C1 + BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_single_line_text_refuses_every_control_and_bidi_character(bad):
    assert text_problem(f"Siti{bad}Aminah") is not None


@pytest.mark.parametrize("bad", [c for c in C0 + C1 + BIDI if c not in "\r\n"], ids=lambda c: f"U+{ord(c):04X}")
def test_multi_line_text_allows_only_line_breaks(bad):
    assert text_problem(f"Bank Sumut\r\nDinas{bad}Koperasi", multiline=True) is not None


def test_ordinary_text_passes():
    for text in ("Siti Aminah", "Jl. Mawar No. 1, RT 02/RW 03", "Ni Luh Putu — Çağrı 李", "O'Neil", "", None):
        assert text_problem(text) is None
    assert text_problem("Bank Sumut\r\nDinas Koperasi\nBPJS", multiline=True) is None
    assert text_problem("two\nlines") is not None


def test_message_is_indonesian_and_beside_each_field():
    token = i18n.set_locale("id")
    try:
        errors = text_errors({"title": "a\u202eb", "place": "ok", "partners": "x\ny"}, multiline=("partners",))
        assert errors == {
            "title": "Hapus karakter kontrol atau pengatur arah teks; ketik ulang teksnya jika tadi ditempel."
        }
        with pytest.raises(Invalid) as raised:
            require_plain_text({"reason": "a\x00b"})
        assert list(raised.value.errors) == ["reason"]
    finally:
        i18n.reset_locale(token)
