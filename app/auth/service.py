"""Accounts, logins with lockout, and loading the acting user."""

import datetime as dt
import math
import re
import secrets

from sqlalchemy import delete, false, func, or_, update
from sqlmodel import Session, col, select

from app.auth.models import PERSON_ROLES, LoginAttempt, PartnerClient, Role, User, UserVillage, WebSession
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, TooManyAttempts
from app.core.i18n import _
from app.core.security import hash_password, verify_password
from app.core.text import text_errors
from app.regions import service as regions_service
from app.regions.models import Branch, District, Village

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 64  # the column's length (User.username, LoginAttempt.username)


def actor_for(session: Session, user: User) -> Actor:
    assert user.id is not None  # a stored account
    codes = session.exec(select(UserVillage.village_code).where(UserVillage.user_id == user.id)).all()
    partner_id, username = None, user.username
    if user.role == Role.mitra.value:
        # A partner's client: its area is the partner's regencies; the audit log names the partner too.
        partner_id = session.exec(select(PartnerClient.partner_id).where(PartnerClient.user_id == user.id)).first()
        username = f"{user.username} · {user.full_name}"[:MAX_USERNAME_LENGTH]
    return Actor(
        id=user.id,
        username=username,
        role=user.role,
        branch_code=user.branch_code,
        village_codes=tuple(sorted(codes)),
        must_change_password=user.must_change_password,
        partner_id=partner_id,
    )


def load_actor(session: Session, user_id: int, credentials_version: int) -> Actor | None:
    """The acting user of a request (cookie or bearer token), or None when the account was deactivated
    or its password changed since the cookie or token was issued."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.credentials_version != credentials_version:
        return None
    return actor_for(session, user)


def _recent_failures(session: Session, column, value: str) -> tuple[int, dt.datetime | None]:
    """Failed attempts inside the window, and when the latest one was."""
    since = utcnow() - dt.timedelta(minutes=get_settings().login_window_minutes)
    count, latest = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            column == value, col(LoginAttempt.succeeded).is_(False), LoginAttempt.at >= since
        )
    ).one()
    return count, latest


def _refused(session: Session, action: str, username: str, ip: str, message: str, wait: float) -> TooManyAttempts:
    # Anyone may hammer a locked account or address: a minute's refusals of one username from one
    # address are one entry with a count, not a row each.
    audit.record_repeats(session, None, action, "user", username, actor_name=username, ip=ip)
    session.commit()
    return TooManyAttempts(message, retry_after=wait)


def _refuse_if_locked(session: Session, username: str, ip: str) -> None:
    """Raise TooManyAttempts while the account or the address is locked or must still wait."""
    settings = get_settings()
    failures, latest = _recent_failures(session, LoginAttempt.username, username)
    if failures >= settings.login_max_failures_user or (
        _recent_failures(session, LoginAttempt.ip, ip)[0] >= settings.login_max_failures_ip
    ):
        raise _refused(
            session,
            "login_locked",
            username,
            ip,
            _("Too many failed logins. Try again in %(minutes)s minutes.", minutes=settings.login_window_minutes),
            settings.login_window_minutes * 60,
        )
    if failures and latest is not None:
        wait = settings.login_backoff_seconds * 2 ** (failures - 1) - (utcnow() - latest).total_seconds()
        if wait > 0:
            raise _refused(
                session,
                "login_throttled",
                username,
                ip,
                _("Wait %(seconds)s seconds before trying again.", seconds=math.ceil(wait)),
                wait,
            )


def authenticate(session: Session, username: str, password: str, ip: str) -> User:
    """Check a login; every attempt is recorded (and audited) whatever its outcome.

    An account's failures first slow it down (each wait twice the one before), then lock it for the
    window; an address locks only after many more failures. Attempts refused for either reason are not
    failures themselves, so a hurried user is not pushed into the lock."""
    username = username.strip().lower()
    if len(username) > MAX_USERNAME_LENGTH:
        # No account has such a name: refused as any wrong login, before any row (or audit) is written.
        raise NotAuthenticated(_("Wrong username or password."))
    _refuse_if_locked(session, username, ip)
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else None) and user is not None and user.is_active
    # A partner's client signs in with its client id and secret only (app/auth/clients.py).
    ok = ok and user is not None and user.role != Role.mitra.value
    session.add(LoginAttempt(username=username, ip=ip, succeeded=ok))
    if not ok:
        audit.record(session, None, "login_failed", "user", username, actor_name=username, ip=ip)
        session.commit()
        raise NotAuthenticated(_("Wrong username or password."))
    assert user is not None  # ok implies an account
    audit.record(session, user, "login", "user", user.id, ip=ip)
    session.commit()
    return user


# Browser sessions, kept in the database so that every worker sees a logout at once.


def start_web_session(session: Session, user: User) -> str:
    """A new session for a browser that just logged in; its id goes into the signed cookie. The
    user's ended and expired sessions are dropped here, so the table holds only live ones and recent."""
    assert user.id is not None  # a stored account
    now = utcnow()
    session.exec(
        delete(WebSession).where(
            col(WebSession.user_id) == user.id,
            or_(col(WebSession.ended_at).is_not(None), col(WebSession.expires_at) <= now),
        )
    )
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=session_id,
            user_id=user.id,
            credentials_version=user.credentials_version,
            created_at=now,
            expires_at=now + dt.timedelta(days=get_settings().session_days),
        )
    )
    session.commit()
    return session_id


