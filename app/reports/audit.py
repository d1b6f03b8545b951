"""Reading the audit log: `GET /api/v1/audit` and the `/audit` page, for `wilayah` and `admin` only.

The log is append-only: nothing here (nor anywhere in the app) updates or deletes an entry, and the
database refuses it as well (triggers of migration 0002). A NIK never leaves this module whole:
every 16-digit number in an entry's detail is masked as in the member lists.
"""

import datetime as dt
import json
import math
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.deps import ApiActor, WebActor, csrf_protect
from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core.audit import ACTION_LABELS, AuditEntry
from app.core.bounds import MAX_SEARCH_LENGTH, PageNumber, SearchText
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.forms import show_again_if_refused
from app.core.i18n import _
from app.core.templating import render
from app.reports.audit_details import describe

PAGE_SIZE = 50
READERS = (Role.wilayah.value, Role.admin.value)
OBJECT_PATTERN = re.compile(r"^(?P<type>[a-z_]{1,20}):(?P<id>[^\s:]{1,40})$")
NIK_PATTERN = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


# --- queries -------------------------------------------------------------------------------------


def parse_object(text: str) -> tuple[str, str]:
    match = OBJECT_PATTERN.match(text.strip())
    if match is None:
        raise Invalid({"object": _("Write the object as type:id, for example member:12 or village:12.07.02.2001.")})
    return match["type"], match["id"]


def mask(value: Any) -> Any:
    """Mask every NIK-like number (16 digits) in a detail, however deeply it is nested."""
    if isinstance(value, str):
        return NIK_PATTERN.sub(lambda m: m[1] + "*" * 8 + m[2], value)
    if isinstance(value, dict):
        return {key: mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 16:
        return mask(str(value))
    return value


def detail_of(entry: AuditEntry) -> dict:
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {"text": entry.detail}
    if not isinstance(detail, dict):
        detail = {"value": detail}
    return mask(detail)


def entries(
    session: Session,
    actor: Actor,
    object: str | None = None,
    actor_name: str | None = None,
    action: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many match."""
    require_role(actor, *READERS)
    conditions = []
    if object and object.strip():
        object_type, object_id = parse_object(object)
        conditions += [AuditEntry.object_type == object_type, AuditEntry.object_id == object_id]
    if actor_name and actor_name.strip():
        conditions.append(AuditEntry.actor_name == actor_name.strip())
    if action and action.strip():
        conditions.append(AuditEntry.action == action.strip())
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    rows = session.exec(
        select(AuditEntry)
        .where(*conditions)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


# --- JSON ----------------------------------------------------------------------------------------


class AuditItem(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    object: str
    detail: dict[str, Any]
    times: int = 1  # more than 1: the same action repeated within one minute (refused logins)


class AuditPage(BaseModel):
    items: list[AuditItem]
    total: int
    page: int
    page_size: int


def item(entry: AuditEntry) -> AuditItem:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=dt.UTC)
    return AuditItem(
        at=at,
        actor=entry.actor_name,
        action=entry.action,
        object=f"{entry.object_type}:{entry.object_id}",
        detail=detail_of(entry),
        times=entry.times,
    )


api_router = APIRouter(tags=["audit"])


@api_router.get("/audit", response_model=AuditPage)
def audit_api(
    who: ApiActor,
    session: SessionDep,
    object: str | None = Query(
        None, max_length=MAX_SEARCH_LENGTH, description="`member:ID`, `village:CODE`, `payment:RECEIPT`, …"
    ),
    actor: str | None = Query(None, max_length=MAX_SEARCH_LENGTH, description="username of who acted"),
    action: str | None = Query(
        None, max_length=MAX_SEARCH_LENGTH, description="e.g. member_approved, member_rejected, login_failed"
    ),
    page: PageNumber = 1,
):
    rows, total = entries(session, who, object, actor, action, page)
    return AuditPage(items=[item(row) for row in rows], total=total, page=page, page_size=PAGE_SIZE)


# --- page ----------------------------------------------------------------------------------------

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/audit")
def audit_page(
    request: Request,
    who: WebActor,
    session: SessionDep,
    object: SearchText = "",
    actor: SearchText = "",
    action: SearchText = "",
    page: PageNumber = 1,
):
    filters = {"object": (object or "").strip(), "actor": (actor or "").strip(), "action": (action or "").strip()}
    # A filter refused: no entries, the message beside it.
    show_again_if_refused(
        request, session, "audit/list.html", lambda errors: _page_context([], 0, page, filters, errors)
    )
    rows, total = entries(session, who, filters["object"], filters["actor"], filters["action"], page)
    return render(request, "audit/list.html", _page_context(rows, total, page, filters))


def _page_context(rows: list[AuditEntry], total: int, page: int, filters: dict, errors: dict | None = None) -> dict:
    return {
        "rows": [(row, it, describe(it.action, it.detail)) for row, it in ((row, item(row)) for row in rows)],
        "total": total,
        "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "filters": filters,
        "query": urlencode({key: value for key, value in filters.items() if value}),
        "errors": errors or {},
        "action_labels": ACTION_LABELS,
    }
