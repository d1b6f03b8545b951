"""Pages of an approved member's later life: the `duta`'s identity change request and the branch
officer's list of them to approve or reject. Plain forms; HTMX only speeds them up."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor, require_role
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.members import identity, service
from app.members.models import Member, MemberStatus, Sex
from app.members.rules import IDENTITY_FIELDS

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def labels() -> dict:
    return {"sexes": Sex.labels()}


def _current(member: Member) -> dict[str, Any]:
    return {
        "nik": member.nik,
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat(),
        "reason": "",
    }


@router.get("/members/{member_id}/identity-request")
def identity_request_form(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = service.get_member(session, actor, member_id)
    require_role(actor, "duta")
    if member.status != MemberStatus.approved.value:  # a registration is corrected on its edit page
        return RedirectResponse(f"/members/{member_id}", status_code=303)
    context = {"member": member, "form": _current(member), "errors": {}, **labels()}
    return render(request, "members/identity_request.html", context)


async def _read_form(request: Request) -> dict:
    data = await request.form()
    return {name: str(data.get(name) or "").strip() for name in (*IDENTITY_FIELDS, "reason")}


@router.post("/members/{member_id}/identity-request")
def ask_identity_change(
    member_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    form: Annotated[dict, Depends(_read_form)],
):
    show_again_if_refused(
        request,
        session,
        "members/identity_request.html",
        lambda errors: {
            "member": service.get_member(session, actor, member_id),
            "form": form,
            "errors": errors,
            **labels(),
        },
    )
    identity.request_change(session, actor, member_id, form)
    return RedirectResponse(f"/members/{member_id}", status_code=303)


def _list_context(session: Session, actor: Actor, errors: dict | None = None, refused: int | None = None) -> dict:
    return {
        "rows": identity.pending_requests(session, actor),
        "errors": errors or {},
        "refused": refused,  # the request whose reject form the errors belong to
        **labels(),
    }


@router.get("/identity-requests")
def identity_requests(request: Request, actor: WebActor, session: SessionDep):
    return render(request, "members/identity_requests.html", _list_context(session, actor))


@router.post("/identity-requests/{request_id}/approve")
def approve_identity_change(request_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    show_again_if_refused(
        request, session, "members/identity_requests.html", lambda errors: _list_context(session, actor, errors)
    )
    identity.approve(session, actor, request_id)
    return RedirectResponse("/identity-requests", status_code=303)


@router.post("/identity-requests/{request_id}/reject")
def reject_identity_change(
    request_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    reason: Annotated[str, Form()] = "",
):
    show_again_if_refused(
        request,
        session,
        "members/identity_requests.html",
        lambda errors: _list_context(session, actor, errors, request_id),
    )
    identity.reject(session, actor, request_id, reason)
    return RedirectResponse("/identity-requests", status_code=303)
