"""Partners (mitra) and their API clients, kept by the regional office and the administrator.

A partner serves regencies; each of its API clients acts through an account of role `mitra` whose area
is the villages of those regencies (app/auth/scope.py). A client's secret is shown once, when made or
rotated, and only its hash is kept."""

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.auth import clients
from app.auth.models import Partner, PartnerClient, PartnerKind, PartnerRegency, Role, User
from app.auth.scope import Actor, require_role
from app.core import audit
from app.core.clock import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.core.text import text_errors
from app.regions.models import Regency

KEEPERS = (Role.wilayah.value, Role.admin.value)
NAME_LENGTH = 120
CONTACT_LENGTH = 200
# More regencies than a province holds is no partner's area.
MAX_REGENCIES = 60


@dataclass(frozen=True)
class NewSecret:
    """A client just made or rotated: its secret, to show once."""

    client: PartnerClient
    secret: str


def require_keeper(actor: Actor) -> None:
    """Partners are the region's: kept by the regional office and the administrator (403 for others)."""
    require_role(actor, *KEEPERS)


def list_partners(session: Session, actor: Actor) -> list[tuple[Partner, int, int]]:
    """Every partner with its number of regencies and of live clients."""
    require_keeper(actor)
    regencies = select(func.count()).where(PartnerRegency.partner_id == Partner.id).correlate(Partner).scalar_subquery()
    live = (
        select(func.count())
        .where(PartnerClient.partner_id == Partner.id, col(PartnerClient.revoked_at).is_(None))
        .correlate(Partner)
        .scalar_subquery()
    )
    rows = session.exec(select(Partner, regencies, live).order_by(func.lower(Partner.name))).all()
    return [(partner, count, clients_live) for partner, count, clients_live in rows]


def get_partner(session: Session, actor: Actor, partner_id: int) -> Partner:
    require_keeper(actor)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(_("Partner not found."))
    return partner


def regencies_of(session: Session, partner_id: int) -> list[str]:
    return list(
        session.exec(
            select(PartnerRegency.regency_code)
            .where(PartnerRegency.partner_id == partner_id)
            .order_by(PartnerRegency.regency_code)
        ).all()
    )


def clients_of(session: Session, partner_id: int) -> list[PartnerClient]:
    return list(
        session.exec(
            select(PartnerClient).where(PartnerClient.partner_id == partner_id).order_by(col(PartnerClient.id))
        ).all()
    )


def _checked(
    session: Session, kind: str, name: str, contact: str, regency_codes: list[str], partner_id: int | None
) -> tuple[str, str, str, list[str]]:
    """The values cleaned, or Invalid with a message beside each wrong field."""
    kind, name, contact = kind.strip(), " ".join(name.split()), contact.strip()
    errors = text_errors({"name": name, "contact": contact})
    if kind not in PartnerKind.codes():
        errors["kind"] = _("Choose the kind of partner.")
    if not name:
        errors["name"] = _("Fill in the name.")
    elif len(name) > NAME_LENGTH:
        errors["name"] = _("Use at most %(n)s characters.", n=NAME_LENGTH)
    elif session.exec(
        select(Partner.id).where(func.lower(Partner.name) == name.lower(), Partner.id != partner_id)
    ).first():
        errors["name"] = _("Another partner has this name.")
    if len(contact) > CONTACT_LENGTH:
        errors["contact"] = _("Use at most %(n)s characters.", n=CONTACT_LENGTH)
    codes = sorted({code.strip() for code in regency_codes[: MAX_REGENCIES + 1]})
    if not codes:
        errors["regencies"] = _("Tick the regencies it serves.")
    elif len(codes) > MAX_REGENCIES or len(
        session.exec(select(Regency.code).where(col(Regency.code).in_(codes))).all()
    ) != len(codes):
        errors["regencies"] = _("Tick regencies of the list.")
    if errors:
        raise Invalid(errors)
    return kind, name, contact, codes


