"""Members API: registration, correction, submission and queries, over the same service as the pages."""

import datetime as dt

from fastapi import APIRouter, Form, Header, Query, Request, Response, UploadFile
from sqlmodel import Session

from app.auth.deps import ApiActor, PartnerApiActor
from app.auth.scope import Actor
from app.core import uploads
from app.core.bounds import PageNumber, RowId, SearchText
from app.core.clock import today
from app.core.db import SessionDep
from app.core.templating import mask_nik
from app.members import card as cards
from app.members import identity, imports, service
from app.members.cover import cover_status
from app.members.models import IdentityRequest, Member
from app.members.payment_code import payment_code
from app.members.privacy import may_see_full_nik, shown_nik
from app.members.schemas import (
    CardOut,
    ContributionOut,
    IdentityRequestIn,
    IdentityRequestOut,
    MemberImport,
    MemberImportRow,
    MemberIn,
    MemberList,
    MemberListItem,
    MemberOut,
    MemberPatch,
    ReasonIn,
    StatusOut,
)
from app.regions import service as regions_service

router = APIRouter(tags=["members"])
# A repeated `Idempotency-Key` answers with the first result, marked so a client can tell.
REPLAYED_HEADER = "Idempotent-Replayed"


def _month(value) -> str | None:
    return value.strftime("%Y-%m") if value else None


def member_out(
    session: Session,
    actor: Actor,
    member: Member,
    warnings: list[str] | None = None,
    village_name: str | None = None,
) -> MemberOut:
    day = today()
    contribution = service.contribution_for(session, member, day)
    return MemberOut(
        **{
            name: getattr(member, name)
            for name in (
                "id",
                "full_name",
                "sex",
                "birth_date",
                "phone",
                "address",
                "rt",
                "rw",
                "village_code",
                "occupation",
                "monthly_income",
                "jht",
                "heir_name",
                "heir_relation",
                "event_id",
                "consent_at",
                "status",
                "member_number",
                "kpj",
                "rejection_reason",
                "registered_by_id",
                "created_at",
                "submitted_at",
                "died_on",
            )
        },
        nik=shown_nik(session, actor, member),
        village_name=village_name or regions_service.village_name(session, member.village_code),
        monthly_contribution=contribution.total,
        contribution=ContributionOut(
            jkk=contribution.jkk, jkm=contribution.jkm, jht=contribution.jht, total=contribution.total
        ),
        payment_code=payment_code(member),
        cover_status=cover_status(member.covered_until, day).value,
        covered_until=_month(member.covered_until),
        warnings=warnings if warnings is not None else service.duplicate_warnings(session, member),
    )


