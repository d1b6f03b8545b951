"""Login and logout, account management (/users) for admins and branch officers, branch offices
(/branches) for admins."""

from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth import places, service
from app.auth.deps import OptionalWebActor, SignedInActor, WebActor, client_ip, csrf_protect
from app.auth.models import PERSON_ROLES, Role
from app.auth.scope import Actor, require_role
from app.core.bounds import PageNumber, RowId
from app.core.db import SessionDep
from app.core.errors import NotAuthenticated, NotFound, TooManyAttempts
from app.core.forms import show_again_if_refused
from app.core.i18n import _
from app.core.security import new_csrf_token
from app.core.templating import render
from app.regions import service as regions_service

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot bounce anyone to another site."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, actor: OptionalWebActor, next: str | None = None):
    if actor is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": _safe_next(next), "username": ""})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
):
    try:
        user = service.authenticate(session, username, password, client_ip(request))
    except (NotAuthenticated, TooManyAttempts) as error:
        return render(
            request,
            "auth/login.html",
            {"next": _safe_next(next), "username": username, "login_error": error.message},
            status_code=error.status_code,
            **(error.headers() if isinstance(error, TooManyAttempts) else {}),
        )
    session_id = service.start_web_session(session, user)
    # A new session and CSRF token on login, so neither planted before login is worth anything.
    request.session.clear()
    request.session.update({"sid": session_id, "csrf": new_csrf_token()})
    target = "/account" if user.must_change_password else _safe_next(next)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep):
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        service.end_web_session(session, session_id)
    request.session.clear()
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse("/login", status_code=303)


# My account: every user changes their own password here (and must, when someone else chose it).


def _account_context(request: Request, actor: Actor, errors: dict[str, str] | None = None) -> dict:
    return {
        "errors": errors or {},
        "must_change": actor.must_change_password,
        "flash": request.session.pop("flash", None),
    }


@router.get("/account")
def account(request: Request, actor: SignedInActor):
    return render(request, "auth/account.html", _account_context(request, actor))


@router.post("/account")
def change_password(
    request: Request,
    actor: SignedInActor,
    session: SessionDep,
    current_password: str = Form(""),
    new_password: str = Form(""),
    new_password_again: str = Form(""),
):
    # Passwords are never typed back into the page.
    show_again_if_refused(
        request, session, "auth/account.html", lambda errors: _account_context(request, actor, errors)
    )
    session_id = request.session.get("sid")
    service.change_own_password(
        session,
        actor,
        current_password,
        new_password,
        new_password_again,
        client_ip(request),
        keep_session_id=session_id if isinstance(session_id, str) else None,
    )
    request.session["flash"] = _("Password changed. You were logged out on your other devices.")
    return RedirectResponse("/account", status_code=303)


# Accounts: an admin manages every account; a branch officer creates village ambassadors for its branch.


def _users_context(
    request: Request,
    session: Session,
    actor: Actor,
    page: int = 1,
    form: dict | None = None,
    errors: dict | None = None,
) -> dict:
    users, total = service.list_users(session, actor, page)
    context = {
        "users": users,
        "user_villages": service.villages_of(session, [user.id for user in users if user.id is not None]),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // service.PAGE_SIZE)),
        "form": form or {"username": "", "full_name": "", "role": Role.duta.value, "branch_code": "", "villages": []},
        "errors": errors or {},
        "roles": list(PERSON_ROLES),
        "flash": request.session.pop("flash", None),
    }
    # One picker per village typed (a duta may serve several) and one more, three at most.
    typed = [text for text in context["form"]["villages"] if text.strip()]
    pickers = 1 if actor.role == Role.cabang.value else 3
    context["village_pickers"] = [places.picker(session, actor, "village", text) for text in [*typed, ""][:pickers]]
    context["branch_names"] = places.branch_names(session)
    if actor.role != Role.cabang.value:
        context["branches"] = service.branch_choices(session)
    return context


@router.get("/users")
def users(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    page: PageNumber = 1,
):
    require_role(actor, Role.admin.value, Role.cabang.value)
    return render(request, "auth/users.html", _users_context(request, session, actor, page))


@router.post("/users")
def create_user(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    username: str = Form(""),
    full_name: str = Form(""),
    password: str = Form(""),
    role: str = Form(Role.duta.value),
    branch_code: str = Form(""),
    villages: list[str] = Form([]),
):
    require_role(actor, Role.admin.value, Role.cabang.value)
    if actor.role == Role.cabang.value:
        role, branch_code = Role.duta.value, actor.branch_code or ""
    form = {
        "username": username,
        "full_name": full_name,
        "role": role,
        "branch_code": branch_code,
        "villages": villages,
    }
    show_again_if_refused(
        request, session, "auth/users.html", lambda errors: _users_context(request, session, actor, 1, form, errors)
    )
    user = service.create_user(
        session,
        actor,
        username,
        password,
        role,
        full_name,
        branch_code=branch_code or None,
        village_codes=places.resolve_places(session, actor, "village", villages, "village_codes"),
    )
    request.session["flash"] = _("Account %(username)s created.", username=user.username)
    return RedirectResponse("/users", status_code=303)


