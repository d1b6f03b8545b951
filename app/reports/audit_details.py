"""An audit entry's detail in words for the audit page: each field by its label, codes by the labels the
app already shows them with, money in rupiah, days and months as dates, and nothing for what is empty.

The JSON API keeps the detail as it was written; only the page reads it this way."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from app.auth.models import PartnerKind, Role
from app.claims.models import ClaimKind, ClaimStatus
from app.core.i18n import _, lazy_gettext
from app.core.money import format_rupiah
from app.core.templating import format_day, format_month, format_number
from app.dues.documents import payment_status_label
from app.dues.models import Channel, Payer
from app.events.models import EventKind
from app.followups.models import OUTCOME_LABELS
from app.members.models import MemberStatus, Occupation, Sex
from app.partners.models import Resolution
from app.pmi.models import Destination
from app.programme.models import OfficialPosition, Stage, TargetMetric
from app.programme.service import LEVEL_LABELS
from app.workflows.approvals import REJECTION_REASONS

# Every key an entry's detail may hold (tests/audit/test_details.py checks each `audit.record` call),
# the member fields of a correction, and the keys of a stage's evidence.
FIELD_LABELS = {
    "ip": lazy_gettext("IP address"),
    "username": lazy_gettext("Username"),
    "name": lazy_gettext("Name"),
    "regencies": lazy_gettext("Regencies"),
    "added": lazy_gettext("Added"),
    "released": lazy_gettext("Released"),
    "bank_name": lazy_gettext("Bank name"),
    "bank_account_number": lazy_gettext("Account number"),
    "bank_account_holder": lazy_gettext("Account holder"),
    "role": lazy_gettext("Role"),
    "branch": lazy_gettext("Branch"),
    "branch_code": lazy_gettext("Branch"),
    "destination": lazy_gettext("Destination country"),
    "departure_on": lazy_gettext("Planned departure"),
    "package": lazy_gettext("Protection package"),
    "contract_months": lazy_gettext("Work contract (months)"),
    "extension_months": lazy_gettext("Months beyond the package"),
    "receipt_number": lazy_gettext("Receipt"),
    "villages": lazy_gettext("Villages"),
    "member_number": lazy_gettext("Internal number"),
    "kpj": "KPJ",
    "card_version": lazy_gettext("Card version"),
    "village": lazy_gettext("Village"),
    "village_code": lazy_gettext("Village"),
    "batch": lazy_gettext("Approved together"),
    "members": lazy_gettext("Members"),
    "skipped": lazy_gettext("Skipped"),
    "flagged": lazy_gettext("Flagged"),
    "code": lazy_gettext("Reason"),
    "reason": lazy_gettext("Note"),
    "refund_due": lazy_gettext("Payments to refund"),
    "lines": lazy_gettext("Lines"),
    "matched": lazy_gettext("Matched"),
    "new_payments": lazy_gettext("New payments"),
    "unmatched": lazy_gettext("Unmatched"),
    "resolution": lazy_gettext("Resolution"),
    "note": lazy_gettext("Note"),
    "receipt": lazy_gettext("Receipt"),
    "partner": lazy_gettext("Partner"),
    "status": lazy_gettext("Status"),
    "nik": lazy_gettext("NIK"),
    "previous": lazy_gettext("Before"),
    "was": lazy_gettext("Before"),
    "changes": lazy_gettext("Changes"),
    "from": lazy_gettext("From"),
    "to": lazy_gettext("To"),
    "reached_on": lazy_gettext("Reached on"),
    "evidence": lazy_gettext("Evidence"),
    "year": lazy_gettext("Year"),
    "level": lazy_gettext("Level"),
    "scope_code": lazy_gettext("Area"),
    "scope": lazy_gettext("Area"),
    "metric": lazy_gettext("Measure"),
    "workers": lazy_gettext("Informal workers"),
    "covered": lazy_gettext("Covered"),
    "kind": lazy_gettext("Kind"),
    "date": lazy_gettext("Date"),
    "attendance": lazy_gettext("Attendance"),
    "member_id": lazy_gettext("Member"),
    "months": lazy_gettext("Months"),
    "amount": lazy_gettext("Amount"),
    "channel": lazy_gettext("Paid by"),
    "paid_on": lazy_gettext("Payment date"),
    "payer": lazy_gettext("Who pays"),
    "payer_name": lazy_gettext("Payer's name"),
    "reference": lazy_gettext("Bank reference"),
    "cover_from": lazy_gettext("Cover from"),
    "cover_to": lazy_gettext("Cover to"),
    "total": lazy_gettext("Total"),
    "receipts": lazy_gettext("Receipts"),
    "bank_reference": lazy_gettext("Bank reference"),
    "occupation": lazy_gettext("Occupation"),
    "first": lazy_gettext("First month"),
    "last": lazy_gettext("Last month"),
    "per_member": lazy_gettext("Per member approved (Rp)"),
    "percent": lazy_gettext("Share of the dues, in percent"),
    "jkk_off": lazy_gettext("JKK discount (%)"),
    "jkm_off": lazy_gettext("JKM discount (%)"),
    "rows": lazy_gettext("Rows"),
    # a file of members (members.imports)
    "created": lazy_gettext("Registered"),
    "already": lazy_gettext("Members already"),
    "wrong": lazy_gettext("Rows with errors"),
    "format": lazy_gettext("Format"),
    "text": lazy_gettext("Detail"),
    "value": lazy_gettext("Detail"),
    # a correction's fields (members.service.FIELDS)
    "full_name": lazy_gettext("Full name"),
    "sex": lazy_gettext("Sex"),
    "birth_date": lazy_gettext("Birth date"),
    "phone": lazy_gettext("Mobile number (WhatsApp)"),
    "address": lazy_gettext("Address"),
    "rt": lazy_gettext("RT"),
    "rw": lazy_gettext("RW"),
    "monthly_income": lazy_gettext("Monthly income"),
    "jht": lazy_gettext("JHT"),
    "heir_name": lazy_gettext("Heir"),
    "heir_relation": lazy_gettext("Heir's relation to the worker"),
    "event_id": lazy_gettext("Event"),
    # a stage's evidence (programme.stages)
    "duta_accounts": lazy_gettext("Duta accounts"),
    "event_date": lazy_gettext("Event date"),
    "enrolled": lazy_gettext("Enrolled"),
    "decree_number": lazy_gettext("Decree number"),
    # a village's roster of officials (programme.officials)
    "officials": lazy_gettext("Village officials"),
    # a contact with a member (followups)
    "outcome": lazy_gettext("What came of it"),
    "promised_on": lazy_gettext("Promised to pay on"),
    "next_contact_on": lazy_gettext("Next contact"),
    # a partner and its API clients (partners)
    "contact": lazy_gettext("Contact"),
    "partner_id": lazy_gettext("Partner"),
}


def _labelled(labels: dict) -> Callable[[Any], str]:
    return lambda code: str(labels.get(code, code))


def _day(value: Any) -> str:
    try:
        return format_day(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _month(value: Any) -> str:
    """`2026-11` (how entries keep a month) as the month's name."""
    try:
        return format_month(dt.date.fromisoformat(f"{value}-01"))
    except ValueError:
        return str(value)


