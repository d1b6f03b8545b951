"""Pages of a member's move to another village: the `duta`'s form on an approved member, and the list
the new village's branch officer confirms or refuses from. Plain forms; HTMX only speeds them up."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.auth import places
from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor, require_role
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.members import service as members_service
from app.members.models import Member, MemberStatus
from app.regions.models import Village
from app.workflows import moves

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _form_context(session: Session, actor: Actor, member: Member, form: dict, errors: dict | None = None) -> dict:
    # Most moves stay near: the picker starts with the villages of the member's regency; typing finds
    # any village of the region.
    picker = places.picker(session, actor, "any_village", form["village_code"], near=member.village_code[:5])
    return {"member": member, "form": form, "errors": errors or {}, "village_picker": picker}


@router.get("/members/{member_id}/move")
def move_form(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = members_service.get_member(session, actor, member_id)
    require_role(actor, "duta")
    if member.status != MemberStatus.approved.value:
        return RedirectResponse(f"/members/{member_id}", status_code=303)
    context = _form_context(session, actor, member, {"village_code": "", "reason": ""})
    return render(request, "members/move.html", context)


@router.post("/members/{member_id}/move")
def record_move(
    member_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    village_code: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
):
    show_again_if_refused(
        request,
        session,
        "members/move.html",
        lambda errors: _form_context(
            session,
            actor,
            members_service.get_member(session, actor, member_id),
            {"village_code": village_code, "reason": reason},
            errors,
        ),
    )
    code = places.resolve_place(session, actor, "any_village", village_code, "village_code")
    moves.request_move(session, actor, member_id, code, reason)
    return RedirectResponse(f"/members/{member_id}", status_code=303)


def _list_context(session: Session, actor: Actor, errors: dict | None = None, refused: int | None = None) -> dict:
    rows = moves.pending_moves(session, actor)
    codes = {code for move, _m in rows for code in (move.from_village_code, move.to_village_code)}
    names = dict(session.exec(select(Village.code, Village.name).where(col(Village.code).in_(codes))).all())
    return {"rows": rows, "names": names, "errors": errors or {}, "refused": refused}


@router.get("/moves")
def pending_moves(request: Request, actor: WebActor, session: SessionDep):
    return render(request, "members/moves.html", _list_context(session, actor))


@router.post("/moves/{move_id}/confirm")
def confirm_move(move_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    moves.confirm(session, actor, move_id)
    return RedirectResponse("/moves", status_code=303)


@router.post("/moves/{move_id}/reject")
def reject_move(
    move_id: RowId, request: Request, actor: WebActor, session: SessionDep, reason: Annotated[str, Form()] = ""
):
    show_again_if_refused(
        request, session, "members/moves.html", lambda errors: _list_context(session, actor, errors, move_id)
    )
    moves.reject(session, actor, move_id, reason)
    return RedirectResponse("/moves", status_code=303)
