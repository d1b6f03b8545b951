"""Printable A5 documents (receipts, deposit slips, member cards) as PDF.

DejaVu Sans (copied from npm by `make assets` and the Dockerfile) holds every character of Indonesian
text and what people type; fpdf2's built-in fonts know Latin-1 only.
"""

from dataclasses import dataclass, field
from io import BytesIO

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.core.templating import STATIC_DIR

FONT_DIR = STATIC_DIR / "vendor" / "fonts"
FONT = "DejaVu"
A5 = (148, 210)  # mm; by size rather than name, which fpdf2 warns about since it corrected its A5


@dataclass
class Document:
    """What a page shows, in the order it shows it: a heading, a banner (a voided receipt's), notes,
    labelled fields, a picture (a member card's QR code, PNG), then a table (a deposit's receipts) and
    its closing lines."""

    title: str
    banner: str | None = None
    notes: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    table_header: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    image: bytes | None = None
    image_width: float = 50  # mm


def render_pdf(document: Document) -> bytes:
    pdf = FPDF(format=A5)
    pdf.set_title(document.title)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw
    if document.banner:
        pdf.set_font(FONT, "B", 18)
        pdf.set_text_color(180, 0, 0)
        pdf.cell(width, 10, document.banner, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(width, 7, document.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FONT, "", 9)
    for note in document.notes:
        pdf.multi_cell(width, 5, note, border=1, padding=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    label_width = width * 0.35
    for label, value in document.fields:
        pdf.set_font(FONT, "B", 9)
        top = pdf.get_y()
        pdf.multi_cell(label_width, 5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(width - label_width, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), top + 5) + 1)
    if document.image is not None:
        pdf.ln(2)
        pdf.image(BytesIO(document.image), x=pdf.l_margin + (width - document.image_width) / 2, w=document.image_width)
    if document.table_header:
        pdf.ln(2)
        pdf.set_font(FONT, "", 8)
        with pdf.table(line_height=5, text_align="LEFT", col_widths=(3, 4, 3, 2)) as table:
            for cells in [document.table_header, *document.table_rows]:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
    pdf.set_font(FONT, "", 9)
    for line in document.closing:
        pdf.ln(1)
        pdf.multi_cell(width, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
