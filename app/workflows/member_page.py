"""The member page: the registration, its cover and its payments (members and dues together)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor
from app.core.bounds import RowId
from app.core.clock import today
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.dues import service as dues_service
from app.events.models import Event
from app.members import service
from app.members.cover import cover_status
from app.members.privacy import shown_nik
from app.members.routes import LABELS
from app.regions.models import Village

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _member_context(session: Session, actor: Actor, member) -> dict:
    day = today()
    village = session.get(Village, member.village_code)
    event = session.get(Event, member.event_id) if member.event_id else None
    return {
        "member": member,
        "nik": shown_nik(session, actor, member),
        "village": village,
        "event": event,
        "contribution": service.contribution_for(session, member, day),
        "cover_status": cover_status(member.covered_until, day).value,
        "warnings": service.duplicate_warnings(session, member),
        "editable": actor.role == "duta" and member.status in service.EDITABLE_STATES,
        "can_pay": dues_service.may_record_payment(actor, member),
        "payments": dues_service.member_payments(session, member, limit=dues_service.LATEST_PAYMENTS),
        **LABELS,
    }


@router.get("/members/{member_id}")
def show_member(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = service.get_member(session, actor, member_id)
    return render(request, "members/show.html", _member_context(session, actor, member))


@router.post("/members/{member_id}/submit")
def submit_member(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    show_again_if_refused(
        request,
        session,
        "members/show.html",
        lambda errors: (
            _member_context(session, actor, service.get_member(session, actor, member_id)) | {"errors": errors}
        ),
    )
    service.submit(session, actor, member_id)
    return RedirectResponse(f"/members/{member_id}", status_code=303)
