"""Follow-up pages: the duta's lists, one list in full, the day's printable visit list, and the form
that records what came of a contact."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor
from app.core.bounds import PageNumber, RowId
from app.core.clock import today
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.followups import service
from app.followups.models import OUTCOME_LABELS, ContactOutcome
from app.members import service as members_service

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

LABELS = {"list_labels": service.LIST_LABELS, "outcome_labels": OUTCOME_LABELS}


@router.get("/followups")
def followups_page(request: Request, actor: WebActor, session: SessionDep):
    return render(request, "followups/lists.html", {"listings": service.overview(session, actor), **LABELS})


@router.get("/followups/visits")
def visits_page(request: Request, actor: WebActor, session: SessionDep):
    """The day's visits, to print or keep open while walking the village."""
    rows = service.visits(session, actor)
    return render(request, "followups/visits.html", {"rows": rows, "day": today(), **LABELS})


@router.get("/followups/{list_name}")
def list_page(
    request: Request, list_name: service.FollowUpList, actor: WebActor, session: SessionDep, page: PageNumber = 1
):
    listing = service.listing(session, actor, list_name, page=page)
    return render(
        request,
        "followups/list.html",
        {"listing": listing, "page": page, "pages": max(1, -(-listing.total // service.PAGE_SIZE)), **LABELS},
    )


def _contact_context(session: Session, actor: Actor, member_id: int, form: dict | None = None, errors=None) -> dict:
    member = members_service.get_member(session, actor, member_id)
    return {
        "member": member,
        "contacts": service.contacts_of(session, actor, member_id, limit=5),
        "outcomes": [o.value for o in ContactOutcome],
        "form": form or {},
        "errors": errors or {},
        "today": today(),
        **LABELS,
    }


@router.get("/members/{member_id}/contact")
def contact_form(request: Request, member_id: RowId, actor: WebActor, session: SessionDep):
    return render(request, "followups/contact.html", _contact_context(session, actor, member_id))


@router.post("/members/{member_id}/contact")
def record_contact(
    request: Request,
    member_id: RowId,
    actor: WebActor,
    session: SessionDep,
    outcome: str = Form(""),
    note: str = Form(""),
    promised_on: str = Form(""),
    next_contact_on: str = Form(""),
):
    form = {"outcome": outcome, "note": note, "promised_on": promised_on, "next_contact_on": next_contact_on}
    show_again_if_refused(
        request,
        session,
        "followups/contact.html",
        lambda errors: _contact_context(session, actor, member_id, form, errors),
    )
    service.record_contact(session, actor, member_id, outcome, note, promised_on, next_contact_on)
    return RedirectResponse("/followups", status_code=303)
