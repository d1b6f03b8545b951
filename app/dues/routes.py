"""Dues pages: record a payment, the receipt, voids and refunds, cash deposits."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import places
from app.auth.deps import WebActor, csrf_protect
from app.auth.models import Role, User
from app.auth.scope import Actor, require_role
from app.core import idempotency
from app.core.bounds import RowId, SearchText
from app.core.clock import month_start, today
from app.core.db import SessionDep
from app.core.downloads import file_headers
from app.core.forms import show_again_if_refused
from app.core.i18n import get_locale, ngettext
from app.core.money import format_rupiah
from app.core.templating import is_htmx, render
from app.dues import deposits as dues_deposits
from app.dues import documents, service
from app.dues import groups as dues_groups
from app.dues.models import HAND_CHANNELS, Channel, DepositStatus, GroupStatus, Payer, PaymentStatus
from app.dues.receipts import amount_in_words, cover_label, receipt_text, whatsapp_url
from app.dues.schemas import ReceiptNumber
from app.members.models import MemberStatus
from app.members.payment_code import grouped, payment_code

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _receive(total: int, months: int) -> str:
    return ngettext(
        "Receive %(amount)s for %(num)s month",
        "Receive %(amount)s for %(num)s months",
        months,
        amount=format_rupiah(total),
    )


def _pay_context(session: Session, actor: Actor, member_id: int, form: dict | None = None, errors=None) -> dict:
    member = service.get_member(session, actor, member_id)
    form = form or {}
    day = today()
    # Priced on the payment date typed, as the service checks the amount the form sends.
    priced_on, monthly = service.priced_day(session, member, form.get("paid_on"))
    return {
        "member": member,
        "monthly": monthly,
        "priced_on": priced_on,
        # (months, total, the button's words: "Receive Rp50.400 for 3 months")
        "options": [(n, n * monthly, _receive(n * monthly, n)) for n in range(1, service.MAX_MONTHS + 1)],
        "channels": [code for code in HAND_CHANNELS if code != Channel.tunai or actor.role == Role.duta.value],
        "form": {
            "months": str(form.get("months") or "1"),
            "channel": form.get("channel") or ("tunai" if actor.role == Role.duta.value else "bank"),
            "reference": form.get("reference") or "",
            "paid_on": form.get("paid_on") or day.isoformat(),
            "payer": form.get("payer") or Payer.self_.value,
            "payer_name": form.get("payer_name") or "",
        },
        "payer_labels": Payer.labels(),
        "today": day,
        "idempotency_key": idempotency.key_to_show_again(form.get("idempotency_key"), errors or {}),
        "errors": errors or {},
        "payments": service.member_payments(session, member, limit=service.LATEST_PAYMENTS),
        "this_month": month_start(day),
    }


# The months and payment date a pay form is priced for (GET: the htmx update, or a link).
PayChoice = Annotated[str, Query(max_length=20)]


@router.get("/members/{member_id}/pay")
def pay_form(
    request: Request,
    member_id: RowId,
    actor: WebActor,
    session: SessionDep,
    months: PayChoice = "",
    paid_on: PayChoice = "",
):
    context = _pay_context(session, actor, member_id, {"months": months, "paid_on": paid_on})
    if is_htmx(request) and request.headers.get("HX-Target") == "pay-price":
        return render(request, "dues/_pay_price.html", context)  # the payment date changed: its prices
    return render(request, "dues/pay.html", context)


@router.post("/members/{member_id}/pay")
def pay(
    request: Request,
    member_id: RowId,
    actor: WebActor,
    session: SessionDep,
    months: str = Form(""),
    channel: str = Form(""),
    reference: str = Form(""),
    paid_on: str = Form(""),
    idempotency_key: str = Form(""),
    amount: str = Form(""),
    price: str = Form(""),
    payer: str = Form(""),
    payer_name: str = Form(""),
):
    form = {
        "months": months,
        "channel": channel,
        "reference": reference,
        "paid_on": paid_on,
        "idempotency_key": idempotency_key,
        "payer": payer,
        "payer_name": payer_name,
    }
    if price:  # "Calculate" without JavaScript: the form again, priced on the date typed; nothing recorded
        return render(request, "dues/pay.html", _pay_context(session, actor, member_id, form))
    show_again_if_refused(
        request, session, "dues/pay.html", lambda errors: _pay_context(session, actor, member_id, form, errors)
    )
    recorded = service.record_payment(
        session,
        actor,
        member_id,
        months,
        channel,
        reference,
        paid_on,
        idempotency_key=idempotency_key or None,
        amount=amount,
        payer=payer,
        payer_name=payer_name,
    )
    return RedirectResponse(f"/receipts/{recorded.payment.receipt_number}", status_code=303)


def _receipt_context(session: Session, actor: Actor, receipt_number: str, errors=None) -> dict:
    payment, member = service.get_payment(session, actor, receipt_number)
    recorder = session.get(User, payment.recorded_by_id)
    assert recorder is not None  # a foreign key
    recorder_name = recorder.full_name or recorder.username
    return {
        "payment": payment,
        "member": member,
        "recorder_name": recorder_name,
        "cover": cover_label(payment.cover_from, payment.cover_to, get_locale()),
        "words": amount_in_words(payment.amount),
        "payment_code": grouped(payment_code(member)),
        "whatsapp": whatsapp_url(member.phone, receipt_text(payment, member, recorder_name)),
        "can_void": actor.role == Role.cabang.value and payment.status == "valid",
        # Paid before the branch approved the registration: no cover yet, money back if rejected.
        "pending": payment.status == PaymentStatus.valid.value and member.status == MemberStatus.submitted.value,
        "group": dues_groups.group_of_payment(session, payment),
        "errors": errors or {},
    }


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers=file_headers(filename, inline=True),
    )


# Before the page's route, whose {receipt_number} would take the ".pdf" too.
@router.get("/receipts/{receipt_number}.pdf")
def receipt_pdf(receipt_number: str, actor: WebActor, session: SessionDep):
    context = _receipt_context(session, actor, receipt_number)
    return _pdf(documents.receipt_pdf(context), f"{context['payment'].receipt_number}.pdf")


@router.get("/receipts/{receipt_number}")
def receipt(request: Request, receipt_number: str, actor: WebActor, session: SessionDep):
    return render(request, "dues/receipt.html", _receipt_context(session, actor, receipt_number))


@router.post("/payments/{receipt_number}/void")
def void(
    request: Request,
    receipt_number: str,
    actor: WebActor,
    session: SessionDep,
    reason: str = Form(""),
):
    show_again_if_refused(
        request, session, "dues/receipt.html", lambda errors: _receipt_context(session, actor, receipt_number, errors)
    )
    service.void_payment(session, actor, receipt_number, reason)
    return RedirectResponse(f"/receipts/{receipt_number}", status_code=303)


@router.post("/payments/{receipt_number}/refund")
def refund(receipt_number: str, actor: WebActor, session: SessionDep):
    service.mark_refunded(session, actor, receipt_number)
    return RedirectResponse("/deposits", status_code=303)


DEPOSIT_HISTORY_LIMIT = 100  # the latest deposits of any status, below the ones waiting


def _deposits_context(session: Session, actor: Actor, errors=None) -> dict:
    deposits = dues_deposits.list_deposits(session, actor, limit=DEPOSIT_HISTORY_LIMIT)
    return {
        **dues_deposits.cash_context(session, actor),
        "held": dues_deposits.held_cash(session, actor) if actor.role == Role.duta.value else [],
        # Its own query: a branch's waiting deposits may be older than the latest hundred shown below.
        "to_confirm": dues_deposits.list_deposits(
            session, actor, status=DepositStatus.submitted.value, limit=50, oldest_first=True
        )
        if actor.role == Role.cabang.value
        else [],
        "deposits": deposits,
        "refunds_due": dues_deposits.refunds_due(session, actor) if actor.role != Role.duta.value else [],
        "groups_to_confirm": dues_groups.list_groups(
            session, actor, status=GroupStatus.submitted.value, limit=50, oldest_first=True
        )
        if actor.role == Role.cabang.value
        else [],
        "can_pay_groups": actor.role in service.PAYING_ROLES,
        "idempotency_key": uuid.uuid4().hex,
        "errors": errors or {},
    }


@router.get("/deposits")
def deposits(request: Request, actor: WebActor, session: SessionDep):
    return render(request, "dues/deposits.html", _deposits_context(session, actor))


@router.post("/deposits")
def create_deposit(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    receipt_numbers: list[str] = Form([]),
    idempotency_key: str = Form(""),
):
    show_again_if_refused(
        request, session, "dues/deposits.html", lambda errors: _deposits_context(session, actor, errors)
    )
    deposit = dues_deposits.create_deposit(
        session, actor, receipt_numbers, idempotency_key=idempotency_key or None
    ).deposit
    return RedirectResponse(f"/deposits/{deposit.id}", status_code=303)  # the slip to take to the bank


def _deposit_context(session: Session, actor: Actor, deposit_id: int, errors=None) -> dict:
    detail = dues_deposits.deposit_detail(session, actor, deposit_id)
    return {
        "deposit": detail.deposit,
        "duta": detail.duta,
        "branch": detail.branch,
        "receipts": [
            (payment, member, cover_label(payment.cover_from, payment.cover_to, get_locale()))
            for payment, member in detail.receipts
        ],
        "can_decide": actor.role == Role.cabang.value and detail.deposit.status == DepositStatus.submitted.value,
        "errors": errors or {},
    }


# Before the page's route, whose {deposit_id} would take the ".pdf" too.
@router.get("/deposits/{deposit_id}.pdf")
def deposit_slip(deposit_id: int, actor: WebActor, session: SessionDep):
    return _pdf(documents.deposit_slip_pdf(_deposit_context(session, actor, deposit_id)), f"setoran-{deposit_id}.pdf")


@router.get("/deposits/{deposit_id}")
def deposit(request: Request, deposit_id: int, actor: WebActor, session: SessionDep):
    return render(request, "dues/deposit.html", _deposit_context(session, actor, deposit_id))


@router.post("/deposits/{deposit_id}/confirm")
def confirm_deposit(
    request: Request,
    deposit_id: RowId,
    actor: WebActor,
    session: SessionDep,
    bank_reference: str = Form(""),
):
    show_again_if_refused(
        request, session, "dues/deposit.html", lambda errors: _deposit_context(session, actor, deposit_id, errors)
    )
    dues_deposits.confirm_deposit(session, actor, deposit_id, bank_reference)
    return RedirectResponse(f"/deposits/{deposit_id}", status_code=303)


@router.post("/deposits/{deposit_id}/return")
def return_deposit(
    request: Request,
    deposit_id: RowId,
    actor: WebActor,
    session: SessionDep,
    reason: str = Form(""),
):
    show_again_if_refused(
        request, session, "dues/deposit.html", lambda errors: _deposit_context(session, actor, deposit_id, errors)
    )
    dues_deposits.return_deposit(session, actor, deposit_id, reason)
    return RedirectResponse(f"/deposits/{deposit_id}", status_code=303)


# ---------------------------------------------------------------- group payments


def _group_form_context(session: Session, actor: Actor, form: dict, errors=None) -> dict:
    """The group payment form: the village picker, then that village's approved members to tick."""
    errors = dict(errors or {})
    village_code, village_errors = places.resolve_filter(
        session, actor, "village", form["village_code"], "village_code"
    )
    errors = {**village_errors, **errors}
    members = dues_groups.payable_members(session, actor, village_code) if village_code and not village_errors else []
    return {
        "village_picker": places.picker(session, actor, "village", form["village_code"]),
        "village_code": village_code if members else "",
        "members": members,
        "form": form,
        "chosen": {str(member_id) for member_id in form["member_ids"]},
        "payer_labels": {code: text for code, text in Payer.labels().items() if code != Payer.self_.value},
        "month_choices": range(1, service.MAX_MONTHS + 1),
        "today": today(),
        "idempotency_key": idempotency.key_to_show_again(form.get("idempotency_key"), errors),
        "errors": errors,
    }