def create_partner(
    session: Session, actor: Actor, kind: str, name: str, contact: str, regency_codes: list[str]
) -> Partner:
    require_keeper(actor)
    kind, name, contact, codes = _checked(session, kind, name, contact, regency_codes, None)
    partner = Partner(kind=kind, name=name, contact=contact)
    session.add(partner)
    session.flush()
    assert partner.id is not None  # flushed
    session.add_all(PartnerRegency(partner_id=partner.id, regency_code=code) for code in codes)
    audit.record(
        session, actor, "partner_created", "partner", partner.id, kind=kind, name=name, contact=contact, regencies=codes
    )
    session.commit()
    return partner


def edit_partner(
    session: Session, actor: Actor, partner_id: int, kind: str, name: str, contact: str, regency_codes: list[str]
) -> Partner:
    """Its clients' area follows the regencies at once (read with every request)."""
    partner = get_partner(session, actor, partner_id)
    kind, name, contact, codes = _checked(session, kind, name, contact, regency_codes, partner_id)
    before = regencies_of(session, partner_id)
    partner.kind, partner.name, partner.contact = kind, name, contact
    session.add(partner)
    # Its clients' accounts carry its name, which the audit log shows beside the client id.
    session.exec(
        update(User)
        .where(col(User.id).in_(select(PartnerClient.user_id).where(PartnerClient.partner_id == partner_id)))
        .values(full_name=name)
    )
    for row in session.exec(select(PartnerRegency).where(PartnerRegency.partner_id == partner_id)).all():
        if row.regency_code not in codes:
            session.delete(row)
    session.add_all(PartnerRegency(partner_id=partner_id, regency_code=c) for c in codes if c not in before)
    audit.record(
        session,
        actor,
        "partner_updated",
        "partner",
        partner_id,
        kind=kind,
        name=name,
        contact=contact,
        added=[c for c in codes if c not in before],
        released=[c for c in before if c not in codes],
    )
    session.commit()
    return partner


def create_client(session: Session, actor: Actor, partner_id: int) -> NewSecret:
    """A new client and its account (role `mitra`, no password anyone knows: it cannot log in)."""
    partner = get_partner(session, actor, partner_id)
    client_id = clients.new_client_id()
    secret, secret_hash = clients.new_secret()
    # The account's name is what the audit log shows as the actor: the client id, the partner beside it.
    user = User(
        username=client_id,
        full_name=partner.name,
        role=Role.mitra.value,
        password_hash=clients.new_secret()[1],
    )
    session.add(user)
    session.flush()
    assert user.id is not None and partner.id is not None  # flushed
    client = PartnerClient(partner_id=partner.id, user_id=user.id, client_id=client_id, secret_hash=secret_hash)
    session.add(client)
    audit.record(session, actor, "partner_client_created", "partner_client", client_id, partner_id=partner.id)
    session.commit()
    return NewSecret(client, secret)


def _live_client(session: Session, actor: Actor, partner_id: int, client_id: str) -> tuple[PartnerClient, User]:
    get_partner(session, actor, partner_id)
    row = session.exec(
        select(PartnerClient, User)
        .join(User, col(User.id) == PartnerClient.user_id)
        .where(PartnerClient.partner_id == partner_id, PartnerClient.client_id == client_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(_("Client not found."))
    if row[0].revoked_at is not None:
        raise Conflict(_("This client was revoked."))
    return row[0], row[1]


def rotate_client(session: Session, actor: Actor, partner_id: int, client_id: str) -> NewSecret:
    """A new secret; the old one and every token it gave stop working (the account's credentials version)."""
    client, user = _live_client(session, actor, partner_id, client_id)
    secret, client.secret_hash = clients.new_secret()
    client.rotated_at = utcnow()
    user.credentials_version += 1
    session.add_all([client, user])
    audit.record(session, actor, "partner_client_rotated", "partner_client", client_id, partner_id=partner_id)
    session.commit()
    return NewSecret(client, secret)


def revoke_client(session: Session, actor: Actor, partner_id: int, client_id: str) -> PartnerClient:
    """For good: the client's secret and tokens stop working; what it recorded stays, under its name."""
    client, user = _live_client(session, actor, partner_id, client_id)
    client.revoked_at = utcnow()
    user.is_active = False
    user.credentials_version += 1
    session.add_all([client, user])
    audit.record(session, actor, "partner_client_revoked", "partner_client", client_id, partner_id=partner_id)
    session.commit()
    return client
