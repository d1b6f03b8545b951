import datetime as dt

from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class Role(Labelled):
    duta = "duta", lazy_gettext("Village ambassador")
    cabang = "cabang", lazy_gettext("Branch officer")
    wilayah = "wilayah", lazy_gettext("Regional office")
    admin = "admin", lazy_gettext("Administrator")
    # A partner's API client (app/auth/clients.py): no login, no pages; registers members and records
    # payments in its partner's regencies through the API.
    mitra = "mitra", lazy_gettext("Partner API client")


# The roles of people's accounts (/users); `mitra` accounts are made with a partner's clients (/partners).
PERSON_ROLES = (Role.duta.value, Role.cabang.value, Role.wilayah.value, Role.admin.value)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    full_name: str = Field(default="", max_length=120)
    role: str = Field(max_length=10, index=True)
    password_hash: str = Field(max_length=255)
    # A `cabang` works for one branch; `duta` accounts also carry the branch that created them.
    branch_code: str | None = Field(default=None, foreign_key="branch.code", index=True, max_length=20)
    is_active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Bumped when the password changes, so older sessions and tokens stop working.
    credentials_version: int = 1
    # Set when someone else chose the password (an admin or branch officer): the owner picks their own
    # before doing anything else.
    must_change_password: bool = False


class UserVillage(SQLModel, table=True):
    """The villages a `duta` serves (usually one)."""

    __tablename__ = "user_village"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    village_code: str = Field(foreign_key="village.code", primary_key=True, index=True, max_length=13)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    ip: str = Field(max_length=64, index=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    succeeded: bool = False


class WebSession(SQLModel, table=True):
    """A logged-in browser, kept on the server: the signed cookie holds only this id (and the CSRF
    token), so logging out or a password reset ends it everywhere, even for a copied cookie."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)  # a random token
    user_id: int = Field(foreign_key="user.id", index=True)
    # The account's credentials_version at login: a later change ends the session as it does tokens.
    credentials_version: int
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None


class PartnerKind(Labelled):
    """What kind of organisation a partner (mitra) is."""

    bank = "bank", lazy_gettext("Bank")
    agen_bank = "agen_bank", lazy_gettext("Bank agent")
    koperasi = "koperasi", lazy_gettext("Cooperative")
    bumdes = "bumdes", lazy_gettext("Village-owned enterprise (BUMDes)")
    dinas_koperasi = "dinas_koperasi", lazy_gettext("Cooperatives office (Dinas Koperasi)")
    bank_indonesia_umkm = "bank_indonesia_umkm", lazy_gettext("Bank Indonesia small-business programme")
    serikat_pekerja = "serikat_pekerja", lazy_gettext("Trade union")
    perusahaan = "perusahaan", lazy_gettext("Company")


class Partner(SQLModel, table=True):
    """A partner (mitra) that enrols workers and takes their dues in the regencies it serves. Kept here,
    beside the accounts, because its API clients act as users (`PartnerClient.user_id`)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=120, unique=True)
    contact: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)


class PartnerRegency(SQLModel, table=True):
    """The regencies a partner serves: its clients' area is their villages."""

    __tablename__ = "partner_regency"

    partner_id: int = Field(foreign_key="partner.id", primary_key=True)
    regency_code: str = Field(foreign_key="regency.code", primary_key=True, index=True, max_length=5)


class PartnerClient(SQLModel, table=True):
    """An API client of a partner: a client id and a secret stored hashed (shown once). It acts through
    an account of role `mitra` (`user_id`), so that payments, members, idempotency keys and the audit
    log name it as they name any user; revoking deactivates that account, rotating bumps its
    credentials version (tokens of the old secret stop working)."""

    __tablename__ = "partner_client"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    client_id: str = Field(unique=True, max_length=40)
    secret_hash: str = Field(max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow)
    rotated_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