def _group_form(village_code: str = "", **typed) -> dict:
    return {
        "village_code": village_code,
        "member_ids": typed.get("member_ids", []),
        "months": typed.get("months") or "1",
        "payer": typed.get("payer") or Payer.apbdes.value,
        "payer_name": typed.get("payer_name", ""),
        "reference": typed.get("reference", ""),
        "paid_on": typed.get("paid_on") or today().isoformat(),
        "amount": typed.get("amount", ""),
        "idempotency_key": typed.get("idempotency_key", ""),
    }


@router.get("/group-payments/new")
def group_payment_form(request: Request, actor: WebActor, session: SessionDep, village_code: SearchText = ""):
    require_role(actor, *service.PAYING_ROLES)
    if not village_code and len(actor.village_codes) == 1:
        village_code = actor.village_codes[0]  # a duta of one village: its members straight away
    context = _group_form_context(session, actor, _group_form(village_code))
    return render(request, "dues/group_form.html", context, status_code=422 if context["errors"] else 200)


@router.post("/group-payments")
def record_group_payment(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    village_code: str = Form(""),
    member_ids: list[str] = Form([]),
    months: str = Form(""),
    payer: str = Form(""),
    payer_name: str = Form(""),
    reference: str = Form(""),
    paid_on: str = Form(""),
    amount: str = Form(""),
    idempotency_key: str = Form(""),
):
    form = _group_form(
        village_code,
        member_ids=member_ids,
        months=months,
        payer=payer,
        payer_name=payer_name,
        reference=reference,
        paid_on=paid_on,
        amount=amount,
        idempotency_key=idempotency_key,
    )
    show_again_if_refused(
        request, session, "dues/group_form.html", lambda errors: _group_form_context(session, actor, form, errors)
    )
    recorded = dues_groups.record_group_payment(
        session,
        actor,
        payer,
        payer_name,
        member_ids,
        months,
        reference,
        paid_on,
        idempotency_key=idempotency_key or None,
        amount=amount,
    )
    return RedirectResponse(f"/group-payments/{recorded.group.number}", status_code=303)


