"""Pages of claims help: the report form on a member, a claim's page (covered or not, the documents,
the benefits, the branch officer's next step) and the list of the area's claims. Plain forms; HTMX
only speeds them up."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.claims import rules, service
from app.claims.models import Claim, ClaimKind, ClaimStatus
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.members import service as members_service
from app.members.models import Member, MemberStatus

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _report_context(member: Member, form: dict, errors: dict | None = None) -> dict:
    return {"member": member, "form": form, "errors": errors or {}, "kinds": ClaimKind.labels()}


@router.get("/members/{member_id}/claims/new")
def report_form(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = members_service.get_member(session, actor, member_id)
    require_role(actor, *service.REPORTING_ROLES)
    if member.status != MemberStatus.approved.value:
        return RedirectResponse(f"/members/{member_id}", status_code=303)
    form = {"kind": "", "incident_on": member.died_on.isoformat() if member.died_on else ""}
    return render(request, "claims/new.html", _report_context(member, form))


@router.post("/members/{member_id}/claims")
def report(
    member_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    kind: Annotated[str, Form(max_length=40)] = "",
    incident_on: Annotated[str, Form(max_length=40)] = "",
):
    show_again_if_refused(
        request,
        session,
        "claims/new.html",
        lambda errors: _report_context(
            members_service.get_member(session, actor, member_id), {"kind": kind, "incident_on": incident_on}, errors
        ),
        whole_form=True,
    )
    claim = service.report(session, actor, member_id, kind, incident_on)
    return RedirectResponse(f"/claims/{claim.id}", status_code=303)


def _claim_context(
    session: Session, actor: Actor, claim_id: int, form: dict | None = None, errors: dict | None = None
) -> dict:
    claim, member = service.get_claim(session, actor, claim_id)
    kind = ClaimKind[claim.kind]
    table, benefits = rules.benefits_on(kind, claim.incident_on)
    steps = rules.NEXT_STEPS[ClaimStatus[claim.status]] if actor.role == Role.cabang.value else ()
    return {
        "claim": claim,
        "member": member,
        "documents": rules.DOCUMENTS[kind],
        "benefits": benefits,
        "benefits_table": table,
        "steps": {step.value: step.label for step in steps},
        "form": form or {"status": steps[0].value if steps else "", "amount": "", "reason": ""},
        "errors": errors or {},
    }


@router.get("/claims/{claim_id}")
def claim_page(claim_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    return render(request, "claims/show.html", _claim_context(session, actor, claim_id))


@router.post("/claims/{claim_id}/status")
def change_status(
    claim_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    status: Annotated[str, Form(max_length=40)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
):
    form = {"status": status, "amount": amount, "reason": reason}
    show_again_if_refused(
        request,
        session,
        "claims/show.html",
        lambda errors: _claim_context(session, actor, claim_id, form, errors),
        whole_form=True,
    )
    service.change_status(session, actor, claim_id, status, amount, reason)
    return RedirectResponse(f"/claims/{claim_id}", status_code=303)


@router.get("/claims")
def claims_list(request: Request, actor: WebActor, session: SessionDep, semua: bool = False):
    rows: list[tuple[Claim, Member]] = service.claims_list(session, actor, open_only=not semua)
    return render(request, "claims/list.html", {"rows": rows, "all": semua})
