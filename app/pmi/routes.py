"""PMI pages: the list of the actor's migrant workers, the registration form (plain POST, refused
fields shown beside themselves with what was typed) and a worker's page with the phases of cover."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor, require_role
from app.core import idempotency
from app.core.bounds import RowId
from app.core.clock import today
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.dues.models import Channel
from app.members import service as members_service
from app.members.models import Sex
from app.pmi import rules, service
from app.pmi.models import Destination

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

FIELDS = (
    "nik",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "village_code",
    "passport_number",
    "destination",
    "agency",
    "departure_on",
    "contract_months",
    "channel",
)
Text = Annotated[str, Form(max_length=200)]


def _form_context(session: Session, actor: Actor, form: dict, errors: dict | None = None) -> dict:
    errors = errors or {}
    return {
        "form": {**form, "idempotency_key": idempotency.key_to_show_again(form.get("idempotency_key"), errors)},
        "errors": errors,
        "villages": members_service.registrable_villages(session, actor),
        "sexes": Sex.labels(),
        "destinations": Destination.labels(),
        "channels": {code: Channel.label_of(code) for code in (Channel.tunai.value, Channel.bank.value)},
        "packages": rules.packages_on(today()),
    }


@router.get("/pmi")
def pmi_list(request: Request, actor: WebActor, session: SessionDep):
    rows = service.registrations(session, actor)
    return render(request, "pmi/list.html", {"rows": rows, "can_register": actor.role in service.REGISTERING_ROLES})


@router.get("/pmi/new")
def new_form(request: Request, actor: WebActor, session: SessionDep):
    require_role(actor, *service.REGISTERING_ROLES)
    form = {**dict.fromkeys(FIELDS, ""), "contract_months": str(rules.DEFAULT_CONTRACT_MONTHS)}
    villages = members_service.registrable_villages(session, actor)
    if len(villages) == 1:
        form["village_code"] = villages[0].code
    return render(request, "pmi/new.html", _form_context(session, actor, form))


@router.post("/pmi/new")
def register(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    nik: Text = "",
    full_name: Text = "",
    sex: Text = "",
    birth_date: Text = "",
    phone: Text = "",
    village_code: Text = "",
    passport_number: Text = "",
    destination: Text = "",
    agency: Text = "",
    departure_on: Text = "",
    contract_months: Text = "",
    channel: Text = "",
    idempotency_key: Text = "",
):
    typed = {
        "nik": nik,
        "full_name": full_name,
        "sex": sex,
        "birth_date": birth_date,
        "phone": phone,
        "village_code": village_code,
        "passport_number": passport_number,
        "destination": destination,
        "agency": agency,
        "departure_on": departure_on,
        "contract_months": contract_months,
        "channel": channel,
    }
    show_again_if_refused(
        request,
        session,
        "pmi/new.html",
        lambda errors: _form_context(session, actor, {**typed, "idempotency_key": idempotency_key}, errors),
        whole_form=True,
    )
    registration = service.register(session, actor, idempotency_key or None, **typed)
    return RedirectResponse(f"/pmi/{registration.id}", status_code=303)


@router.get("/pmi/{registration_id}")
def show(registration_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    registration = service.get_registration(session, actor, registration_id)
    phases = rules.phases(registration.paid_on, registration.departure_on, registration.cover_until)
    return render(request, "pmi/show.html", {"pmi": registration, "phases": phases})
