from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import Session

from app.auth import service
from app.auth.deps import api_actor, client_ip
from app.auth.schemas import Me, Token
from app.auth.scope import Actor
from app.core.db import get_session
from app.core.security import issue_token

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=Token)
def token(request: Request, form: OAuth2PasswordRequestForm = Depends(), session: Session = Depends(get_session)):
    user = service.authenticate(session, form.username, form.password, client_ip(request))
    return Token(access_token=issue_token(user.id, user.credentials_version))


@router.get("/me", response_model=Me)
def me(actor: Actor = Depends(api_actor)):
    return Me(
        username=actor.username,
        role=actor.role,
        branch_code=actor.branch_code,
        village_codes=list(actor.village_codes),
    )
