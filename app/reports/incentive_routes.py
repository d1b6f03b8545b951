"""The duta's incentive: the duta's own months, the branch's and the region's table for a month with its
CSV/XLSX for the finance office, the regional office's rate form, and the API."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlmodel import Session

from app.auth.deps import ApiActor, WebActor, csrf_protect
from app.auth.models import Role
from app.auth.scope import Actor, require_role
from app.core.clock import month_start, today
from app.core.db import SessionDep
from app.core.downloads import file_headers
from app.core.errors import Invalid
from app.core.forms import show_again_if_refused
from app.core.i18n import _
from app.core.templating import render
from app.rates import incentives as rates
from app.reports import exports
from app.reports.api import CSV, XLSX
from app.reports.incentives import EXPORT_ROLES, HEADERS, KINDS, export_rows, month_rows, rows_for
from app.reports.scope import Scope

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
api_router = APIRouter(tags=["reports"])


def _month(raw: str | None) -> dt.date:
    if not raw:
        return month_start(today())
    month = rates.parse_month(raw)
    if month is None:
        raise Invalid({"month": _("Use a month as YYYY-MM.")})
    return month


def _totals(rows) -> dict[str, int]:
    names = ("approved", "collected", "deposited", "transferred", "incentive")
    return {name: sum(getattr(row, name) for row in rows) for name in names}


def _context(
    session: Session, actor: Actor, month: dt.date, branch: str | None, form: dict | None = None, errors=None
) -> dict:
    rows = rows_for(session, actor, month, branch)
    return {
        "rows": rows,
        "totals": _totals(rows),
        "month": f"{month:%Y-%m}",
        "branch": branch or "",
        "rate": rates.rate_in_force(session, month),
        "rates": rates.rates(session) if actor.role == Role.wilayah.value else [],
        "form": form or {"from_month": f"{month_start(today()):%Y-%m}", "per_member": "", "percent": ""},
        "errors": errors or {},
        "may_export": actor.role in EXPORT_ROLES,
    }


@router.get("/incentives")
def incentives_page(
    request: Request, actor: WebActor, session: SessionDep, month: str | None = None, branch: str | None = None
):
    show_again_if_refused(
        request,
        session,
        "reports/incentives.html",
        lambda errors: _context(session, actor, month_start(today()), None, errors=errors) | {"month": month},
    )
    return render(request, "reports/incentives.html", _context(session, actor, _month(month), branch or None))


@router.post("/incentives/rate")
def set_rate(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    from_month: Annotated[str, Form(max_length=20)] = "",
    per_member: Annotated[str, Form(max_length=20)] = "",
    percent: Annotated[str, Form(max_length=20)] = "",
):
    form = {"from_month": from_month, "per_member": per_member, "percent": percent}
    show_again_if_refused(
        request,
        session,
        "reports/incentives.html",
        lambda errors: _context(session, actor, month_start(today()), None, form, errors),
    )
    rates.set_rate(session, actor, from_month, per_member, percent)
    return RedirectResponse("/incentives", status_code=303)


def _export(session: Session, actor: Actor, month: str | None, branch: str | None, fmt: str) -> Response:
    require_role(actor, *EXPORT_ROLES)
    first = _month(month)
    rows = export_rows(month_rows(session, actor, first, branch or None))
    code = branch or (actor.branch_code if actor.role == Role.cabang.value else None)
    scope = Scope("branch", (code,)) if code else Scope("region")
    exports.log_export(session, actor, "incentives", scope, len(rows), fmt)
    name = f"insentif-duta-{(code or 'wilayah').lower()}-{first:%Y-%m}.{fmt}"
    headers = file_headers(name)
    if fmt == "csv":
        return StreamingResponse(exports.csv_lines(HEADERS, rows, KINDS), media_type=CSV, headers=headers)
    return Response(exports.xlsx_bytes("Insentif", HEADERS, rows, KINDS), media_type=XLSX, headers=headers)


@router.get("/reports/incentives.csv")
def incentives_csv(actor: WebActor, session: SessionDep, month: str | None = None, branch: str | None = None):
    return _export(session, actor, month, branch, "csv")


@router.get("/reports/incentives.xlsx")
def incentives_xlsx(actor: WebActor, session: SessionDep, month: str | None = None, branch: str | None = None):
    return _export(session, actor, month, branch, "xlsx")


@api_router.get("/incentives")
def incentives_api(actor: ApiActor, session: SessionDep, month: str | None = None, branch: str | None = None):
    """Per duta for a month (`YYYY-MM`, default this month; a `duta` gets its last six months): members
    approved, dues collected, cash deposited, dues by transfer and the incentive at the rate in force
    (`rate` null: none set, the incentive is zero). `branch`: one branch (`wilayah`, `admin`)."""
    first = _month(month)
    rows = rows_for(session, actor, first, branch)
    rate = rates.rate_in_force(session, first)
    return {
        "month": f"{first:%Y-%m}",
        "rate": None
        if rate is None
        else {
            "effective_from": f"{rate.effective_from:%Y-%m}",
            "per_member": rate.per_member,
            "dues_basis_points": rate.dues_basis_points,
        },
        "items": [
            {
                "duta": row.username,
                "full_name": row.full_name,
                "branch_code": row.branch_code,
                "month": f"{row.month:%Y-%m}",
                "approved": row.approved,
                "collected": row.collected,
                "deposited": row.deposited,
                "transferred": row.transferred,
                "incentive": row.incentive,
            }
            for row in rows
        ],
        "totals": _totals(rows),
    }