def _group_context(session: Session, actor: Actor, number: str) -> dict:
    group = dues_groups.get_group(session, actor, number)
    recorder = session.get(User, group.recorded_by_id)
    assert recorder is not None  # a foreign key
    return {
        "group": group,
        "village_name": places.place_name(session, actor, "village", group.village_code),
        "recorder_name": recorder.full_name or recorder.username,
        "receipts": [
            (payment, member, cover_label(payment.cover_from, payment.cover_to, get_locale()))
            for payment, member in dues_groups.group_receipts(session, group)
        ],
        "words": amount_in_words(group.total),
        "can_confirm": actor.role == Role.cabang.value and group.status == GroupStatus.submitted.value,
    }


# Before the page's route, whose {number} would take the ".pdf" too.
@router.get("/group-payments/{number}.pdf")
def group_receipt_pdf(number: ReceiptNumber, actor: WebActor, session: SessionDep):
    context = _group_context(session, actor, number)
    return _pdf(documents.group_receipt_pdf(context), f"{context['group'].number}.pdf")


@router.get("/group-payments/{number}")
def group_receipt(request: Request, number: ReceiptNumber, actor: WebActor, session: SessionDep):
    return render(request, "dues/group_receipt.html", _group_context(session, actor, number))


@router.post("/group-payments/{number}/confirm")
def confirm_group_payment(number: ReceiptNumber, actor: WebActor, session: SessionDep):
    dues_groups.confirm_group(session, actor, number)
    return RedirectResponse(f"/group-payments/{number}", status_code=303)
