"""Settlement reconciliation for the branch officer: a partner's file uploaded, the lines that matched no
payment listed and resolved (`docs/api.md`)."""

from fastapi import APIRouter, Form, UploadFile

from app.auth.deps import ApiActor
from app.core import uploads
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.dues.api import payment_out
from app.dues.schemas import PaymentOut
from app.partners import settlements
from app.partners.models import Resolution, SettlementLine, UnmatchedReason
from app.partners.schemas import MatchIn, NoteIn, SettlementOut, UnmatchedLineOut

router = APIRouter(tags=["partners"])


def line_out(line: SettlementLine) -> UnmatchedLineOut:
    return UnmatchedLineOut(
        id=line.id,
        line=line.row,
        partner_id=line.partner_id,
        paid_on=line.paid_on,
        code=line.code,
        amount=line.amount,
        reference=line.reference,
        reason=line.reason,
        reason_label=UnmatchedReason.label_of(line.reason),
        detail=line.detail,
        resolution=line.resolution,
        note=line.note,
    )


@router.post("/partners/{partner_id}/settlements", response_model=SettlementOut)
def upload_settlement(
    partner_id: RowId, actor: ApiActor, session: SessionDep, file: UploadFile, dry_run: bool = Form(False)
):
    """(`cabang`) A partner's settlement file (CSV or XLSX; columns date, code, amount, reference): matched
    lines become payments, once whatever the number of uploads; the others wait to be resolved."""
    content = file.file.read(uploads.MAX_BYTES + 1)
    outcome = settlements.upload_settlement(session, actor, partner_id, file.filename or "", content, dry_run)
    return SettlementOut(
        matched=outcome.matched,
        created=outcome.created,
        receipts=outcome.receipts,
        unmatched=[line_out(line) for line in outcome.unmatched],
        dry_run=outcome.dry_run,
    )


@router.get("/settlements/lines", response_model=list[UnmatchedLineOut])
def waiting_lines(actor: ApiActor, session: SessionDep):
    """(`cabang`, `wilayah`) Lines waiting to be resolved, oldest first."""
    return [line_out(line) for line, _partner in settlements.waiting_lines(session, actor)]


@router.post("/settlements/lines/{line_id}/match", response_model=PaymentOut, status_code=201)
def match_line(line_id: RowId, body: MatchIn, actor: ApiActor, session: SessionDep):
    """(`cabang`) Pay the line to the member whose payment code is given."""
    return payment_out(settlements.match_by_hand(session, actor, line_id, body.code))


@router.post("/settlements/lines/{line_id}/refund", response_model=UnmatchedLineOut)
def refund_line(line_id: RowId, body: NoteIn, actor: ApiActor, session: SessionDep):
    """(`cabang`) The partner gives the money back: the line is closed without a payment."""
    return line_out(settlements.close_line(session, actor, line_id, Resolution.refunded.value, body.note))


@router.post("/settlements/lines/{line_id}/set-aside", response_model=UnmatchedLineOut)
def set_aside(line_id: RowId, body: NoteIn, actor: ApiActor, session: SessionDep):
    """(`cabang`) Closed for the reason given in `note`."""
    return line_out(settlements.close_line(session, actor, line_id, Resolution.set_aside.value, body.note))