@router.post("/members", response_model=MemberOut, status_code=201)
def create_member(
    body: MemberIn,
    actor: PartnerApiActor,
    session: SessionDep,
    response: Response,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Register a member (status `submitted`). The same `Idempotency-Key` with the same body returns the
    first answer, marked `Idempotent-Replayed: true`; with another body it is refused (422)."""
    result = service.create(session, actor, body.model_dump(), submit=True, idempotency_key=idempotency_key)
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return member_out(session, actor, result.member, result.warnings, result.village_name)


def _list_item(m: Member, day: dt.date) -> MemberListItem:
    assert m.id is not None  # a stored row
    return MemberListItem(
        id=m.id,
        nik=mask_nik(m.nik),
        full_name=m.full_name,
        village_code=m.village_code,
        status=m.status,
        member_number=m.member_number,
        cover_status=cover_status(m.covered_until, day).value,
        covered_until=_month(m.covered_until),
        created_at=m.created_at,
    )


@router.get("/members", response_model=MemberList)
def list_members(
    actor: ApiActor,
    session: SessionDep,
    village_code: str | None = None,
    status: str | None = None,
    cover_status_: str | None = Query(None, alias="cover_status"),
    q: SearchText = "",
    page: PageNumber = 1,
):
    """Members in the caller's area, newest first, 20 a page; NIK masked. `q` finds a part of the name,
    a NIK or member number (whole or its start), a payment code, the NIK's last four digits, or a mobile
    number in any usual form (0812…, +62 812-…)."""
    day = today()
    items, total = service.list_members(
        session, actor, village_code=village_code, status=status, cover_status=cover_status_, q=q, page=page, day=day
    )
    return MemberList(items=[_list_item(m, day) for m in items], total=total)


@router.patch("/members/{member_id}", response_model=MemberOut)
def patch_member(member_id: RowId, body: MemberPatch, actor: ApiActor, session: SessionDep):
    """Correct a `draft` or `rejected` registration; only the fields sent change."""
    result = service.update(session, actor, member_id, body.model_dump(exclude_unset=True))
    return member_out(session, actor, result.member, result.warnings)


@router.post("/members/{member_id}/submit", response_model=StatusOut)
def submit_member(member_id: RowId, actor: ApiActor, session: SessionDep):
    member = service.submit(session, actor, member_id)
    return StatusOut(status=member.status, member_number=member.member_number)


def identity_request_out(
    session: Session, actor: Actor, request: IdentityRequest, member: Member
) -> IdentityRequestOut:
    out = IdentityRequestOut.model_validate(request, from_attributes=True)
    if out.nik and not may_see_full_nik(session, actor, member):
        out.nik = mask_nik(out.nik)
    return out


@router.post("/members/{member_id}/identity-requests", response_model=IdentityRequestOut, status_code=201)
def request_identity_change(member_id: RowId, body: IdentityRequestIn, actor: ApiActor, session: SessionDep):
    """(`duta`) Ask the branch officer to change an approved member's NIK, name, sex or birth date."""
    request = identity.request_change(session, actor, member_id, body.model_dump())
    return identity_request_out(session, actor, request, service.get_member(session, actor, member_id))


@router.get("/identity-requests", response_model=list[IdentityRequestOut])
def pending_identity_requests(actor: ApiActor, session: SessionDep):
    """(`cabang`) The pending requests of the branch's members, oldest first."""
    return [identity_request_out(session, actor, r, m) for r, m in identity.pending_requests(session, actor)]


@router.post("/identity-requests/{request_id}/approve", response_model=IdentityRequestOut)
def approve_identity_change(request_id: RowId, actor: ApiActor, session: SessionDep):
    request = identity.approve(session, actor, request_id)
    return identity_request_out(session, actor, request, service.get_member(session, actor, request.member_id))


@router.post("/identity-requests/{request_id}/reject", response_model=IdentityRequestOut)
def reject_identity_change(request_id: RowId, body: ReasonIn, actor: ApiActor, session: SessionDep):
    request = identity.reject(session, actor, request_id, body.reason)
    return identity_request_out(session, actor, request, service.get_member(session, actor, request.member_id))


def card_out(request: Request, card: cards.Card) -> CardOut:
    member = card.member
    assert member.id is not None  # a stored row
    url = cards.verification_url(str(request.base_url), card.token)
    return CardOut(
        member_id=member.id,
        full_name=member.full_name,
        nik=card.nik,
        kpj=member.kpj,
        programmes=list(card.programmes),
        cover_status=card.cover_status.value,
        covered_until=_month(card.covered_until),
        payment_code=payment_code(member),
        village_name=card.village_name,
        verify_url=url,
        share_url=cards.share_url(card, url),
    )


@router.get("/members/{member_id}/card", response_model=CardOut)
def get_card(member_id: RowId, request: Request, actor: ApiActor, session: SessionDep):
    """An approved member's card (409 before approval or after a death)."""
    return card_out(request, cards.member_card(session, actor, member_id))


@router.post("/members/{member_id}/card/revoke", response_model=CardOut)
def revoke_card(member_id: RowId, body: ReasonIn, request: Request, actor: ApiActor, session: SessionDep):
    """(`duta` of the village or `cabang`) Revoke the card: the verify_url given so far answers "not valid";
    the answer carries the new one."""
    cards.revoke_card(session, actor, member_id, body.reason)
    return card_out(request, cards.member_card(session, actor, member_id))


def import_template_response() -> Response:
    """The template as a download (the page offers the same file)."""
    return Response(
        imports.template_workbook(),
        media_type=uploads.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="daftar-peserta.xlsx"'},
    )


@router.get("/imports/members/template.xlsx", response_class=Response)
def member_import_template(actor: ApiActor):
    """The XLSX to fill in with a group's members: one header row, the allowed values on a second sheet."""
    return import_template_response()


@router.post("/imports/members", response_model=MemberImport)
def import_members(
    actor: ApiActor,
    session: SessionDep,
    file: UploadFile,
    village_code: str = Form("", max_length=20),
    dry_run: bool = Form(False),
):
    """(`duta` of the village, `cabang` of its branch) A group's members from a CSV or XLSX with the
    template's header row: every row checked as `POST /members` checks it; unless `dry_run`, the right rows
    registered (`submitted`) in one transaction, wrong rows left out. Sent again, its rows say `exists`."""
    content = file.file.read(uploads.MAX_BYTES + 1)
    report = imports.import_members(session, actor, village_code, file.filename or "", content, dry_run=dry_run)
    return MemberImport(
        rows=[MemberImportRow(row=line.row, status=line.status, errors=line.errors) for line in report.rows],
        created=report.created,
    )
