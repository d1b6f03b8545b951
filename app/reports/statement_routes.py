"""The partners' monthly statement: the page with its month field, its CSV/XLSX and the API."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from app.auth.deps import ApiActor, WebActor, csrf_protect
from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core.db import SessionDep
from app.core.downloads import file_headers
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.reports.api import CSV, XLSX
from app.reports.partner_statements import (
    MONTH_LENGTH,
    STATEMENT_ROLES,
    as_json,
    export_rows,
    parse_statement_month,
    statement,
    statement_csv,
    statement_xlsx,
    totals,
)

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
api_router = APIRouter(tags=["reports"])


@router.get("/reports/partners")
def statement_page(request: Request, actor: WebActor, session: SessionDep, month: str | None = None):
    require_role(actor, *STATEMENT_ROLES)
    # A refused month comes back as typed, beside its field, without a table of some other month.
    show_again_if_refused(
        request,
        session,
        "reports/partner_statement.html",
        lambda errors: {"month": (month or "")[:MONTH_LENGTH], "rows": [], "total": None, "errors": errors},
    )
    first = parse_statement_month(month)
    rows = statement(session, actor, first)
    return render(
        request,
        "reports/partner_statement.html",
        {"month": f"{first:%Y-%m}", "first": first, "rows": rows, "total": totals(rows)},
    )


def _download(session: Session, actor: Actor, month: str | None, fmt: str) -> Response:
    require_role(actor, *STATEMENT_ROLES)
    first = parse_statement_month(month)
    rows = export_rows(session, actor, first, fmt)
    area = (actor.branch_code or "cabang").lower() if actor.role == Role.cabang.value else "wilayah"
    headers = file_headers(f"laporan-mitra-{area}-{first:%Y-%m}.{fmt}")
    if fmt == "csv":
        return StreamingResponse(statement_csv(rows), media_type=CSV, headers=headers)
    return Response(statement_xlsx(rows), media_type=XLSX, headers=headers)


@router.get("/reports/partners.csv")
def statement_csv_file(actor: WebActor, session: SessionDep, month: str | None = None):
    return _download(session, actor, month, "csv")


@router.get("/reports/partners.xlsx")
def statement_xlsx_file(actor: WebActor, session: SessionDep, month: str | None = None):
    return _download(session, actor, month, "xlsx")


@api_router.get("/reports/partners")
def statement_api(
    actor: ApiActor, session: SessionDep, month: Annotated[str | None, Query(max_length=MONTH_LENGTH)] = None
):
    """Per partner with activity in the caller's area in a month (`YYYY-MM`, default this month in WIB;
    a later month is refused, 422 on `month`): its valid payments of channel `mitra` paid that month and
    the lines of its settlement files dated that month that matched no payment, by resolution.
    `cabang` (its branch), `wilayah`, `admin`."""
    require_role(actor, *STATEMENT_ROLES)
    first = parse_statement_month(month)
    return as_json(first, statement(session, actor, first))