def web_session_actor(session: Session, session_id: str) -> Actor | None:
    """The user of a browser session, or None once it has ended, expired or never existed."""
    row = session.get(WebSession, session_id)
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    return load_actor(session, row.user_id, row.credentials_version)


def end_web_session(session: Session, session_id: str) -> None:
    """Logout: the session ends on the server, so a copy of the cookie is worthless too."""
    session.exec(
        update(WebSession)
        .where(col(WebSession.id) == session_id, col(WebSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    session.commit()


def _end_web_sessions(session: Session, user_id: int, keep: str | None = None) -> None:
    """End every open session of an account (but `keep`), in the caller's transaction."""
    clause = [col(WebSession.user_id) == user_id, col(WebSession.ended_at).is_(None)]
    if keep is not None:
        clause.append(col(WebSession.id) != keep)
    session.exec(update(WebSession).where(*clause).values(ended_at=utcnow()))


def _password_error(password: str) -> str | None:
    """The rule for every new password, whoever chooses it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    return None


def change_own_password(
    session: Session,
    actor: Actor,
    current: str,
    new: str,
    again: str,
    ip: str,
    keep_session_id: str | None = None,
) -> User:
    """A user changes their own password. A wrong current password is a failed login (it counts
    towards the lock, and the lock applies here too, so a stolen session cannot guess the password).
    Success ends the account's other sessions and its API tokens; the session `keep_session_id` stays."""
    user = session.get(User, actor.id)
    assert user is not None  # the acting user exists
    try:
        _refuse_if_locked(session, user.username, ip)
    except TooManyAttempts as error:
        error.field = "current_password"
        raise
    if not verify_password(current, user.password_hash):
        session.add(LoginAttempt(username=user.username, ip=ip, succeeded=False))
        audit.record(session, actor, "password_change_failed", "user", user.id, ip=ip)
        session.commit()
        raise Invalid({"current_password": _("Wrong password.")})
    errors: dict[str, str] = {}
    problem = _password_error(new)
    if problem:
        errors["new_password"] = problem
    elif new == current:
        errors["new_password"] = _("Choose a password other than the current one.")
    elif new != again:
        errors["new_password_again"] = _("The two new passwords are not the same.")
    if errors:
        raise Invalid(errors)
    user.password_hash = hash_password(new)
    user.credentials_version += 1
    user.must_change_password = False
    session.add(user)
    assert user.id is not None  # a stored account
    _end_web_sessions(session, user.id, keep=keep_session_id)
    if keep_session_id is not None:
        session.exec(
            update(WebSession)
            .where(col(WebSession.id) == keep_session_id)
            .values(credentials_version=user.credentials_version)
        )
    audit.record(session, actor, "password_changed", "user", user.id, ip=ip)
    session.commit()
    return user


def create_user(
    session: Session,
    actor: Actor | None,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    branch_code: str | None = None,
    village_codes: list[str] | tuple[str, ...] = (),
) -> User:
    """Create an account; `actor` is None from the CLI (the operator of the server).

    An `admin` creates accounts of any role; a `cabang` creates only `duta` accounts for villages of
    its own branch (the account carries that branch); other roles may not create accounts."""
    username = username.strip().lower()
    errors: dict[str, str] = {}
    village_codes = [code.strip() for code in village_codes if code and code.strip()]
    if actor is not None:
        require_role(actor, Role.admin.value, Role.cabang.value)
        if actor.role == Role.cabang.value:
            if role != Role.duta.value:
                raise Forbidden(_("A branch officer creates village ambassador accounts only."))
            branch_code = actor.branch_code
            # A village outside the branch reads as unknown: its existence is not confirmed.
            in_scope = (
                set(
                    session.exec(
                        select(Village.code).where(
                            col(Village.code).in_(village_codes), village_clause(actor, Village.code)
                        )
                    ).all()
                )
                if village_codes
                else set()
            )
            outside = [code for code in village_codes if code not in in_scope]
            if outside:
                errors["village_codes"] = _("Unknown village code: %(codes)s", codes=", ".join(outside))
    if not USERNAME_PATTERN.match(username):
        errors["username"] = _("Use 3 to 64 lower-case letters, digits, dots, dashes or underscores.")
    elif session.exec(select(User.id).where(User.username == username)).first() is not None:
        errors["username"] = _("This username is taken.")
    errors.update(text_errors({"full_name": full_name}))
    problem = _password_error(password)
    if problem:
        errors["password"] = problem
    if role not in PERSON_ROLES:
        errors["role"] = _("Unknown role.")
    if branch_code and session.get(Branch, branch_code) is None:
        errors["branch_code"] = _("Unknown branch.")
    if role == Role.cabang.value and not branch_code:
        errors["branch_code"] = _("A branch officer needs a branch.")
    if "village_codes" in errors:
        pass
    elif role == Role.duta.value:
        if not village_codes:
            errors["village_codes"] = _("A village ambassador needs at least one village.")
        else:
            known = set(session.exec(select(Village.code).where(col(Village.code).in_(village_codes))).all())
            missing = [code for code in village_codes if code not in known]
            if missing:
                errors["village_codes"] = _("Unknown village code: %(codes)s", codes=", ".join(missing))
    elif village_codes:
        errors["village_codes"] = _("Only village ambassadors have villages.")
    if errors:
        raise Invalid(errors)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        branch_code=branch_code,
        # Someone else chose this password: its owner replaces it at first login. (From the CLI the
        # operator is creating an account for themselves or handing it over in person.)
        must_change_password=actor is not None,
    )
    session.add(user)
    session.flush()
    assert user.id is not None  # flushed
    for code in dict.fromkeys(village_codes):
        session.add(UserVillage(user_id=user.id, village_code=code))
    if actor is not None:
        audit.record(
            session,
            actor,
            "user_created",
            "user",
            user.id,
            username=username,
            role=role,
            branch=branch_code,
            villages=list(dict.fromkeys(village_codes)),
        )
    session.commit()
    return user


# Account management (the /users pages).

PAGE_SIZE = 50


def visible_users_clause(actor: Actor):
    """The accounts an actor may see: an admin all of them; a cabang its branch's accounts and the
    ambassadors of its villages; nobody else any."""
    if actor.role == Role.admin.value:
        return col(User.role).in_(PERSON_ROLES)  # a partner's client is kept on its partner's page
    if actor.role == Role.cabang.value and actor.branch_code:
        return or_(
            col(User.branch_code) == actor.branch_code,
            col(User.id).in_(select(UserVillage.user_id).where(village_clause(actor, UserVillage.village_code))),
        )
    return false()


def list_users(session: Session, actor: Actor, page: int = 1) -> tuple[list[User], int]:
    require_role(actor, Role.admin.value, Role.cabang.value)
    clause = visible_users_clause(actor)
    total = session.exec(select(func.count()).select_from(User).where(clause)).one()
    users = session.exec(
        select(User).where(clause).order_by(User.role, User.username).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(users), total


def villages_of(session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        session.exec(
            select(UserVillage.user_id, Village.name, District.name)
            .join(Village, col(Village.code) == UserVillage.village_code)
            .join(District, col(District.code) == Village.district_code)
            .where(col(UserVillage.user_id).in_(user_ids))
            .order_by(Village.code)
        ).all()
        if user_ids
        else []
    )
    result: dict[int, list[str]] = {}
    # Shown by name, with the district that tells apart villages of the same name.
    for user_id, name, district in rows:
        result.setdefault(user_id, []).append(f"{name} — {district}")
    return result


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """An account within the actor's sight; anything else is 404."""
    require_role(actor, Role.admin.value, Role.cabang.value)
    user = session.exec(select(User).where(User.id == user_id, visible_users_clause(actor))).first()
    if user is None:
        raise NotFound(_("Account not found."))
    return user


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; deactivating ends its sessions and tokens."""
    user = get_user(session, actor, user_id)
    require_role(actor, Role.admin.value)
    if user.id == actor.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    if user.is_active != active:
        user.is_active = active
        user.credentials_version += 1
        session.add(user)
        assert user.id is not None  # a stored account
        _end_web_sessions(session, user.id)
        audit.record(
            session, actor, "user_activated" if active else "user_deactivated", "user", user.id, username=user.username
        )
    session.commit()
    return user


def reset_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Give an account a new password; its open sessions and API tokens stop working, and its owner
    must change it at the next login."""
    user = get_user(session, actor, user_id)
    require_role(actor, Role.admin.value)
    problem = _password_error(password)
    if problem:
        raise Invalid({"password": problem})
    user.password_hash = hash_password(password)
    user.credentials_version += 1
    # A password chosen for someone else is theirs to replace; an admin setting their own is not.
    user.must_change_password = user.id != actor.id
    session.add(user)
    assert user.id is not None  # a stored account
    _end_web_sessions(session, user.id)
    audit.record(session, actor, "password_reset", "user", user.id, username=user.username)
    session.commit()
    return user


def branch_choices(session: Session) -> list[Branch]:
    return list(session.exec(select(Branch).order_by(Branch.code)).all())


# ---------------------------------------------------------------- branch offices (admin)


def create_branch(session: Session, actor: Actor, code: str, name: str, regency_codes: list[str]) -> Branch:
    """An admin opens a branch office for free regencies; audited in the same transaction."""
    require_role(actor, Role.admin.value)
    branch = regions_service.add_branch(session, code, name, regency_codes)
    audit.record(
        session, actor, "branch_created", "branch", branch.code, name=branch.name, regencies=sorted(set(regency_codes))
    )
    session.commit()
    return branch


def edit_branch(
    session: Session, actor: Actor, code: str, name: str, regency_codes: list[str], bank: dict[str, str] | None = None
) -> Branch:
    """An admin renames a branch, sets its bank account or changes its regencies. A regency left out loses
    its branch (its villages leave that branch officer's scope) and can then be given to another branch."""
    require_role(actor, Role.admin.value)
    branch, added, released = regions_service.update_branch(session, code, name, regency_codes, bank)
    audit.record(
        session,
        actor,
        "branch_updated",
        "branch",
        branch.code,
        name=branch.name,
        added=added,
        released=released,
        bank_name=branch.bank_name,
        bank_account_number=branch.bank_account_number,
        bank_account_holder=branch.bank_account_holder,
    )
    session.commit()
    return branch
