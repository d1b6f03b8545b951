"""Pages of the approval queue: the list, one screen per registration, approve, reject, approve several.

Plain forms that work without JavaScript (each decision answers 303 back to the queue); with HTMX a
decision taken on a queue row answers an empty partial that removes the row, plus a status line.
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from babel.dates import format_timedelta
from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.models import Role
from app.auth.scope import Actor, get_village, require_role
from app.core import uploads
from app.core.bounds import MAX_PAGE, PageNumber, RowId
from app.core.db import SessionDep
from app.core.errors import Conflict
from app.core.forms import show_again_if_refused
from app.core.i18n import _, get_locale
from app.core.templating import is_htmx, render
from app.members import kpj as kpj_numbers
from app.members.models import MemberStatus
from app.workflows import approvals

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

FLASH = "approvals_flash"


def waited(delta: dt.timedelta) -> str:
    """How long a registration has waited, in words of the user's language ("3 hari")."""
    return format_timedelta(delta, granularity="minute", threshold=1.5, locale=get_locale())


def _back(target: str | None) -> str:
    """Back to the queue, keeping its filter; only queue addresses, never elsewhere."""
    if target and target.startswith("/approvals") and not target.startswith("//") and "\\" not in target:
        return target
    return "/approvals"


def _done(request: Request, message: str, back: str | None, kind: str = "ok"):
    if is_htmx(request):
        return render(request, "approvals/_decided.html", {"message": message, "kind": kind})
    request.session[FLASH] = {"message": message, "kind": kind}
    return RedirectResponse(_back(back), status_code=303)


@router.get("/approvals")
def queue_page(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    village: str | None = None,
    page: PageNumber = 1,
):
    village = village or None
    require_role(actor, *approvals.QUEUE_ROLES)  # 403 before 404: the role first
    if village:
        get_village(session, actor, village)  # 404 outside the actor's area
    back = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    return render(
        request,
        "approvals/queue.html",
        _queue_context(session, actor, village, page, back, request.session.pop(FLASH, None)),
    )


def _queue_context(session, actor, village: str | None, page: int, back: str, flash: dict | None) -> dict:
    return {
        "queue": approvals.queue(session, actor, village, page),
        "villages": approvals.queue_villages(session, actor),
        "village": village,
        "may_decide": actor.role == "cabang",
        "flash": flash,
        "back": back,
        "waited": waited,
        "status_labels": MemberStatus.labels(),
    }


def _queue_shown(back: str) -> tuple[str | None, int]:
    """The village and page of the queue a batch was sent from (its `back` address)."""
    query = parse_qs(urlsplit(back).query)
    page = query.get("page", [""])[0]
    return query.get("village", [None])[0], int(page) if page.isdigit() and 0 < int(page) <= MAX_PAGE else 1


@router.post("/approvals/batch")
def approve_batch(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    member_id: list[int] = Form([]),
    back: str | None = Form(None),
):
    back = _back(back)
    village, page = _queue_shown(back)
    # The queue again, the message in its status line.
    show_again_if_refused(
        request,
        session,
        "approvals/queue.html",
        lambda errors: _queue_context(
            session, actor, village, page, back, {"message": errors["member_id"], "kind": "alert"}
        ),
    )
    result = approvals.approve_many(session, actor, member_id)
    message = _("Registrations approved: %(n)s.", n=len(result.approved))
    if result.skipped:
        message += " " + _("Already decided by someone else: %(n)s.", n=len(result.skipped))
    if result.flagged:
        message += " " + _("Possible duplicates, to decide one by one: %(n)s.", n=len(result.flagged))
    return _done(request, message, back)


@router.get("/approvals/{member_id}")
def decision_page(request: Request, member_id: RowId, actor: WebActor, session: SessionDep):
    return _decision_page(request, session, actor, member_id)


def _decision_context(session, actor, member_id, errors=None, code="", note="", kpj="") -> dict:
    return {
        "kpj": kpj,
        "d": approvals.decision(session, actor, member_id),
        "reasons": approvals.REJECTION_REASONS,
        "errors": errors or {},
        "code": code,
        "note": note,
        "waited": waited,
        "status_labels": MemberStatus.labels(),
    }


def _decision_page(request, session, actor, member_id):
    return render(request, "approvals/detail.html", _decision_context(session, actor, member_id))


@router.post("/approvals/{member_id}/approve")
def approve(
    request: Request,
    member_id: RowId,
    actor: WebActor,
    session: SessionDep,
    back: str | None = Form(None),
    kpj: str = Form(""),
):
    # A KPJ refused (its digits, another member's) comes back beside its field on the decision page.
    show_again_if_refused(
        request,
        session,
        "approvals/detail.html",
        lambda errors: _decision_context(session, actor, member_id, errors, kpj=kpj),
    )
    try:
        member = approvals.approve(session, actor, member_id, kpj=kpj)
    except Conflict as error:
        if not is_htmx(request) or error.field == "kpj":
            raise
        # Someone else decided it meanwhile: the row leaves the queue all the same, with the reason.
        return _done(request, error.message, back, kind="alert")
    return _done(
        request,
        _("%(name)s approved; member number %(number)s.", name=member.full_name, number=member.member_number),
        back,
    )


@router.post("/approvals/{member_id}/reject")
def reject(
    request: Request,
    member_id: RowId,
    actor: WebActor,
    session: SessionDep,
    code: str = Form(""),
    note: str = Form(""),
    back: str | None = Form(None),
):
    show_again_if_refused(
        request,
        session,
        "approvals/detail.html",
        lambda errors: _decision_context(session, actor, member_id, errors, code, note),
    )
    try:
        member = approvals.reject(session, actor, member_id, code, note)
    except Conflict as error:
        if not is_htmx(request):
            raise
        return _done(request, error.message, back, kind="alert")
    return _done(request, _("%(name)s rejected; the registration goes back to its duta.", name=member.full_name), back)


# ---------------------------------------------------------------- KPJ numbers from the core system

KPJ_PAGE_ROWS = 50


def _kpj_context(session: Session, actor: Actor, errors=None, report=None, kpj_form=None) -> dict:
    require_role(actor, Role.cabang.value)
    return {
        # The longest waiting, and how many in all: the branch downloads the whole list as a file.
        "waiting": kpj_numbers.waiting_for_kpj(session, actor, limit=KPJ_PAGE_ROWS),
        "waiting_total": kpj_numbers.waiting_count(session, actor),
        "errors": errors or {},
        "report": report,
        "form": kpj_form or {},
    }


@router.get("/kpj")
def kpj_page(request: Request, actor: WebActor, session: SessionDep):
    """The branch's approved members waiting for a KPJ: download them, upload the core system's answer."""
    return render(request, "approvals/kpj.html", _kpj_context(session, actor))


@router.post("/kpj/import")
def kpj_import(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    file: UploadFile | None = None,
    dry_run: str = Form(""),
):
    show_again_if_refused(request, session, "approvals/kpj.html", lambda errors: _kpj_context(session, actor, errors))
    require_role(actor, Role.cabang.value)
    content = file.file.read(uploads.MAX_BYTES + 1) if file else b""
    rows = kpj_numbers.kpj_file_rows(file.filename or "" if file else "", content)
    report = kpj_numbers.import_kpj(session, actor, rows, dry_run=bool(dry_run))
    return render(
        request,
        "approvals/kpj.html",
        _kpj_context(session, actor, report=report, kpj_form={"dry_run": dry_run}),
        status_code=422 if any(line.status == "error" for line in report) else 200,
    )
