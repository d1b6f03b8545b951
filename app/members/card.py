"""The member card (kartu peserta digital) and its public verification.

The card's QR code opens `/v/{token}`: the member's id and card version, signed with the app's secret
(itsdangerous, HMAC), about 40 characters so the code stays small enough for a cheap phone's camera.
Anyone may open it, without logging in; it shows the first name and the last name's initial, the village,
the cover status and the last covered month, never the NIK, phone or address. Revoking the card (the
`duta` of the village or the branch officer, with a reason, audited) raises the version: the codes shared
before then show "Kartu tidak berlaku", and the card shown afterwards carries a new one.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core import audit
from app.core.clock import today
from app.core.config import get_settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.templating import format_day, mask_nik
from app.members import service
from app.members.cover import CoverStatus, cover_status
from app.members.models import Member, MemberStatus
from app.members.payment_code import grouped, payment_code
from app.members.requests import reason_text
from app.regions import service as regions_service

# A token is about 40 characters; anything much longer was not made here (and is not read).
MAX_TOKEN = 100
REVOKING_ROLES = (Role.duta.value, Role.cabang.value)


@lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="duta-member-card")


def card_token(member: Member) -> str:
    return _serializer(get_settings().secret_key).dumps([member.id, member.card_version])


def verification_url(base_url: str, token: str) -> str:
    """The address the QR code holds: on the app's public address (PUBLIC_URL), else on the one the
    request came to (`base_url`), so that a card made in an office's network still opens outside it."""
    return f"{(get_settings().public_url or base_url).rstrip('/')}/v/{token}"


def programmes(member: Member) -> tuple[str, ...]:
    """The informal (BPU) programmes the member pays for: JKK and JKM always, JHT if chosen."""
    return ("JKK", "JKM", "JHT") if member.jht else ("JKK", "JKM")


def card_problem(member: Member) -> str | None:
    """Why the member has no card, or None: a card is an approved, living member's."""
    if member.status != MemberStatus.approved.value:
        return _("A member card is made once the registration is approved.")
    if member.died_on is not None:
        return _("The member died on %(day)s: the card is no longer valid.", day=format_day(member.died_on))
    return None


def may_revoke(actor: Actor, member: Member) -> bool:
    return actor.role in REVOKING_ROLES and card_problem(member) is None


@dataclass(frozen=True)
class Card:
    member: Member
    nik: str  # always masked: a card is shown and shared
    programmes: tuple[str, ...]
    cover_status: CoverStatus
    covered_until: dt.date | None
    payment_code: str  # grouped for reading; "" when the member number is not of digits
    village_name: str
    token: str


def member_card(session: Session, actor: Actor, member_id: int) -> Card:
    """The card of a member in the actor's area (404 outside it; 409 for a member without a card)."""
    member = service.get_member(session, actor, member_id)
    problem = card_problem(member)
    if problem:
        raise Conflict(problem)
    return Card(
        member=member,
        nik=mask_nik(member.nik),
        programmes=programmes(member),
        cover_status=cover_status(member.covered_until, today()),
        covered_until=member.covered_until,
        payment_code=grouped(payment_code(member)),
        village_name=regions_service.village_name(session, member.village_code) or member.village_code,
        token=card_token(member),
    )


def revoke_card(session: Session, actor: Actor, member_id: int, reason) -> Member:
    """Make the card's QR codes shared so far invalid (a lost phone, a card passed to someone else); the
    card shown from now on carries a new code."""
    member = service.get_member(session, actor, member_id, for_update=True)
    require_role(actor, *REVOKING_ROLES)
    problem = card_problem(member)
    if problem:
        raise Conflict(problem)
    text, reason_problem = reason_text(reason, _("Say why the card is revoked (at least 5 characters)."))
    if reason_problem:
        raise Invalid({"reason": reason_problem})
    member.card_version += 1
    session.add(member)
    audit.record(session, actor, "card_revoked", "member", member.id, reason=text, card_version=member.card_version)
    session.commit()
    return member


def short_name(full_name: str) -> str:
    """`Siti Aminah Lubis` -> `Siti L.`: the first name and the last name's initial."""
    parts = full_name.split()
    if len(parts) < 2:
        return parts[0] if parts else ""
    return f"{parts[0]} {parts[-1][0].upper()}."


@dataclass(frozen=True)
class Verification:
    """What the public page may say: nothing but `valid` for a revoked card."""

    valid: bool
    name: str = ""
    village_name: str = ""
    cover_status: CoverStatus | None = None
    covered_until: dt.date | None = None


def _read_token(token: str) -> tuple[int, int]:
    if len(token) > MAX_TOKEN:
        raise NotFound(_("This card link is not valid."))
    try:
        payload = _serializer(get_settings().secret_key).loads(token)
    except BadSignature:
        raise NotFound(_("This card link is not valid.")) from None
    member_id, version = payload  # signed here: [id, version]
    return member_id, version


def verify(session: Session, token: str) -> Verification:
    """The public check of a card's QR code: 404 for a token not signed here; invalid for a revoked card,
    or a member no longer holding one."""
    member_id, version = _read_token(token)
    member = session.get(Member, member_id)
    if member is None or member.card_version != version or card_problem(member) is not None:
        return Verification(valid=False)
    return Verification(
        valid=True,
        name=short_name(member.full_name),
        village_name=regions_service.village_name(session, member.village_code) or "",
        cover_status=cover_status(member.covered_until, today()),
        covered_until=member.covered_until,
    )


# What goes to WhatsApp is in Bahasa Indonesia, the member's language, as the receipts' messages are.
def share_text(card: Card, url: str) -> str:
    lines = [f"Kartu peserta BPJS Ketenagakerjaan a.n. {short_name(card.member.full_name)}"]
    if card.payment_code:
        lines.append(f"Kode bayar: {card.payment_code}")
    lines.append(f"Periksa kartu dan status perlindungan: {url}")
    return "\n".join(lines)


def share_url(card: Card, url: str) -> str:
    """A WhatsApp link with the card's verification address; WhatsApp chooses the chat. A link carries
    text only: the card's picture is downloaded and attached by hand."""
    return f"https://wa.me/?text={quote(share_text(card, url), safe='')}"
