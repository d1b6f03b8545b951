"""Claims API: a claim reported for a member, its steps (docs/api.md § claims)."""

from fastapi import APIRouter

from app.auth.deps import ApiActor
from app.claims import rules, service
from app.claims.models import Claim, ClaimKind
from app.claims.schemas import BenefitOut, ClaimIn, ClaimOut, ClaimStatusIn
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.members import service as members_service

router = APIRouter(tags=["claims"])


def claim_out(claim: Claim) -> ClaimOut:
    assert claim.id is not None  # a stored claim
    kind = ClaimKind[claim.kind]
    table, benefits = rules.benefits_on(kind, claim.incident_on)
    return ClaimOut(
        id=claim.id,
        member_id=claim.member_id,
        kind=claim.kind,
        incident_on=claim.incident_on,
        covered=claim.covered,
        status=claim.status,
        amount=claim.amount,
        reason=claim.reason,
        documents=[str(document) for document in rules.DOCUMENTS[kind]],
        benefits=[BenefitOut(label=str(b.label), amount=b.amount) for b in benefits],
        benefits_source=table.source if table else None,
    )


@router.post("/members/{member_id}/claims", status_code=201, response_model=ClaimOut)
def report_claim(member_id: RowId, body: ClaimIn, actor: ApiActor, session: SessionDep):
    """(`duta` of the village or `cabang`) Report an incident for an approved member: whether it was
    covered that day, the documents to gather; a death is recorded with it (the cover ends)."""
    return claim_out(service.report(session, actor, member_id, body.kind, body.incident_on))


@router.get("/members/{member_id}/claims", response_model=list[ClaimOut])
def member_claims(member_id: RowId, actor: ApiActor, session: SessionDep):
    member = members_service.get_member(session, actor, member_id)
    return [claim_out(claim) for claim in service.member_claims(session, member.id or 0)]


@router.get("/claims/{claim_id}", response_model=ClaimOut)
def get_claim(claim_id: RowId, actor: ApiActor, session: SessionDep):
    return claim_out(service.get_claim(session, actor, claim_id)[0])


@router.post("/claims/{claim_id}/status", response_model=ClaimOut)
def change_status(claim_id: RowId, body: ClaimStatusIn, actor: ApiActor, session: SessionDep):
    """(`cabang` of the member's branch) The next step: `dibayar` with `amount`, `ditolak` with `reason`."""
    return claim_out(service.change_status(session, actor, claim_id, body.status, body.amount, body.reason))
