"""JSON API for the branch's decision: `POST /members/{id}/approve` and `/reject` (prefix /api/v1)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.deps import ApiActor
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.workflows import approvals

router = APIRouter(tags=["members"])


class Decided(BaseModel):
    status: str
    member_number: str | None = None


class RejectBody(BaseModel):
    reason: str = Field("", max_length=approvals.REASON_MAX, description="Why, in words the duta understands.")
    code: str | None = Field(
        None,
        description="Optional common reason: " + ", ".join(approvals.REJECTION_REASONS),
    )


@router.post("/members/{member_id}/approve", response_model=Decided, response_model_exclude_none=True)
def approve(member_id: RowId, actor: ApiActor, session: SessionDep):
    member = approvals.approve(session, actor, member_id)
    return Decided(status=member.status, member_number=member.member_number)


@router.post("/members/{member_id}/reject", response_model=Decided, response_model_exclude_none=True)
def reject(member_id: RowId, body: RejectBody, actor: ApiActor, session: SessionDep):
    member = approvals.reject(session, actor, member_id, body.code, body.reason)
    return Decided(status=member.status)
