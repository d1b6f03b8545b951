"""The member card as the phone shows it (the QR code as inline SVG), as an A5 PDF and as a PNG picture
to keep in the phone's gallery; in the user's language, as the receipts are.

The QR code (segno, error correction M) holds the card's verification address; the PNG is drawn with
Pillow in DejaVu Sans, the PDFs' font.
"""

import io
import textwrap

import segno
from PIL import Image, ImageDraw, ImageFont

from app.core.i18n import _
from app.core.pdf import FONT_DIR, Document, render_pdf
from app.core.templating import format_month
from app.members.card import Card

# The picture: 720 px wide (a 360 px screen at twice its density), as tall as its lines need.
PNG_WIDTH = 720
MARGIN = 40
QR_SIZE = 360  # px at most: the modules drawn at a whole number of pixels each
GREEN, DARK, GREY = "#00573d", "#111111", "#4a5360"


def qr_code(url: str) -> segno.QRCode:
    # M recovers from 15 % damage (a cracked screen, a smudge) and keeps the code at version 4 or so.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> str:
    """The QR code as an `<svg>` element to put in the page (no inline style: the CSP forbids it)."""
    return qr_code(url).svg_inline(scale=1, border=4, omitsize=True, title=_("QR code of the member card"))


def qr_png(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def card_fields(card: Card) -> list[tuple[str, str]]:
    """(label, value) in the order the card shows them, for the PDF and the picture."""
    member = card.member
    return [
        (_("NIK"), card.nik),
        ("KPJ", member.kpj or _("KPJ pending")),
        (_("Programmes"), ", ".join(card.programmes)),
        (_("Cover status"), card.cover_status.label),
        (_("Covered until"), format_month(card.covered_until)),
        (_("Payment code"), card.payment_code or "-"),
        (_("Village"), card.village_name),
    ]


def card_pdf(card: Card, url: str) -> bytes:
    document = Document(
        title=_("Member card"),
        fields=[(_("Name"), card.member.full_name), *card_fields(card)],
        image=qr_png(url),
        closing=[_("Scan the QR code to check the card and its cover:"), url],
    )
    return render_pdf(document)


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """The text in lines no wider than `width` pixels (a long name, a long village name)."""
    for chars in range(max(len(text), 1), 0, -1):
        lines = textwrap.wrap(text, chars, break_long_words=True) or [""]
        if all(draw.textlength(line, font=font) <= width for line in lines):
            return lines
    return [text]


def card_png(card: Card, url: str) -> bytes:
    heading, name, label, value = _font(True, 30), _font(True, 34), _font(False, 22), _font(True, 26)
    text_width = PNG_WIDTH - 2 * MARGIN
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    lines = [(name, line, DARK) for line in _wrapped(measure, card.member.full_name, name, text_width)]
    for caption, text in card_fields(card):
        lines.append((label, caption, GREY))
        lines += [(value, line, DARK) for line in _wrapped(measure, text, value, text_width)]
    headings = [_("Member card"), "BPJS Ketenagakerjaan"]
    code = qr_code(url)
    scale = max(1, QR_SIZE // int(code.symbol_size(scale=1, border=4)[0]))
    picture = Image.open(io.BytesIO(qr_png(url, scale))).convert("RGB")
    band = MARGIN + len(headings) * _line(heading) + MARGIN // 2
    height = band + MARGIN + sum(_line(font) for font, _text, _colour in lines) + MARGIN + picture.height + MARGIN
    image = Image.new("RGB", (PNG_WIDTH, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, PNG_WIDTH, band), fill=GREEN)
    y = MARGIN
    for text in headings:
        draw.text((MARGIN, y), text, font=heading, fill="#ffffff")
        y += _line(heading)
    y = band + MARGIN
    for font, text, colour in lines:
        draw.text((MARGIN, y), text, font=font, fill=colour)
        y += _line(font)
    image.paste(picture, ((PNG_WIDTH - picture.width) // 2, y + MARGIN))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _line(font: ImageFont.FreeTypeFont) -> int:
    return int(font.size) + 12
