"""Who is asking: the session cookie for pages, a bearer token for the JSON API."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.clients import count_request
from app.auth.models import Role
from app.auth.scope import Actor
from app.auth.service import load_actor, web_session_actor
from app.core.db import SAFE_METHODS, SessionDep, end_dependency_reads
from app.core.errors import Forbidden, NotAuthenticated
from app.core.i18n import _
from app.core.security import read_token, same_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """A page needs a logged-in user: answered with a redirect to /login."""


class PasswordChangeRequired(Exception):
    """The user must first replace a password someone else chose: answered with a redirect to /account."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def optional_web_actor(request: Request, session: SessionDep) -> Actor | None:
    """The user of the cookie's server-side session; None (and a fresh cookie) once that session
    ended, expired or is unknown."""
    session_id = request.session.get("sid")
    if not isinstance(session_id, str):
        return None
    actor = web_session_actor(session, session_id)
    end_dependency_reads(session)
    if actor is None:
        request.session.clear()
    request.state.actor = actor
    return actor


def signed_in_actor(actor: Actor | None = Depends(optional_web_actor)) -> Actor:
    """Any logged-in user, even one who must still change the password (the /account page)."""
    if actor is None:
        raise LoginRequired()
    return actor


def web_actor(actor: Actor = Depends(signed_in_actor)) -> Actor:
    if actor.must_change_password:
        raise PasswordChangeRequired()
    return actor


async def api_token(token: str | None = Depends(oauth2_scheme)) -> dict:
    """The bearer token's claims, its signature checked on the event loop (no database)."""
    data = read_token(token) if token else None
    if data is None:
        raise NotAuthenticated(_("Not logged in or the token has expired."))
    return data


def any_api_actor(claims: Annotated[dict, Depends(api_token)], session: SessionDep) -> Actor:
    """The token's user, if still active with the same credentials; a partner's client counted
    against its rate limit (429) on every request, allowed or not."""
    actor = load_actor(session, claims["uid"], claims["cv"])
    end_dependency_reads(session)
    if actor is None:
        raise NotAuthenticated(_("Not logged in or the token has expired."))
    if actor.must_change_password:
        raise Forbidden(_("Change the password you were given, at /account, before using the API."))
    if actor.role == Role.mitra.value:
        count_request(actor.id)
    return actor


def api_actor(actor: Annotated[Actor, Depends(any_api_actor)]) -> Actor:
    """A user's token: a partner's client is refused here, so every route is closed to it but the two
    declared with `PartnerApiActor` (registering members, recording partner payments)."""
    if actor.role == Role.mitra.value:
        raise Forbidden(_("A partner's client may only register members and record payments."))
    return actor


async def csrf_protect(request: Request) -> None:
    """Applied to every HTML router: a state-changing request must carry the session's token,
    in the form (plain POST without JavaScript) or in a header (HTMX)."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None  # a file under the field's name is no token
    if not same_token(request.session.get("csrf"), given):
        raise Forbidden(_("The form has expired. Reload the page and try again."))


# For route signatures: `actor: WebActor` (pages; a redirect to /login without a session, to /account
# while a password chosen by someone else is unchanged), `actor: SignedInActor` (/account itself),
# `actor: ApiActor` (the JSON API's bearer token of a user), `actor: PartnerApiActor` (the same, or a
# partner's client), `actor: OptionalWebActor` (pages open to anyone).
WebActor = Annotated[Actor, Depends(web_actor)]
SignedInActor = Annotated[Actor, Depends(signed_in_actor)]
OptionalWebActor = Annotated[Actor | None, Depends(optional_web_actor)]
ApiActor = Annotated[Actor, Depends(api_actor)]
# The routes a partner's client may use too (its area and role are then checked by the services).
PartnerApiActor = Annotated[Actor, Depends(any_api_actor)]