def _number(value: Any) -> str:
    return format_number(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


# How a field's value reads, by its key; a key not here shows its value as written.
VALUE_FORMATS: dict[str, Callable[[Any], str]] = {
    "amount": format_rupiah,
    "per_member": format_rupiah,
    "total": format_rupiah,
    "monthly_income": format_rupiah,
    "paid_on": _day,
    "date": _day,
    "reached_on": _day,
    "birth_date": _day,
    "event_date": _day,
    "departure_on": _day,
    "promised_on": _day,
    "next_contact_on": _day,
    "cover_from": _month,
    "cover_to": _month,
    "first": _month,
    "last": _month,
    "occupation": Occupation.label_of,
    "sex": Sex.label_of,
    "status": MemberStatus.label_of,
    "channel": Channel.label_of,
    "payer": Payer.label_of,
    "role": Role.label_of,
    "kind": EventKind.label_of,
    "metric": TargetMetric.label_of,
    "level": _labelled(LEVEL_LABELS),
    "code": _labelled(REJECTION_REASONS),
    "was": payment_status_label,
    "workers": _number,
    "covered": _number,
    "attendance": _number,
    "rows": _number,
    "created": _number,
    "already": _number,
    "wrong": _number,
    "enrolled": _number,
    "card_version": _number,
    "outcome": _labelled(OUTCOME_LABELS),
}

# Keys whose meaning depends on the action.
ACTION_FORMATS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("stage_changed", "from"): Stage.label_of,
    ("stage_changed", "to"): Stage.label_of,
    ("member_submitted", "previous"): MemberStatus.label_of,
    ("stage_changed", "total"): _number,  # the officials of a village, in the evidence
    ("estimate_set", "from"): _number,
    ("estimate_set", "to"): _number,
    ("target_set", "from"): _number,
    ("target_set", "to"): _number,
    ("claim_reported", "kind"): ClaimKind.label_of,
    ("pmi_registered", "destination"): Destination.label_of,
    ("partner_created", "kind"): PartnerKind.label_of,
    ("partner_updated", "kind"): PartnerKind.label_of,
    ("settlement_line_resolved", "resolution"): Resolution.label_of,
    ("claim_status", "from"): ClaimStatus.label_of,
    ("claim_status", "to"): ClaimStatus.label_of,
}


# Actions whose `changes` are the fields changed, each `[before, after]`.
CHANGE_ACTIONS = ("member_updated", "identity_change_requested", "identity_change_approved")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _text(action: str, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return "; ".join(f"{label}: {text}" for label, text in describe(action, value))
    if isinstance(value, list):
        return ", ".join(_text(action, key, item) for item in value if not _empty(item))
    formatter = ACTION_FORMATS.get((action, key)) or VALUE_FORMATS.get(key)
    return formatter(value) if formatter is not None else str(value)


def _change(key: str, pair: Any) -> str:
    """A corrected field: `before → after` (an empty side as a dash)."""
    if not (isinstance(pair, list) and len(pair) == 2):
        return _text("member_updated", key, pair)
    before, after = ("–" if _empty(side) else _text("member_updated", key, side) for side in pair)
    return f"{before} → {after}"


def _official(item: dict) -> str:
    return f"{OfficialPosition.label_of(item.get('position'))} {item.get('name', '')}".strip()


def describe(action: str, detail: dict) -> list[tuple[str, str]]:
    """(label, text) for each field of the detail that holds something, in the order written."""
    shown = []
    for key, value in detail.items():
        if _empty(value):
            continue
        label = str(FIELD_LABELS.get(key, key))
        if key == "changes" and isinstance(value, dict) and action in CHANGE_ACTIONS:
            shown += [(str(FIELD_LABELS.get(name, name)), _change(name, pair)) for name, pair in value.items()]
        elif key == "officials" and isinstance(value, list):  # a roster: "Kepala desa Pak Kades, ..."
            shown.append((label, ", ".join(_official(item) for item in value if isinstance(item, dict))))
        elif action == "members_approved" and key == "members" and isinstance(value, dict):
            shown.append((label, ", ".join(f"#{member_id}: {number}" for member_id, number in value.items())))
        else:
            shown.append((label, _text(action, key, value)))
    return shown
