"""The member card's pages: the card on the phone (HTML, PDF, PNG, a WhatsApp link), its revocation,
and the public verification page its QR code opens. Plain forms; HTMX only speeds them up."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth.deps import WebActor, csrf_protect
from app.auth.scope import Actor
from app.core.bounds import RowId
from app.core.clock import today
from app.core.db import SessionDep
from app.core.downloads import file_headers
from app.core.forms import show_again_if_refused
from app.core.templating import render
from app.members import card as cards
from app.members.card_documents import card_pdf, card_png, qr_svg

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# The public page is for whoever holds the card now: never kept by a browser or a proxy, never indexed.
PUBLIC_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def card_url(request: Request, card: cards.Card) -> str:
    return cards.verification_url(str(request.base_url), card.token)


def _card_context(request: Request, session: Session, actor: Actor, member_id: int, errors=None, reason="") -> dict:
    card = cards.member_card(session, actor, member_id)
    url = card_url(request, card)
    return {
        "card": card,
        "member": card.member,
        "verify_url": url,
        "qr": qr_svg(url),
        "whatsapp": cards.share_url(card, url),
        "may_revoke": cards.may_revoke(actor, card.member),
        "reason": reason,
        "errors": errors or {},
    }


@router.get("/members/{member_id}/card")
def member_card(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    return render(request, "members/card.html", _card_context(request, session, actor, member_id))


def _file(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers=file_headers(filename, inline=True),
    )


@router.get("/members/{member_id}/card.pdf")
def member_card_pdf(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    card = cards.member_card(session, actor, member_id)
    return _file(card_pdf(card, card_url(request, card)), "application/pdf", f"kartu-peserta-{member_id}.pdf")


@router.get("/members/{member_id}/card.png")
def member_card_png(member_id: RowId, request: Request, actor: WebActor, session: SessionDep):
    card = cards.member_card(session, actor, member_id)
    return _file(card_png(card, card_url(request, card)), "image/png", f"kartu-peserta-{member_id}.png")


@router.post("/members/{member_id}/card/revoke")
def revoke_card(
    member_id: RowId,
    request: Request,
    actor: WebActor,
    session: SessionDep,
    reason: Annotated[str, Form()] = "",
):
    show_again_if_refused(
        request,
        session,
        "members/card.html",
        lambda errors: _card_context(request, session, actor, member_id, errors, reason),
    )
    cards.revoke_card(session, actor, member_id, reason)
    return RedirectResponse(f"/members/{member_id}/card", status_code=303)


@router.get("/v/{token}")
def verify_card(token: str, request: Request, session: SessionDep):
    """Public: what the card's QR code opens (no login)."""
    context = {"check": cards.verify(session, token), "today": today()}
    response = render(request, "members/verify.html", context)
    response.headers.update(PUBLIC_HEADERS)
    return response
