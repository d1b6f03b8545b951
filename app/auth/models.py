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
