import datetime as dt
import enum

from sqlmodel import Field, SQLModel

from app.core.clock import utcnow


class Role(str, enum.Enum):
    duta = "duta"
    cabang = "cabang"
    wilayah = "wilayah"
    admin = "admin"


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
