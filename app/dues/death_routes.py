"""Recording a member's death: the page (a plain form; HTMX only speeds it up) and the API."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from app.auth.deps import ApiActor, WebActor, csrf_protect
from app.auth.scope import require_role
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.dues import death
from app.members import service
from app.members.api import member_out
from app.members.models import Member, MemberStatus
from app.members.schemas import DeathIn, MemberOut

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
api_router = APIRouter(tags=["members"])


def _context(member: Member, form: dict, errors: dict | None = None) -> dict:
    return {"member": member, "form": form, "errors": errors or {}}


@router.get("/members/{member_id}/death")
def death_form(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = service.get_member(session, actor, member_id)
    require_role(actor, "duta", "cabang")
    if member.status != MemberStatus.approved.value or member.died_on is not None:
        return RedirectResponse(f"/members/{member_id}", status_code=303)
    return render(request, "members/death.html", _context(member, {"died_on": "", "note": ""}))


@router.post("/members/{member_id}/death")
def record_death(
    member_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    died_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
):
    show_again_if_refused(
        request,
        session,
        "members/death.html",
        lambda errors: _context(
            service.get_member(session, actor, member_id), {"died_on": died_on, "note": note}, errors
        ),
    )
    death.record_death(session, actor, member_id, died_on, note)
    return RedirectResponse(f"/members/{member_id}", status_code=303)


@api_router.post("/members/{member_id}/death", response_model=MemberOut)
def record_death_api(member_id: RowId, body: DeathIn, actor: ApiActor, session: SessionDep):
    """(`duta` of the village or `cabang`) Record an approved member's death: the cover ends with the
    month of death and no payment is taken afterwards."""
    member = death.record_death(session, actor, member_id, body.died_on, body.note)
    return member_out(session, actor, member)
