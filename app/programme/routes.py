"""Pages of the Desa Sadar programme: villages and their stages, outreach events, targets and baselines.
Every form is a plain POST that works without JavaScript; refusals re-render the page with the message."""

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.auth import places
from app.auth.deps import WebActor, csrf_protect
from app.auth.models import Role
from app.auth.scope import Actor, get_village, require_role
from app.core.bounds import PageNumber, RowId, SearchText
from app.core.clock import today
from app.core.db import SessionDep
from app.core.forms import WHOLE_FORM, show_again_if_refused
from app.core.templating import format_day, render
from app.events.models import EventKind
from app.members.models import MemberStatus
from app.programme import events, officials, service, stages, targets
from app.programme.models import STAGE_ORDER, Stage, TargetMetric
from app.regions.models import Branch, Province, Village
from app.regions.service import branch_of_village, village_names

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
PAGE_SIZE = 50


def _labels() -> dict:
    return {
        "stage_labels": Stage.labels(),
        "kind_labels": EventKind.labels(),
        "level_labels": {key: str(value) for key, value in service.LEVEL_LABELS.items()},
        "metric_labels": TargetMetric.labels(),
        "stage_order": STAGE_ORDER,
        "iso_day": _iso_day,
        "status_labels": MemberStatus.labels(),
    }


