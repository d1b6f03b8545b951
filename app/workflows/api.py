"""JSON API across domains (prefix /api/v1): one member with its follow-up, and the branch's decision
(`POST /members/{id}/approve` and `/reject`)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.deps import ApiActor
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.followups import service as followups
from app.followups.api import contact_out
from app.followups.schemas import ContactOut
from app.members import service as members_service
from app.members.api import member_out
from app.members.schemas import MemberOut
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


class MemberView(MemberOut):
    last_contact: ContactOut | None = Field(None, description="the duta's last contact with the member")


@router.get("/members/{member_id}", response_model=MemberView)
def get_member(member_id: RowId, actor: ApiActor, session: SessionDep):
    member = members_service.get_member(session, actor, member_id)
    last = followups.last_contacts(session, [member_id]).get(member_id)
    return MemberView(
        **member_out(session, actor, member).model_dump(), last_contact=contact_out(last) if last else None
    )


@router.post("/members/{member_id}/approve", response_model=Decided, response_model_exclude_none=True)
def approve(member_id: RowId, actor: ApiActor, session: SessionDep):
    member = approvals.approve(session, actor, member_id)
    return Decided(status=member.status, member_number=member.member_number)


@router.post("/members/{member_id}/reject", response_model=Decided, response_model_exclude_none=True)
def reject(member_id: RowId, body: RejectBody, actor: ApiActor, session: SessionDep):
    member = approvals.reject(session, actor, member_id, body.code, body.reason)
    return Decided(status=member.status)
