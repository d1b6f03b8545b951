from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.deps import ApiActor, client_ip
from app.auth.schemas import Me, Token
from app.core.db import SessionDep
from app.core.security import issue_token

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=Token)
def token(request: Request, session: SessionDep, form: OAuth2PasswordRequestForm = Depends()):
    user = service.authenticate(session, form.username, form.password, client_ip(request))
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