def _iso_day(value) -> str:
    try:
        return format_day(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _page_links(request: Request, page: int, total: int, page_size: int = PAGE_SIZE) -> dict:
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}

    def link(number: int) -> str:
        return f"{request.url.path}?{urlencode({**params, 'page': number})}"

    last = max(1, (total + page_size - 1) // page_size)
    return {
        "page": page,
        "last_page": last,
        "total": total,
        "previous_url": link(page - 1) if page > 1 else None,
        "next_url": link(page + 1) if page < last else None,
    }


# --- villages -------------------------------------------------------------------------------------


@router.get("/villages")
def villages_page(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    stage: str = "programme",
    regency: str = "",
    district: str = "",
    q: SearchText = "",
    page: PageNumber = 1,
):
    regencies = service.regencies_in_scope(session, actor)
    regency_codes = {r.code for r in regencies}
    regency = regency if regency in regency_codes else ""
    districts = service.districts_of(session, regency) if regency else []
    district = district if district in {d.code for d in districts} else ""
    # The list opens on the villages in the programme; "all" (or an unknown stage) shows every one.
    if stage not in ("none", "programme", *STAGE_ORDER):
        stage = ""
    rows, total = service.list_villages(
        session,
        actor,
        stage=stage or None,
        parent=district or regency or None,
        q=q,
        page=page,
        page_size=PAGE_SIZE,
    )
    return render(
        request,
        "programme/villages.html",
        {
            **_labels(),
            "rows": rows,
            "regencies": regencies,
            "districts": districts,
            "filters": {"stage": stage, "regency": regency, "district": district, "q": q},
            **_page_links(request, page, total),
        },
    )


def _village_context(session: Session, actor: Actor, village: Village, **extra) -> dict:
    counts = service.village_counts(session, actor, village.code)
    roster = officials.roster_of(session, village)
    stage_next = service.next_stage(village.stage)
    context = {
        **_labels(),
        "village": village,
        "names": village_names(session, village),
        "branch_code": branch_of_village(session, village),
        "counts": counts,
        "coverage": service.coverage(counts["aktif"], village.estimated_informal_workers),
        "history": stages.stage_history(session, village.code),
        "roster": roster,
        # The stage was reached with its officials protected; the dashboard of the village says when that lapsed.
        "officials_lapsed": service.reached(village.stage, Stage.perangkat_terlindungi.value) and not roster.complete,
        "next_stage": stage_next,
        "can_move": actor.role == Role.cabang.value,
        "events": stages.past_socialisation_events(session, village.code) if stage_next == "sosialisasi" else [],
        "duta_accounts": stages.active_duta_accounts(session, village.code) if stage_next == "duta" else [],
        "form": {},
        "estimate_value": village.estimated_informal_workers or "",
        "errors": {},
        "estimate_saved": False,
        "today": today(),
    }
    context.update(extra)
    # A refusal naming no field of the stage form (a stage out of order) is said above it.
    context["stage_error"] = context["errors"].get(WHOLE_FORM)
    return context


@router.get("/villages/{code}")
def village_page(
    request: Request,
    code: str,
    actor: WebActor,
    session: SessionDep,
    saved: str = "",
):
    village = get_village(session, actor, code)
    return render(request, "programme/village.html", _village_context(session, actor, village, saved=saved))


@router.post("/villages/{code}/stage")
def village_stage(
    request: Request,
    code: str,
    actor: WebActor,
    session: SessionDep,
    stage: str = Form(""),
    event_id: str = Form(""),
    decree_number: str = Form(""),
    date: str = Form(""),
):
    data = {
        "event_id": event_id.strip(),
        "decree_number": decree_number.strip(),
        "date": date.strip(),
    }
    show_again_if_refused(
        request,
        session,
        "programme/village.html",
        lambda errors: _village_context(session, actor, get_village(session, actor, code), errors=errors, form=data),
        whole_form=True,
    )
    stages.change_stage(session, actor, code, stage, data)
    return RedirectResponse(f"/villages/{code}?saved=stage", status_code=303)


@router.post("/villages/{code}/estimate")
def village_estimate(
    request: Request,
    code: str,
    actor: WebActor,
    session: SessionDep,
    estimated_informal_workers: str = Form(""),
):
    value = estimated_informal_workers.strip().replace(".", "")
    show_again_if_refused(
        request,
        session,
        "programme/village.html",
        lambda errors: _village_context(
            session, actor, get_village(session, actor, code), errors=errors, estimate_value=value
        ),
    )
    stages.set_estimate(session, actor, code, value)
    return RedirectResponse(f"/villages/{code}?saved=estimate", status_code=303)


# --- events ---------------------------------------------------------------------------------------


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/events")
def events_page(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    kind: str = "",
    village_code: SearchText = "",
    date_from: str = "",
    date_to: str = "",
    page: PageNumber = 1,
):
    kind = kind if kind in EventKind.codes() else ""
    village, errors = places.resolve_filter(session, actor, "village", village_code, "village_code")
    rows, total = events.list_events(
        session,
        actor,
        kind=kind or None,
        # An unknown name filters to nothing (what was typed is no code), with its message beside it.
        village_code=village,
        date_from=_parse_day(date_from),
        date_to=_parse_day(date_to),
        page=page,
        page_size=PAGE_SIZE,
    )
    names = _village_name_map(session, [row.village_code for row in rows if row.village_code])
    return render(
        request,
        "programme/events.html",
        {
            **_labels(),
            "rows": rows,
            "village_names": names,
            "branch_names": places.branch_names(session),
            "filters": {"kind": kind, "village_code": village_code, "date_from": date_from, "date_to": date_to},
            "village_picker": places.picker(session, actor, "village", village_code),
            "errors": errors,
            "yield_rows": events.event_yield(session, actor),
            "can_create": actor.role in (Role.duta.value, Role.cabang.value, Role.wilayah.value),
            **_page_links(request, page, total),
        },
        status_code=422 if errors else 200,
    )


def _village_name_map(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.exec(select(Village.code, Village.name).where(col(Village.code).in_(set(codes)))).all())


def _event_form(session: Session, actor: Actor, form: dict, errors: dict | None = None) -> dict:
    return {
        **_labels(),
        "form": form,
        "errors": errors or {},
        "village_picker": places.picker(session, actor, "village", form.get("village_code", "")),
        "branch_picker": places.picker(session, actor, "branch", form.get("branch_code", "")),
        "partner_choices": [(str(key), name) for key, name in events.partner_choices(session)],
    }


@router.get("/events/new")
def event_new(request: Request, actor: WebActor, session: SessionDep, village_code: SearchText = ""):
    require_role(actor, Role.duta.value, Role.cabang.value, Role.wilayah.value)
    form = {"kind": "sosialisasi", "date": today().isoformat(), "attendance": "0", "village_code": village_code}
    if actor.role == Role.duta.value and len(actor.village_codes) == 1:
        form["village_code"] = actor.village_codes[0]
    elif actor.role == Role.cabang.value:
        form["branch_code"] = ""
    return render(request, "programme/event_form.html", _event_form(session, actor, form))


@router.post("/events")
def event_create(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    kind: str = Form(""),
    title: str = Form(""),
    date: str = Form(""),
    place: str = Form(""),
    village_code: str = Form(""),
    branch_code: str = Form(""),
    branch_wide: str = Form(""),
    attendance: str = Form(""),
    partners: str = Form(""),
    partner_id: str = Form("", max_length=20),
):
    require_role(actor, Role.duta.value, Role.cabang.value, Role.wilayah.value)
    form = {
        "kind": kind,
        "title": title,
        "date": date.strip(),
        "place": place,
        "village_code": village_code.strip(),
        "branch_code": branch_code.strip(),
        "attendance": attendance.strip(),
        "partners": partners,
        "partner_id": partner_id.strip(),
        "branch_wide": branch_wide,
    }
    if branch_wide and actor.role == Role.cabang.value:
        # A branch-wide event of the officer's own branch; a village typed as well must lie in it.
        form["branch_code"] = actor.branch_code or ""
    show_again_if_refused(
        request, session, "programme/event_form.html", lambda errors: _event_form(session, actor, form, errors)
    )
    event = events.create_event(
        session,
        actor,
        kind=form["kind"],
        title=form["title"],
        date=form["date"],
        place=form["place"],
        village_code=places.resolve_place(session, actor, "village", form["village_code"], "village_code"),
        branch_code=places.resolve_place(session, actor, "branch", form["branch_code"], "branch_code"),
        attendance=form["attendance"],
        partners=form["partners"],
        partner_id=form["partner_id"],
    )
    return RedirectResponse(f"/events/{event.id}", status_code=303)


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: RowId, actor: WebActor, session: SessionDep):
    event = events.get_event(session, actor, event_id)
    signups = events.event_signups(session, actor, event)
    approved = sum(1 for member in signups if member.status == "approved")
    village = session.get(Village, event.village_code) if event.village_code else None
    branch = session.get(Branch, event.branch_code) if event.branch_code else None
    return render(
        request,
        "programme/event.html",
        {
            **_labels(),
            "event": event,
            "partners": events.partners_of(event),
            "partner_name": events.partner_name(session, event),
            "signups": signups,
            "approved": approved,
            "village": village,
            "branch": branch,
            "village_names": _village_name_map(session, [m.village_code for m in signups]),
            "signup_rate": round(100 * len(signups) / event.attendance, 1) if event.attendance else None,
        },
    )


