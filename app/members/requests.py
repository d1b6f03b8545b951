"""What a member's change requests share (identity changes, moves between villages): the reason given,
the branch officer's decision on the row, and a refusal with its reason."""

from typing import Any

from sqlmodel import Session

from app.auth.scope import Actor
from app.core import audit
from app.core.clock import utcnow
from app.core.errors import Invalid
from app.core.i18n import _
from app.core.text import text_problem
from app.members.models import IdentityRequest, MoveRequest, RequestStatus

REASON_MIN, REASON_MAX = 5, 500


def reason_text(raw: Any, too_short: str | None) -> tuple[str, str | None]:
    """A reason (spaces tidied) and what is wrong with it, if anything: at most 500 characters, and at
    least 5 unless `too_short` is None (an optional reason)."""
    text = " ".join(str(raw or "").split())
    problem = text_problem(raw, multiline=True)
    if problem is None and too_short is not None and len(text) < REASON_MIN:
        problem = too_short
    elif problem is None and len(text) > REASON_MAX:
        problem = _("Use at most %(n)s characters.", n=REASON_MAX)
    return text, problem


def mark_decided(
    request: IdentityRequest | MoveRequest, actor: Actor, status: RequestStatus, reason: str | None = None
) -> None:
    request.status = status.value
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_reason = reason


def reject(
    session: Session,
    actor: Actor,
    request: IdentityRequest | MoveRequest,
    reason: Any,
    too_short: str,
    action: str,
) -> None:
    """Refuse a request loaded for its decision with the officer's reason (`too_short`: what to say when
    it is missing): marked, audited on its member, committed."""
    text, problem = reason_text(reason, too_short)
    if problem:
        raise Invalid({"reason": problem})
    mark_decided(request, actor, RequestStatus.rejected, text)
    session.add(request)
    audit.record(session, actor, action, "member", request.member_id, reason=text)
    session.commit()
