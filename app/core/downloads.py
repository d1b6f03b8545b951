"""Files the app hands out (receipts, cards, exports, templates): named for the user's device, never
kept by a cache on the way (they carry personal data or today's figures)."""


def file_headers(filename: str, inline: bool = False) -> dict[str, str]:
    """Shown in the browser (`inline`: a PDF, a picture) or saved (an export)."""
    disposition = "inline" if inline else "attachment"
    return {"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"}
