"""The member list and the member page: registrations with their cover, payments and WhatsApp
reminders (members and dues together)."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from app.auth import places
from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor, village_clause
from app.claims import service as claims
from app.core.bounds import PageNumber, RowId, SearchText
from app.core.clock import month_start, today
from app.core.db import SessionDep
from app.core.forms import show_again_if_refused
from app.core.templating import is_htmx, render
from app.dues import service as dues_service
from app.dues.receipts import reminder_link, whatsapp_url
from app.events.models import Event
from app.followups import service as followups
from app.followups.models import OUTCOME_LABELS
from app.members import identity, service
from app.members.card import card_problem
from app.members.cover import CoverStatus, cover_status
from app.members.models import Member, MemberStatus
from app.members.payment_code import grouped, payment_code
from app.members.privacy import shown_nik
from app.members.routes import labels
from app.regions.models import Village
from app.workflows import moves

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _whatsapp(session: Session, member: Member) -> str | None:
    """One tap to WhatsApp the member: an approved member gets the reminder of the home page (the monthly
    contribution and how its cover stands), any other a plain chat; none without a number."""
    if not member.phone:
        return None
    if member.status != MemberStatus.approved.value:
        return whatsapp_url(member.phone, "")
    this_month = month_start(today())
    return reminder_link(member, dues_service.contribution(session, member, this_month).total, this_month)


@router.get("/members")
def list_members(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    q: SearchText = "",
    status: str = "",
    cover_filter: str = Query("", alias="cover_status"),
    # not `cover_status`: that is the rule below
    village_code: str = "",
    page: PageNumber = 1,
):
    status = status if status in {s.value for s in MemberStatus} else ""
    cover = cover_filter if cover_filter in {s.value for s in CoverStatus} else ""
    items, total = service.list_members(
        session,
        actor,
        village_code=village_code or None,
        status=status or None,
        cover_status=cover or None,
        q=q,
        page=max(1, page),
    )
    page = max(1, page)
    pages = max(1, -(-total // service.PAGE_SIZE))
    query = {"q": q, "status": status, "cover_status": cover, "village_code": village_code}

    def page_url(number: int) -> str:
        return "/members?" + urlencode({**{k: v for k, v in query.items() if v}, "page": number})

    context = {
        "items": items,
        "total": total,
        "page": page,
        "pages": pages,
        "q": q,
        "status": status,
        "cover_status": cover,
        "village_code": village_code,
        "page_url": page_url,
        **labels(),
        "cover": {m.id: cover_status(m.covered_until, today()).value for m in items},
        "whatsapp": {m.id: _whatsapp(session, m) for m in items},
        "villages": []
        if actor.sees_region
        else session.exec(
            select(Village).where(village_clause(actor, Village.code)).order_by(Village.name).limit(200)
        ).all(),
    }
    partial = is_htmx(request) and request.headers.get("HX-Target") == "member-list"
    return render(request, "members/_list.html" if partial else "members/list.html", context)


def _member_context(session: Session, actor: Actor, member) -> dict:
    day = today()
    village = session.get(Village, member.village_code)
    event = session.get(Event, member.event_id) if member.event_id else None
    move = moves.pending_for(session, member.id)
    return {
        "member": member,
        "nik": shown_nik(session, actor, member),
        "village": village,
        "event": event,
        "contribution": service.contribution_for(session, member, day),
        "payment_code": grouped(payment_code(member)),
        "has_card": card_problem(member) is None,
        "cover_status": cover_status(member.covered_until, day).value,
        "warnings": service.duplicate_warnings(session, member),
        "editable": actor.role == "duta" and member.status in service.EDITABLE_STATES,
        "submittable": actor.role == "duta" and member.status in service.SUBMITTABLE_STATES,
        "identity_request": identity.pending_for(session, member.id),
        "move": move,
        "move_to": places.place_name(session, actor, "any_village", move.to_village_code) if move else "",
        "may_record_death": actor.role in ("duta", "cabang")
        and member.status == MemberStatus.approved.value
        and member.died_on is None,
        "can_pay": dues_service.may_record_payment(actor, member),
        "claims": claims.member_claims(session, member.id) if member.id else [],
        "may_report_claim": actor.role in claims.REPORTING_ROLES and member.status == MemberStatus.approved.value,
        "payments": dues_service.member_payments(session, member, limit=dues_service.LATEST_PAYMENTS),
        "can_follow_up": actor.role in followups.FOLLOWING_ROLES,
        "last_contact": followups.last_contacts(session, [member.id]).get(member.id) if member.id else None,
        "outcome_labels": OUTCOME_LABELS,
        **labels(),
    }


@router.get("/members/{member_id}")
def show_member(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    member = service.get_member(session, actor, member_id)
    return render(request, "members/show.html", _member_context(session, actor, member))


@router.post("/members/{member_id}/submit")
def submit_member(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    show_again_if_refused(
        request,
        session,
        "members/show.html",
        lambda errors: (
            _member_context(session, actor, service.get_member(session, actor, member_id)) | {"errors": errors}
        ),
    )
    service.submit(session, actor, member_id)
    return RedirectResponse(f"/members/{member_id}", status_code=303)