# --- targets and baselines ------------------------------------------------------------------------


def _targets_context(session: Session, actor: Actor, year: int, **extra) -> dict:
    listed = targets.list_targets(session, year)
    context = {
        **_labels(),
        "year": year,
        "targets": listed,
        "scope_names": {
            (t.level, t.scope_code): places.place_name(session, actor, t.level, t.scope_code) for t in listed
        },
        "baselines": {b.province_code: b for b in targets.baselines_for(session, year)},
        "provinces": list(session.exec(select(Province).order_by(Province.code)).all()),
        "levels": service.TARGET_LEVELS,
        "metrics": [metric.value for metric in TargetMetric],
        "target_form": {"level": "region", "scope_code": "", "metric": "new_members", "value": ""},
        "baseline_form": {},
        "baseline_errors": {},
        "saved": "",
    }
    context.update(extra)
    form = context["target_form"]
    level = form["level"] if form["level"] in places.LEVELS else "province"
    context["scope_picker"] = places.picker(session, actor, level, form["scope_code"])
    return context


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return today().year
    return year if 2000 <= year <= 2100 else today().year


@router.get("/targets")
def targets_page(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    year: str = "",
    saved: str = "",
):
    require_role(actor, Role.wilayah.value)
    return render(request, "programme/targets.html", _targets_context(session, actor, _year(year), saved=saved))


@router.post("/targets")
def target_set(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    year: str = Form(""),
    level: str = Form(""),
    scope_code: str = Form(""),
    metric: str = Form(""),
    value: str = Form(""),
):
    require_role(actor, Role.wilayah.value)
    form = {
        "year": year.strip(),
        "level": level,
        "scope_code": scope_code.strip(),
        "metric": metric,
        "value": value.strip(),
    }
    year_number = _year(form["year"])
    show_again_if_refused(
        request,
        session,
        "programme/targets.html",
        lambda errors: _targets_context(session, actor, year_number, target_form=form, errors=errors),
    )
    targets.set_target(
        session,
        actor,
        form["year"],
        form["level"],
        # A province, branch or village chosen by name; the region has no code.
        places.resolve_place(session, actor, form["level"], form["scope_code"], "scope_code") or ""
        if form["level"] in places.LEVELS
        else form["scope_code"],
        form["metric"],
        form["value"].replace(".", ""),
    )
    return RedirectResponse(f"/targets?year={year_number}&saved=target", status_code=303)


@router.post("/targets/baselines")
def baseline_set(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    year: str = Form(""),
    province_code: str = Form(""),
    workers: str = Form(""),
    covered: str = Form(""),
):
    require_role(actor, Role.wilayah.value)
    form = {
        "year": year.strip(),
        "province_code": province_code.strip(),
        "workers": workers.strip(),
        "covered": covered.strip(),
    }
    year_number = _year(form["year"])
    show_again_if_refused(
        request,
        session,
        "programme/targets.html",
        lambda errors: _targets_context(
            session,
            actor,
            year_number,
            baseline_form=form,
            baseline_errors=errors,
            baseline_province=form["province_code"],
        ),
    )
    targets.set_baseline(
        session,
        actor,
        form["province_code"],
        form["year"],
        form["workers"].replace(".", ""),
        form["covered"].replace(".", ""),
    )
    return RedirectResponse(f"/targets?year={year_number}&saved=baseline", status_code=303)
