from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from app.auth import clients, service
from app.auth.deps import ApiActor, client_ip
from app.auth.schemas import Me, Token
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.i18n import _
from app.core.security import issue_token

router = APIRouter(tags=["auth"])
# A client may send its id and secret as HTTP Basic credentials instead of form fields (RFC 6749 § 2.3.1).
basic = HTTPBasic(auto_error=False)


@router.post("/auth/token", response_model=Token)
def token(
    request: Request,
    session: SessionDep,
    grant_type: str = Form("password", max_length=40),
    # Unbounded here as before: an overlong name or secret is a wrong login (401), refused before any
    # query by `authenticate` and `authenticate_client`, never a 422 telling what is too long.
    username: str = Form(""),
    password: str = Form(""),
    client_id: str = Form(""),
    client_secret: str = Form(""),
    credentials: HTTPBasicCredentials | None = Depends(basic),
):
    """`password` (a user, the default) or `client_credentials` (a partner's API client)."""
    if grant_type == "client_credentials":
        if credentials is not None and not client_id:
            client_id, client_secret = credentials.username, credentials.password
        user = clients.authenticate_client(session, client_id, client_secret, client_ip(request))
    elif grant_type == "password":
        user = service.authenticate(session, username, password, client_ip(request))
    else:
        raise Invalid({"grant_type": _("Use the password or client_credentials grant.")})
    assert user.id is not None  # a stored account
    return Token(access_token=issue_token(user.id, user.credentials_version))


@router.get("/me", response_model=Me)
def me(actor: ApiActor):
    return Me(
        username=actor.username,
        role=actor.role,
        branch_code=actor.branch_code,
        village_codes=list(actor.village_codes),
    )
