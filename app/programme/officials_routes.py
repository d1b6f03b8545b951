"""The page of a village's officials (perangkat desa): the roster, who keeps it from being complete,
and the form that keeps it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.members.cover import CoverStatus
from app.members.models import MemberStatus
from app.programme import officials
from app.programme.models import OfficialPosition

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _officials_context(session: Session, actor: Actor, code: str, rows: list[dict] | None = None, errors=None) -> dict:
    roster = officials.roster(session, actor, code)
    if rows is None:  # the roster as kept, then a few empty rows for new officials
        rows = [
            {
                "position": row.official.position,
                "name": row.official.name,
                "member_number": row.member.member_number if row.member and row.member.member_number else "",
            }
            for row in roster.rows
        ]
        rows += [{"position": "", "name": "", "member_number": ""}] * officials.BLANK_ROWS
    return {
        "roster": roster,
        "rows": rows,
        "positions": officials.position_labels(roster.village.province_code),
        "position_order": [p.value for p in OfficialPosition],
        "can_keep": actor.role in officials.KEEPING_ROLES,
        "errors": errors or {},
        "statuses": MemberStatus.labels(),
        "cover_labels": CoverStatus.labels(),
    }


@router.get("/villages/{code}/officials")
def officials_page(request: Request, code: str, actor: WebActor, session: SessionDep, saved: str = ""):
    return render(request, "programme/officials.html", _officials_context(session, actor, code) | {"saved": saved})


@router.post("/villages/{code}/officials")
def officials_save(
    request: Request,
    code: str,
    actor: WebActor,
    session: SessionDep,
    position: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies the default)
    name: Annotated[list[str], Form()] = [],  # noqa: B006
    member_number: Annotated[list[str], Form()] = [],  # noqa: B006
):
    rows = [
        {"position": p, "name": n, "member_number": m} for p, n, m in zip(position, name, member_number, strict=False)
    ]
    show_again_if_refused(
        request,
        session,
        "programme/officials.html",
        lambda errors: _officials_context(session, actor, code, rows, errors),
    )
    officials.replace_roster(session, actor, code, rows)
    return RedirectResponse(f"/villages/{code}/officials?saved=1", status_code=303)
