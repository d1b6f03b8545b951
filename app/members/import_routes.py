"""The page that registers a group from a file: choose the village and the file, see every row checked,
then register the right rows. A plain multipart form; with HTMX the upload shows its progress.

Browsers cannot send a file again by themselves, so registering asks for the same file once more: the
check's answer carries the file's fingerprint (with the village), and only that file is registered, so
what is registered is what was shown."""

import hashlib

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from sqlmodel import Session

from app.auth import places
from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor, require_role
from app.core import uploads
from app.core.bounds import MAX_SEARCH_LENGTH
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.forms import show_again_if_refused
from app.core.i18n import _
from app.core.templating import render
from app.members import imports
from app.members.api import import_template_response

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

PAGE = "members/import.html"


def _context(
    session: Session, actor: Actor, village: str, errors: dict | None = None, report=None, checked: str = ""
) -> dict:
    require_role(actor, *imports.IMPORT_ROLES)
    if not village and len(actor.village_codes) == 1:
        village = actor.village_codes[0]  # a duta of one village: chosen already
    return {
        "village_picker": places.picker(session, actor, "village", village),
        "errors": errors or {},
        "report": report,
        "checked": checked,
        "headers": imports.HEADERS,
    }


def _fingerprint(village_code: str, content: bytes) -> str:
    return hashlib.sha256(village_code.encode() + b"\0" + content).hexdigest()


@router.get("/members/import")
def import_page(request: Request, actor: WebActor, session: SessionDep, village_code: str = ""):
    return render(request, PAGE, _context(session, actor, village_code[:MAX_SEARCH_LENGTH]))


@router.get("/members/import/template.xlsx")
def import_template(actor: WebActor):
    return import_template_response()


@router.post("/members/import")
def import_upload(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    file: UploadFile | None = None,
    village_code: str = Form("", max_length=MAX_SEARCH_LENGTH),
    action: str = Form("check", max_length=20),
    checked: str = Form("", max_length=64),
):
    show_again_if_refused(request, session, PAGE, lambda errors: _context(session, actor, village_code, errors))
    content = file.file.read(uploads.MAX_BYTES + 1) if file else b""
    code = places.resolve_place(session, actor, "village", village_code, "village_code") or ""
    register = action == "register"
    fingerprint = _fingerprint(code, content)
    if register and content and fingerprint != checked:
        message = _("Choose the same file that was checked (for the same village), or check this one first.")
        raise Invalid({"file": message})
    report = imports.import_members(
        session, actor, code, file.filename or "" if file else "", content, dry_run=not register
    )
    # After a check with rows to register, the form asks for the same file again.
    again = fingerprint if not register and report.count("ok") else ""
    return render(request, PAGE, _context(session, actor, code, report=report, checked=again))