def _user_context(request: Request, session: Session, actor: Actor, user_id: int, errors: dict | None = None) -> dict:
    return {
        "user": service.get_user(session, actor, user_id),
        "villages": service.villages_of(session, [user_id]).get(user_id, []),
        "branch_names": places.branch_names(session),
        "errors": errors or {},
        "flash": request.session.pop("flash", None),
    }


@router.get("/users/{user_id}")
def user_detail(request: Request, user_id: RowId, actor: WebActor, session: SessionDep):
    return render(request, "auth/user.html", _user_context(request, session, actor, user_id))


@router.post("/users/{user_id}/deactivate")
def deactivate_user(request: Request, user_id: RowId, actor: WebActor, session: SessionDep):
    user = service.set_active(session, actor, user_id, False)
    request.session["flash"] = _("Account %(username)s deactivated.", username=user.username)
    return RedirectResponse(f"/users/{user_id}", status_code=303)


@router.post("/users/{user_id}/activate")
def activate_user(request: Request, user_id: RowId, actor: WebActor, session: SessionDep):
    user = service.set_active(session, actor, user_id, True)
    request.session["flash"] = _("Account %(username)s activated.", username=user.username)
    return RedirectResponse(f"/users/{user_id}", status_code=303)


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: RowId,
    actor: WebActor,
    session: SessionDep,
    password: str = Form(""),
):
    # The password is never typed back into the page.
    show_again_if_refused(
        request, session, "auth/user.html", lambda errors: _user_context(request, session, actor, user_id, errors)
    )
    user = service.reset_password(session, actor, user_id, password)
    request.session["flash"] = _(
        "New password set for %(username)s; their sessions have ended.", username=user.username
    )
    return RedirectResponse(f"/users/{user_id}", status_code=303)


# Branch offices: an admin opens them and sets the regencies each covers.


def _branches_context(request: Request, session: Session, form: dict | None = None, errors: dict | None = None) -> dict:
    return {
        "branches": regions_service.branches_with_regencies(session),
        "regency_groups": regions_service.regency_choices(session),
        "branch_names": places.branch_names(session),
        "form": form or {"code": "", "name": "", "regencies": []},
        "errors": errors or {},
        "flash": request.session.pop("flash", None),
    }


@router.get("/branches")
def branches(request: Request, actor: WebActor, session: SessionDep):
    require_role(actor, Role.admin.value)
    return render(request, "auth/branches.html", _branches_context(request, session))


@router.post("/branches")
def create_branch(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    code: str = Form(""),
    name: str = Form(""),
    regencies: list[str] = Form([]),
):
    form = {"code": code, "name": name, "regencies": regencies}
    show_again_if_refused(
        request, session, "auth/branches.html", lambda errors: _branches_context(request, session, form, errors)
    )
    branch = service.create_branch(session, actor, code, name, regencies)
    request.session["flash"] = _("Branch %(code)s created.", code=branch.code)
    return RedirectResponse("/branches", status_code=303)


def _branch_context(session: Session, code: str, form: dict | None = None, errors: dict | None = None) -> dict:
    found = regions_service.branches_with_regencies(session, code)
    if not found:
        raise NotFound(_("Branch not found."))
    branch, regencies, villages = found[0]
    return {
        "branch": branch,
        "villages": villages,
        "regency_groups": regions_service.regency_choices(session),
        "branch_names": places.branch_names(session),
        "form": form
        or {
            "name": branch.name,
            "regencies": [regency.code for regency in regencies],
            "bank_name": branch.bank_name or "",
            "bank_account_number": branch.bank_account_number or "",
            "bank_account_holder": branch.bank_account_holder or "",
        },
        "errors": errors or {},
    }


@router.get("/branches/{code}")
def branch_detail(request: Request, code: str, actor: WebActor, session: SessionDep):
    require_role(actor, Role.admin.value)
    return render(request, "auth/branch.html", _branch_context(session, code))


@router.post("/branches/{code}")
def edit_branch(
    request: Request,
    code: str,
    actor: WebActor,
    session: SessionDep,
    name: str = Form(""),
    regencies: list[str] = Form([]),
    bank_name: str = Form(""),
    bank_account_number: str = Form(""),
    bank_account_holder: str = Form(""),
):
    bank = {
        "bank_name": bank_name,
        "bank_account_number": bank_account_number,
        "bank_account_holder": bank_account_holder,
    }
    form = {"name": name, "regencies": regencies, **bank}
    show_again_if_refused(
        request, session, "auth/branch.html", lambda errors: _branch_context(session, code, form, errors)
    )
    branch = service.edit_branch(session, actor, code, name, regencies, bank)
    request.session["flash"] = _("Branch %(code)s saved.", code=branch.code)
    return RedirectResponse("/branches", status_code=303)
