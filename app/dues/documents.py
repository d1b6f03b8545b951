"""The receipt and the deposit slip as A5 PDFs: the same content as their pages, in the user's language."""

from app.core.i18n import _, ngettext
from app.core.money import format_rupiah
from app.core.pdf import Document, render_pdf
from app.core.templating import format_day, format_moment
from app.dues.models import Channel, Payer


def payment_status_label(status: str) -> str:
    return {
        "valid": _("valid"),
        "void": _("void"),
        "refund_due": _("refund due"),
        "refunded": _("refunded"),
        "submitted": _("waiting for confirmation"),
        "confirmed": _("confirmed"),
        "returned": _("returned"),
    }.get(status, status)


def receipt_pdf(context: dict) -> bytes:
    payment, member = context["payment"], context["member"]
    channel = Channel.label_of(payment.channel)
    notes = []
    if payment.status != "valid":
        notes.append(payment_status_label(payment.status) + (f": {payment.void_reason}" if payment.void_reason else ""))
    elif context["pending"]:
        notes.append(pending_note())
    document = Document(
        title=f"{_('Receipt')} {payment.receipt_number}",
        banner=_("VOIDED") if payment.status != "valid" else None,
        notes=notes,
        fields=[
            (_("Member"), member.full_name),
            ("KPJ", member.kpj or (_("KPJ pending") if member.status == "approved" else _("waiting for approval"))),
            *([(_("Payment code"), context["payment_code"])] if context["payment_code"] else []),
            (
                _("Months covered"),
                f"{context['cover']} ({ngettext('%(num)s month', '%(num)s months', payment.months)})",
            ),
            (_("Amount"), f"{format_rupiah(payment.amount)}\n{context['words']}"),
            (_("Paid by"), channel + (f" · {payment.reference}" if payment.reference else "")),
            *payer_fields(payment.payer, payment.payer_name),
            (_("Payment date"), format_day(payment.paid_on)),
            (_("Recorded by"), f"{context['recorder_name']} · {format_moment(payment.recorded_at)}"),
        ],
    )
    return render_pdf(document)


def pending_note() -> str:
    return _(
        "This registration waits for the branch's approval: cover starts once the branch approves it. "
        "If the registration is rejected, this money is returned."
    )


def deposit_slip_pdf(context: dict) -> bytes:
    deposit, duta, branch = context["deposit"], context["duta"], context["branch"]
    if branch is not None and branch.bank_account_number:
        account = [
            (_("Bank name"), branch.bank_name or ""),
            (_("Account number"), branch.bank_account_number),
            (_("Account holder"), branch.bank_account_holder or ""),
        ]
    else:
        account = [(_("Bank account"), _("The branch has no bank account on file; ask the branch office."))]
    document = Document(
        title=f"{_('Deposit slip')} #{deposit.id}",
        fields=[
            (_("Duta"), duta.full_name or duta.username),
            (_("Branch office"), branch.name if branch is not None else "-"),
            (_("Date"), format_moment(deposit.created_at)),
            (_("Status"), payment_status_label(deposit.status)),
            *account,
        ],
        table_header=[_("Receipt"), _("Member"), _("Months covered"), _("Amount")],
        table_rows=[
            [payment.receipt_number, member.full_name, cover, format_rupiah(payment.amount)]
            for payment, member, cover in context["receipts"]
        ],
        closing=[
            _("Total %(total)s.", total=format_rupiah(deposit.total)),
            ngettext("%(num)s receipt", "%(num)s receipts", len(context["receipts"])),
        ],
    )
    return render_pdf(document)


def payer_fields(payer: str, payer_name: str | None) -> list[tuple[str, str]]:
    """Who paid, when not the member: the payer's kind and name."""
    if payer == Payer.self_.value:
        return []
    return [(_("Who pays"), Payer.label_of(payer) + (f" · {payer_name}" if payer_name else ""))]


def group_receipt_pdf(context: dict) -> bytes:
    group, receipts = context["group"], context["receipts"]
    document = Document(
        title=f"{_('Group receipt')} {group.number}",
        fields=[
            (_("Village"), context["village_name"]),
            *payer_fields(group.payer, group.payer_name),
            (_("Months"), ngettext("%(num)s month", "%(num)s months", group.months)),
            (_("Amount"), f"{format_rupiah(group.total)}\n{context['words']}"),
            (_("Paid by"), f"{Channel.bank.label} · {group.reference}"),
            (_("Payment date"), format_day(group.paid_on)),
            (_("Status"), payment_status_label(group.status)),
            (_("Recorded by"), f"{context['recorder_name']} · {format_moment(group.recorded_at)}"),
        ],
        table_header=[_("Member"), _("Member number"), _("Months covered"), _("Amount")],
        table_rows=[
            [member.full_name, member.kpj or member.member_number or "-", cover, format_rupiah(payment.amount)]
            for payment, member, cover in receipts
        ],
        closing=[ngettext("%(num)s member", "%(num)s members", len(receipts))],
    )
    return render_pdf(document)
