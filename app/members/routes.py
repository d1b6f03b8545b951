"""Member pages for the phone: register and correct (the list and the member page live in workflows).
Plain forms; HTMX only speeds them up."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor, require_role, village_clause
from app.core import idempotency
from app.core.bounds import RowId, SearchText
from app.core.clock import add_months, month_start, today
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.events.models import Event
from app.members import rules, service, validation
from app.members.cover import CoverStatus
from app.members.models import MemberStatus, Occupation, Sex
from app.rates import service as rates
from app.regions.models import Regency, Village

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# The registration form: the fields a registration may set, and the consent box.
FORM_FIELDS = (*service.FIELDS, "consent")


def labels() -> dict:
    """The labels of the member pages, in the language of the request."""
    return {
        "occupations": Occupation.labels(),
        "sexes": Sex.labels(),
        "statuses": MemberStatus.labels(),
        "cover_labels": CoverStatus.labels(),
    }


def _events(session: Session, actor: Actor) -> list[Event]:
    """Recent outreach events the member may have come from: in the actor's villages or its branch."""
    since = add_months(month_start(today()), -6)
    conditions: list[ColumnElement[bool]] = [
        col(Event.village_code).is_not(None) & village_clause(actor, Event.village_code)
    ]
    if actor.branch_code:
        conditions.append(col(Event.branch_code) == actor.branch_code)
    if actor.village_codes:
        branch = select(Regency.branch_code).where(
            col(Regency.code).in_(select(Village.regency_code).where(col(Village.code).in_(actor.village_codes)))
        )
        conditions.append(col(Event.village_code).is_(None) & col(Event.branch_code).in_(branch))
    return list(
        session.exec(
            select(Event).where(Event.date >= since, or_(*conditions)).order_by(col(Event.date).desc()).limit(30)
        ).all()
    )


def _contribution(session: Session, form: dict):
    """The contribution for what is typed so far; None while the income is not a usable number."""
    try:
        income = validation.parse_rupiah(form.get("monthly_income"))
    except validation.FieldError:
        return None, None
    day = today()
    minimum = rates.minimum_income(session, day)
    if income is None or income < minimum or income > validation.MAXIMUM_INCOME:
        return None, minimum
    occupation = form.get("occupation") if form.get("occupation") in Occupation.codes() else None
    return rates.monthly_contribution(session, income, validation.as_bool(form.get("jht")), occupation, day), minimum


def _form_context(session: Session, actor: Actor, form: dict, errors: dict | None = None, **extra) -> dict:
    contribution, minimum = _contribution(session, form)
    return {
        "form": form,
        "errors": errors or {},
        "villages": service.registrable_villages(session, actor),
        "events": _events(session, actor),
        "contribution": contribution,
        "minimum_income": minimum,
        **labels(),
        **extra,
    }


def _text(value: object) -> str:
    """A form field's text, stripped; "" when it is missing or a file."""
    return value.strip() if isinstance(value, str) else ""


async def _read_form(request: Request) -> dict:
    """The registration form as typed (a dependency: the routes themselves stay plain `def`)."""
    data = await request.form()
    form: dict[str, Any] = {name: _text(data.get(name)) for name in FORM_FIELDS}
    form["jht"] = validation.as_bool(data.get("jht"))
    form["consent"] = validation.as_bool(data.get("consent"))
    form["confirm_not_duplicate"] = validation.as_bool(data.get("confirm_not_duplicate"))
    form["idempotency_key"] = _text(data.get("idempotency_key"))
    form["action"] = data.get("action") or "submit"
    return form


# The form as typed, for the plain `def` routes below.
MemberForm = Annotated[dict, Depends(_read_form)]


@router.get("/members/new")
def new_member(request: Request, actor: WebActor, session: SessionDep, village_code: SearchText = ""):
    villages = service.registrable_villages(session, actor)
    # A link from a village's page (?village_code=) chooses it, if it is one of the duta's.
    chosen = [village.code for village in villages if village.code == village_code or len(villages) == 1]
    form: dict[str, Any] = dict.fromkeys(FORM_FIELDS, "")
    form.update(
        jht=False,
        consent=False,
        village_code=chosen[0] if chosen else "",
        idempotency_key=str(uuid.uuid4()),
    )
    if not villages:
        require_role(actor, "duta")
    return render(request, "members/new.html", _form_context(session, actor, form))


@router.post("/members/new")
def create_member(request: Request, actor: WebActor, session: SessionDep, form: MemberForm):
    show_again_if_refused(
        request,
        session,
        "members/new.html",
        lambda errors: _form_context(
            session,
            actor,
            {**form, "idempotency_key": idempotency.key_to_show_again(form["idempotency_key"], errors)},
            errors,
        ),
    )
    result = service.create(
        session, actor, form, submit=form["action"] != "draft", idempotency_key=form["idempotency_key"]
    )
    return RedirectResponse(f"/members/{result.member.id}", status_code=303)


@router.post("/members/contribution")
def contribution_partial(request: Request, actor: WebActor, session: SessionDep, form: MemberForm):
    """The contribution for the income, JHT and occupation typed so far (HTMX, as the fields change)."""
    contribution, minimum = _contribution(session, form)
    return render(request, "members/_contribution.html", {"contribution": contribution, "minimum_income": minimum})


@router.post("/members/nik-check")
def nik_check(request: Request, actor: WebActor, form: MemberForm):
    """What the NIK typed so far says, or what is wrong with it (HTMX, as it is typed)."""
    problems, nik = validation.nik_hints(form["nik"], form["sex"], form["birth_date"], today())
    return render(request, "members/_nik_check.html", {"problems": problems, "nik": nik, **labels()})


def _member_form(member) -> dict:
    form = {name: getattr(member, name, "") for name in FORM_FIELDS if name != "consent"}
    form.update(
        birth_date=member.birth_date.isoformat() if member.birth_date else "",
        monthly_income=str(member.monthly_income or ""),
        event_id=str(member.event_id or ""),
        consent=member.consent_at is not None,
        idempotency_key="",
    )
    return form


@router.get("/members/{member_id}/edit")
def edit_member(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = service.get_member(session, actor, member_id)
    require_role(actor, "duta")
    if member.status not in service.EDITABLE_STATES:
        return RedirectResponse(f"/members/{member_id}", status_code=303)
    return render(request, "members/edit.html", _form_context(session, actor, _member_form(member), member=member))


@router.post("/members/{member_id}/edit")
def update_member(member_id: RowId, request: Request, actor: WebActor, session: SessionDep, form: MemberForm):
    member = service.get_member(session, actor, member_id)
    show_again_if_refused(
        request,
        session,
        "members/edit.html",
        lambda errors: _form_context(
            session, actor, form, errors, member=service.get_member(session, actor, member_id)
        ),
    )
    if member.status == MemberStatus.approved.value:
        # The page shows only these fields; the others a form posts empty are not changes.
        service.update(session, actor, member_id, {name: form[name] for name in rules.APPROVED_EDITABLE})
    else:
        service.update(session, actor, member_id, form, submit=form["action"] == "submit")
    return RedirectResponse(f"/members/{member.id}", status_code=303)
