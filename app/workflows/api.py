"""JSON API across domains (prefix /api/v1): one member with its follow-up, the branch's decision
(`POST /members/{id}/approve` and `/reject`), and a member's move to another village."""

from fastapi import APIRouter, Form, UploadFile
from pydantic import BaseModel, Field

from app.auth.deps import ApiActor
from app.core import uploads
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.templating import mask_nik
from app.followups import service as followups
from app.followups.api import contact_out
from app.followups.schemas import ContactOut
from app.members import kpj as kpj_numbers
from app.members import service as members_service
from app.members.api import member_out
from app.members.schemas import MemberOut, MoveIn, MoveOut, ReasonIn
from app.workflows import approvals, moves

router = APIRouter(tags=["members"])


class Decided(BaseModel):
    status: str
    member_number: str | None = None
    kpj: str | None = None


class ApproveBody(BaseModel):
    kpj: str | None = Field(None, description="11 digits, when the core system issued it already")


class KpjBody(BaseModel):
    kpj: str | None = Field(None, description="11 digits, issued by BPJS Ketenagakerjaan's core system")


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
def approve(member_id: RowId, actor: ApiActor, session: SessionDep, body: ApproveBody | None = None):
    member = approvals.approve(session, actor, member_id, kpj=body.kpj if body else None)
    return Decided(status=member.status, member_number=member.member_number, kpj=member.kpj)


@router.post("/members/{member_id}/kpj", response_model=Decided, response_model_exclude_none=True)
def record_kpj(member_id: RowId, body: KpjBody, actor: ApiActor, session: SessionDep):
    """The branch officer records (or corrects) an approved member's KPJ number."""
    member = kpj_numbers.record_kpj(session, actor, member_id, body.kpj)
    return Decided(status=member.status, member_number=member.member_number, kpj=member.kpj)


@router.post("/members/{member_id}/reject", response_model=Decided, response_model_exclude_none=True)
def reject(member_id: RowId, body: RejectBody, actor: ApiActor, session: SessionDep):
    member = approvals.reject(session, actor, member_id, body.code, body.reason)
    return Decided(status=member.status)


class KpjImportRow(BaseModel):
    row: int
    nik: str = Field(description="masked")
    kpj: str
    status: str = Field(description='"ok", "exists" (recorded so already) or "error"')
    errors: list[str]


class KpjImport(BaseModel):
    rows: list[KpjImportRow]
    recorded: int


@router.post("/imports/kpj", response_model=KpjImport)
def import_kpj(
    actor: ApiActor,
    session: SessionDep,
    file: UploadFile,
    dry_run: bool = Form(False),
):
    """(`cabang`) The core system's file (CSV or XLSX, columns NIK and KPJ): every row checked; unless
    `dry_run` or a row is wrong, the right rows recorded in one transaction. Sent again, it changes nothing."""
    rows = kpj_numbers.kpj_file_rows(file.filename or "", file.file.read(uploads.MAX_BYTES + 1))
    report = kpj_numbers.import_kpj(session, actor, rows, dry_run=dry_run)
    wrong = any(line.status == "error" for line in report)
    return KpjImport(
        rows=[
            KpjImportRow(row=line.row, nik=mask_nik(line.nik), kpj=line.kpj, status=line.status, errors=line.errors)
            for line in report
        ],
        recorded=0 if dry_run or wrong else sum(line.status == "ok" for line in report),
    )


@router.post("/members/{member_id}/moves", response_model=MoveOut, status_code=201)
def request_move(member_id: RowId, body: MoveIn, actor: ApiActor, session: SessionDep):
    """(`duta`) An approved member moved to another village; the new village's branch confirms."""
    move = moves.request_move(session, actor, member_id, body.village_code, body.reason)
    return MoveOut.model_validate(move, from_attributes=True)


@router.get("/moves", response_model=list[MoveOut])
def pending_moves(actor: ApiActor, session: SessionDep):
    """(`cabang`) Members moving into the branch's villages, oldest first."""
    return [MoveOut.model_validate(move, from_attributes=True) for move, _m in moves.pending_moves(session, actor)]


@router.post("/moves/{move_id}/confirm", response_model=MoveOut)
def confirm_move(move_id: RowId, actor: ApiActor, session: SessionDep):
    return MoveOut.model_validate(moves.confirm(session, actor, move_id), from_attributes=True)


@router.post("/moves/{move_id}/reject", response_model=MoveOut)
def reject_move(move_id: RowId, body: ReasonIn, actor: ApiActor, session: SessionDep):
    return MoveOut.model_validate(moves.reject(session, actor, move_id, body.reason), from_attributes=True)
