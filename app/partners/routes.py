"""Partner pages for the regional office and the administrator: /partners (the list), /partners/new,
/partners/{id} (the partner, its regencies and its API clients: create, rotate, revoke)."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.models import PartnerKind
from app.auth.scope import Actor
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.i18n import _
from app.core.templating import render
from app.partners import service
from app.regions import service as regions_service

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
# A secret is shown once: the page holding it must not be kept by the browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}


def _form(kind: str, name: str, contact: str, regencies: list[str]) -> dict:
    return {"kind": kind, "name": name, "contact": contact, "regencies": regencies}


def _form_context(session: Session, form: dict, errors: dict | None = None) -> dict:
    return {
        "form": form,
        "errors": errors or {},
        "kinds": PartnerKind.labels(),
        "regency_groups": regions_service.regency_choices(session),
    }


def _partner_context(
    request: Request, session: Session, actor: Actor, partner_id: int, form: dict | None = None, errors=None
) -> dict:
    partner = service.get_partner(session, actor, partner_id)
    assert partner.id is not None  # a stored partner
    form = form or _form(partner.kind, partner.name, partner.contact, service.regencies_of(session, partner.id))
    return {
        **_form_context(session, form, errors),
        "partner": partner,
        "clients": service.clients_of(session, partner.id),
        "flash": request.session.pop("flash", None),
    }


@router.get("/partners")
def partners(request: Request, actor: WebActor, session: SessionDep):
    rows = service.list_partners(session, actor)
    return render(request, "partners/list.html", {"partners": rows, "flash": request.session.pop("flash", None)})


@router.get("/partners/new")
def new_partner(request: Request, actor: WebActor, session: SessionDep):
    service.require_keeper(actor)
    return render(request, "partners/new.html", _form_context(session, _form("", "", "", [])))


@router.post("/partners/new")
def create_partner(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    kind: str = Form("", max_length=40),
    name: str = Form("", max_length=400),
    contact: str = Form("", max_length=800),
    regencies: list[str] = Form([]),
):
    form = _form(kind, name, contact, regencies)
    show_again_if_refused(request, session, "partners/new.html", lambda errors: _form_context(session, form, errors))
    partner = service.create_partner(session, actor, kind, name, contact, regencies)
    request.session["flash"] = _("Partner %(name)s added.", name=partner.name)
    return RedirectResponse(f"/partners/{partner.id}", status_code=303)


@router.get("/partners/{partner_id}")
def partner_page(request: Request, partner_id: RowId, actor: WebActor, session: SessionDep):
    return render(request, "partners/partner.html", _partner_context(request, session, actor, partner_id))


@router.post("/partners/{partner_id}")
def edit_partner(
    request: Request,
    partner_id: RowId,
    actor: WebActor,
    session: SessionDep,
    kind: str = Form("", max_length=40),
    name: str = Form("", max_length=400),
    contact: str = Form("", max_length=800),
    regencies: list[str] = Form([]),
):
    form = _form(kind, name, contact, regencies)
    show_again_if_refused(
        request,
        session,
        "partners/partner.html",
        lambda errors: _partner_context(request, session, actor, partner_id, form, errors),
    )
    partner = service.edit_partner(session, actor, partner_id, kind, name, contact, regencies)
    request.session["flash"] = _("Partner %(name)s saved.", name=partner.name)
    return RedirectResponse(f"/partners/{partner_id}", status_code=303)


def _secret_page(request: Request, session: Session, actor: Actor, partner_id: int, shown: service.NewSecret):
    """The partner's page with the new secret, this once (no redirect: it is kept nowhere to show again)."""
    context = {**_partner_context(request, session, actor, partner_id), "new_secret": shown}
    response = render(request, "partners/partner.html", context)
    response.headers.update(NO_STORE)
    return response


@router.post("/partners/{partner_id}/clients")
def create_client(request: Request, partner_id: RowId, actor: WebActor, session: SessionDep):
    return _secret_page(request, session, actor, partner_id, service.create_client(session, actor, partner_id))


@router.post("/partners/{partner_id}/clients/{client_id}/rotate")
def rotate_client(request: Request, partner_id: RowId, client_id: str, actor: WebActor, session: SessionDep):
    shown = service.rotate_client(session, actor, partner_id, client_id[:40])
    return _secret_page(request, session, actor, partner_id, shown)


@router.post("/partners/{partner_id}/clients/{client_id}/revoke")
def revoke_client(request: Request, partner_id: RowId, client_id: str, actor: WebActor, session: SessionDep):
    client = service.revoke_client(session, actor, partner_id, client_id[:40])
    message = _("Client %(client)s revoked: its secret and tokens stop working.", client=client.client_id)
    request.session["flash"] = message
    return RedirectResponse(f"/partners/{partner_id}", status_code=303)
