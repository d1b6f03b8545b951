"""Receipt text, WhatsApp links and reminder messages.

What goes to a member over WhatsApp is always in Bahasa Indonesia (the member's language), whatever
language the `duta`'s screen is set to; the receipt page itself follows the user's language.
"""

import datetime as dt
from urllib.parse import quote

from babel.dates import format_date

from app.core.clock import to_wib
from app.core.i18n import in_locale
from app.core.money import format_rupiah, rupiah_in_words
from app.dues.models import Channel, Payer
from app.members.payment_code import grouped, payment_code


def receipt_counter(year: int) -> str:
    """The counter (app/core/sequences.py) of the receipts recorded in that year."""
    return f"receipt-{year}"


def format_receipt_number(year: int, serial: int) -> str:
    """`KW-2026-000123`: the year of recording and that year's serial."""
    return f"KW-{year}-{serial:06d}"


def group_counter(year: int) -> str:
    """The counter of the group receipts recorded in that year."""
    return f"group-receipt-{year}"


def format_group_number(year: int, serial: int) -> str:
    """`KG-2026-000012`: a group receipt, numbered apart from the members' own receipts."""
    return f"KG-{year}-{serial:06d}"


def short_month(month: dt.date, locale: str = "id") -> str:
    return format_date(month, "MMM yyyy", locale=locale)


def long_month(month: dt.date, locale: str = "id") -> str:
    return format_date(month, "MMMM yyyy", locale=locale)


def cover_label(cover_from: dt.date, cover_to: dt.date, locale: str = "id") -> str:
    """`Nov 2026 - Jan 2027`, or one month alone."""
    if cover_from == cover_to:
        return short_month(cover_from, locale)
    return f"{short_month(cover_from, locale)} - {short_month(cover_to, locale)}"


def phone_digits(phone: str | None) -> str:
    """wa.me wants the international number as digits only: +62 812-... -> 62812..."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def whatsapp_url(phone: str | None, text: str) -> str:
    return f"https://wa.me/{phone_digits(phone)}?text={quote(text, safe='')}"


def sms_url(phone: str | None, text: str) -> str:
    """An `sms:` link with the text filled in, for workers without WhatsApp."""
    return f"sms:+{phone_digits(phone)}?body={quote(text, safe='')}"


def amount_in_words(amount: int) -> str:
    return rupiah_in_words(amount)


PENDING_NOTE_ID = (
    "Pendaftaran ini masih menunggu persetujuan kantor cabang: perlindungan berlaku setelah cabang menyetujuinya. "
    "Jika pendaftaran ditolak, uang ini dikembalikan."
)


def receipt_text(payment, member, recorded_by_name: str) -> str:
    """The receipt as a WhatsApp message (plain text, Bahasa Indonesia); a receipt no longer valid is
    announced as cancelled, never shared as proof of payment."""
    if payment.status != "valid":
        return cancellation_text(payment, member)
    recorded = to_wib(payment.recorded_at) if payment.recorded_at else None
    with in_locale("id"):
        channel = Channel.label_of(payment.channel)
    lines = [
        "*Kuitansi Iuran BPJS Ketenagakerjaan*",
        f"No. kuitansi: {payment.receipt_number}",
        f"Nama: {member.full_name}",
    ]
    if member.kpj:
        lines.append(f"KPJ: {member.kpj}")
    code = payment_code(member)
    if code:
        lines.append(f"Kode bayar: {grouped(code)}")
    lines += [
        f"Masa perlindungan: {cover_label(payment.cover_from, payment.cover_to)} ({payment.months} bulan)",
        f"Jumlah: {format_rupiah(payment.amount)} ({amount_in_words(payment.amount)})",
        f"Cara bayar: {channel}",
        *payer_lines(payment),
        f"Tanggal bayar: {payment.paid_on:%d/%m/%Y}",
        f"Dicatat oleh: {recorded_by_name}" + (f", {recorded:%d/%m/%Y %H:%M} WIB" if recorded else ""),
    ]
    if member.status == "submitted":
        lines.append(PENDING_NOTE_ID)
    lines.append("Terima kasih.")
    return "\n".join(lines)


def payer_lines(payment) -> list[str]:
    """Who paid the member's dues, when not the member (in Bahasa Indonesia, as the whole text)."""
    if payment.payer == Payer.self_.value:
        return []
    with in_locale("id"):
        kind = Payer.label_of(payment.payer)
    return [f"Dibayar oleh: {kind}" + (f" ({payment.payer_name})" if payment.payer_name else "")]


def cancellation_text(payment, member) -> str:
    """The notice that a receipt was cancelled (voided, or its registration rejected)."""
    lines = [
        "*PEMBERITAHUAN: Kuitansi Iuran BPJS Ketenagakerjaan DIBATALKAN*",
        f"Kuitansi No. {payment.receipt_number} atas nama {member.full_name} sebesar "
        f"{format_rupiah(payment.amount)} telah dibatalkan dan tidak berlaku sebagai bukti pembayaran.",
    ]
    if payment.void_reason:
        lines.append(f"Alasan: {payment.void_reason}")
    if payment.status == "refund_due":
        lines.append("Uang iuran ini akan dikembalikan kepada Bapak/Ibu.")
    elif payment.status == "refunded":
        lines.append("Uang iuran ini telah dikembalikan kepada Bapak/Ibu.")
    lines.append("Mohon maaf atas ketidaknyamanannya.")
    return "\n".join(lines)


def reminder_text(member, monthly_amount: int, this_month: dt.date) -> str:
    """A polite reminder naming the member and the monthly contribution."""
    covered = member.covered_until
    if covered is not None and covered >= this_month:
        situation = f"perlindungan BPJS Ketenagakerjaan Bapak/Ibu berakhir pada akhir bulan {long_month(covered)}"
    elif covered is not None:
        situation = f"perlindungan BPJS Ketenagakerjaan Bapak/Ibu telah berakhir pada akhir bulan {long_month(covered)}"
    else:
        situation = "perlindungan BPJS Ketenagakerjaan Bapak/Ibu belum aktif"
    return (
        f"Yth. Bapak/Ibu {member.full_name}, dengan hormat kami sampaikan bahwa {situation}. "
        f"Agar tetap terlindungi, iuran bulanan sebesar {format_rupiah(monthly_amount)} dapat dibayarkan "
        "kepada Duta desa atau melalui bank/agen. Tidak ada tunggakan untuk bulan yang terlewat. "
        "Terima kasih atas perhatiannya."
    )


def reminder_link(member, monthly_amount: int, this_month: dt.date) -> str:
    return whatsapp_url(member.phone, reminder_text(member, monthly_amount, this_month))
