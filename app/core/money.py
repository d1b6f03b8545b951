"""Whole rupiah, shown the Indonesian way: Rp16.800."""

from lokal import terbilang


def format_rupiah(amount: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


def rupiah_in_words(amount: int) -> str:
    return terbilang(int(amount), currency=True)


def percent_of(amount: int, basis_points: int) -> int:
    """Basis points of a rupiah amount, rounded half up to whole rupiah."""
    return (amount * basis_points + 5000) // 10000


def parse_rupiah(value: object) -> int | None:
    """Whole rupiah as typed (`50400`, `50.400` or `Rp50.400`); None when not given or not a number."""
    text = str(value).strip().removeprefix("Rp").replace(".", "").strip()
    return int(text) if text.isascii() and text.isdigit() else None
