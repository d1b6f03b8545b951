"""A member moving away (`pindah`): the `duta` of the member's village names the new village; the
branch officer of the new village's branch confirms (the member then belongs to the new village and
its `duta`) or refuses with a reason. Members and the dues roll-up together: the village's monthly
counts move with the member in the confirmation's transaction."""

from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, get_village, require_role, village_clause
from app.core import audit
from app.core.clock import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import _
from app.dues import rollup
from app.dues.service import lock_member
from app.members import requests
from app.members import service as members_service
from app.members.models import Member, MemberStatus, MoveRequest, RequestStatus
from app.members.requests import mark_decided, reason_text
from app.regions.models import Village


def pending_for(session: Session, member_id: int) -> MoveRequest | None:
    return session.exec(
        select(MoveRequest).where(MoveRequest.member_id == member_id, MoveRequest.status == RequestStatus.pending.value)
    ).first()


def request_move(session: Session, actor: Actor, member_id: int, village_code: object, reason: object) -> MoveRequest:
    """The `duta` records that an approved member moved to another village (any village: the new
    branch confirms)."""
    member = members_service.get_member(session, actor, member_id, for_update=True)  # one request at a time
    require_role(actor, Role.duta.value)
    if member.status != MemberStatus.approved.value:
        raise Conflict(_("Only an approved member moves; correct the village of a registration."))
    if member.died_on is not None:
        raise Conflict(_("This member's death is recorded."))
    errors: dict[str, str] = {}
    code = str(village_code or "").strip()
    if not code or session.get(Village, code) is None:
        errors["village_code"] = _("Choose the new village.")
    elif code == member.village_code:
        errors["village_code"] = _("The member already lives in this village.")
    text, problem = reason_text(reason, None)
    if problem:
        errors["reason"] = problem
    if errors:
        raise Invalid(errors)
    if pending_for(session, member_id) is not None:
        raise Conflict(_("A move of this member is already waiting for the branch officer."))
    move = MoveRequest(
        member_id=member_id,
        from_village_code=member.village_code,
        to_village_code=code,
        reason=text,
        requested_by_id=actor.id,
    )
    session.add(move)
    session.flush()
    audit.record(
        session, actor, "member_move_requested", "member", member_id, **{"from": member.village_code, "to": code}
    )
    session.commit()
    return move


def _decide(session: Session, actor: Actor, move_id: int) -> tuple[MoveRequest, Member]:
    """The move and its member (locked), for the branch officer of the new village's branch; 404 for
    anyone else's area, 409 once decided."""
    move = session.get(MoveRequest, move_id)
    if move is None:
        raise NotFound(_("Request not found."))
    get_village(session, actor, move.to_village_code)  # 404 outside the actor's area
    require_role(actor, Role.cabang.value)
    member = lock_member(session, move.member_id)  # not in the actor's area yet: it is moving there
    session.refresh(move)
    if move.status != RequestStatus.pending.value:
        raise Conflict(_("This request was already decided."))
    return move, member


def confirm(session: Session, actor: Actor, move_id: int) -> MoveRequest:
    """The member now belongs to the new village; its monthly counts move there (past months too: the
    roll-up counts members by their village, as a rebuild would)."""
    move, member = _decide(session, actor, move_id)
    before = rollup.member_state(session, member)
    member.village_code = move.to_village_code
    member.updated_at = utcnow()
    mark_decided(move, actor, RequestStatus.approved)
    session.add_all([member, move])
    rollup.apply(session, before, rollup.member_state(session, member))
    audit.record(
        session,
        actor,
        "member_moved",
        "member",
        member.id,
        **{"from": move.from_village_code, "to": member.village_code},
    )
    session.commit()
    return move


def reject(session: Session, actor: Actor, move_id: int, reason: object) -> MoveRequest:
    move, _member = _decide(session, actor, move_id)
    requests.reject(session, actor, move, reason, _("Say why (at least 5 characters)."), "member_move_rejected")
    return move


def pending_moves(session: Session, actor: Actor, limit: int = 100) -> list[tuple[MoveRequest, Member]]:
    """For the branch officer: members moving into its branch's villages, oldest first."""
    require_role(actor, Role.cabang.value)
    rows = session.exec(
        select(MoveRequest, Member)
        .join(Member, col(Member.id) == MoveRequest.member_id)
        .where(MoveRequest.status == RequestStatus.pending.value, village_clause(actor, MoveRequest.to_village_code))
        .order_by(col(MoveRequest.requested_at), col(MoveRequest.id))
        .limit(limit)
    ).all()
    return [(move, member) for move, member in rows]
