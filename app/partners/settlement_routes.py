"""The branch officer's reconciliation pages: /settlements (upload a partner's file, the lines waiting)
and /settlements/lines/{id} (match by hand, refund, set aside)."""

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor
from app.core import uploads
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.forms import show_again_if_refused
from app.core.i18n import _
from app.core.templating import render
from app.partners import settlements
from app.partners.models import Resolution

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
PAGE_ROWS = 50


def _page_context(session: Session, actor: Actor, form=None, errors=None, outcome=None, flash=None) -> dict:
    return {
        "partners": settlements.partners_of_branch(session, actor),
        "waiting": settlements.waiting_lines(session, actor, limit=PAGE_ROWS),
        "waiting_total": settlements.waiting_count(session, actor),
        "form": form or {},
        "errors": errors or {},
        "outcome": outcome,
        "flash": flash,
    }


@router.get("/settlements")
def settlements_page(request: Request, actor: WebActor, session: SessionDep):
    context = _page_context(session, actor, flash=request.session.pop("flash", None))
    return render(request, "partners/settlements.html", context)


@router.post("/settlements")
def upload(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    file: UploadFile | None = None,
    partner_id: str = Form("", max_length=12),
    dry_run: str = Form(""),
):
    form = {"partner_id": partner_id, "dry_run": dry_run}
    show_again_if_refused(
        request, session, "partners/settlements.html", lambda errors: _page_context(session, actor, form, errors)
    )
    chosen = int(partner_id) if partner_id.isdigit() and len(partner_id) <= 9 else None
    if chosen is None:
        raise Invalid({"partner_id": _("Choose the partner whose file this is.")})
    content = file.file.read(uploads.MAX_BYTES + 1) if file else b""
    filename = (file.filename or "") if file else ""
    outcome = settlements.upload_settlement(session, actor, chosen, filename, content, dry_run=bool(dry_run))
    return render(request, "partners/settlements.html", _page_context(session, actor, form, outcome=outcome))


def _line_context(session: Session, actor: Actor, line_id: int, form=None, errors=None) -> dict:
    line = settlements.get_line(session, actor, line_id)
    return {
        "line": line,
        "partner": settlements.partner_name(session, line),
        "form": form or {},
        "errors": errors or {},
    }


@router.get("/settlements/lines/{line_id}")
def line_page(request: Request, line_id: RowId, actor: WebActor, session: SessionDep):
    return render(request, "partners/settlement_line.html", _line_context(session, actor, line_id))


def _refusable(request: Request, session: SessionDep, actor: Actor, line_id: int, form: dict) -> None:
    show_again_if_refused(
        request,
        session,
        "partners/settlement_line.html",
        lambda errors: _line_context(session, actor, line_id, form, errors),
        whole_form=True,
    )


@router.post("/settlements/lines/{line_id}/match")
def match(request: Request, line_id: RowId, actor: WebActor, session: SessionDep, code: str = Form("", max_length=80)):
    _refusable(request, session, actor, line_id, {"code": code})
    payment = settlements.match_by_hand(session, actor, line_id, code)
    request.session["flash"] = _("Line matched: receipt %(receipt)s.", receipt=payment.receipt_number)
    return RedirectResponse("/settlements", status_code=303)


@router.post("/settlements/lines/{line_id}/close")
def close(
    request: Request,
    line_id: RowId,
    actor: WebActor,
    session: SessionDep,
    resolution: str = Form("", max_length=20),
    note: str = Form("", max_length=1000),
):
    _refusable(request, session, actor, line_id, {"resolution": resolution, "note": note})
    line = settlements.close_line(session, actor, line_id, resolution, note)
    request.session["flash"] = _("Line closed: %(how)s.", how=Resolution.label_of(line.resolution))
    return RedirectResponse("/settlements", status_code=303)
