"""Group payments: one bank transfer paying the same months for several members of one village (the
village budget paying its officials, a sponsor paying for a cooperative's members).

Decisions:
- Every member is loaded through the member loader (404 outside the actor's area) and must be approved;
  each gets its own receipt through the single payment's rules (`service.check_terms`, `price`,
  `add_payment`): the contribution in force on the payment date, 1 to 12 months, cover paid at most a
  year ahead. One member refused refuses the whole group, naming the member; nothing is written.
- The members are of one village: the group receipt is that village's, and the branch officer who
  confirms it is the village's.
- A transfer, never cash: channel `bank`, the bank reference required, no holder, so nothing enters a
  duta's cash custody. The branch officer confirms the transfer reached the branch's account, as a
  deposit (one action, audited).
- Cover counts from recording, as for every bank payment recorded singly (the app trusts the bank
  reference and lets the branch void a receipt whose money never arrived); the confirmation is the
  branch's check of the money, not a condition of cover.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit, idempotency
from app.core.bounds import MAX_ROW_ID
from app.core.clock import today, utcnow
from app.core.errors import Conflict, DomainError, Invalid, NotFound
from app.core.i18n import _
from app.core.money import format_rupiah, parse_rupiah
from app.core.sequences import next_value
from app.dues import service
from app.dues.models import GroupPayment, GroupReceipt, GroupStatus, Payment
from app.dues.receipts import format_group_number, group_counter
from app.members.models import Member, MemberStatus

GROUP_ACTION = "group_payment"
# A village's officials, a fishers' group, a cooperative: past this many, pay in several transfers.
MAX_GROUP_MEMBERS = 100
# A group payment is a transfer: the bank's channel, never cash.
GROUP_CHANNEL = "bank"


@dataclass
class GroupRecorded:
    group: GroupPayment
    receipts: list[tuple[Payment, Member]]
    # True when an idempotency key found the group of an earlier, identical request.
    replayed: bool = False


def _member_ids(raw) -> tuple[list[int] | None, dict[str, str]]:
    """The members chosen, without repeats, in id order (the order their rows are locked)."""
    ids: set[int] = set()
    for value in raw or []:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ROW_ID:
            return None, {"member_ids": _("Choose members from the list.")}
        ids.add(int(text))
    if not ids:
        return None, {"member_ids": _("Choose at least one member.")}
    if len(ids) > MAX_GROUP_MEMBERS:
        return None, {"member_ids": _("Choose at most %(n)s members.", n=MAX_GROUP_MEMBERS)}
    return sorted(ids), {}


def _request(ids, payer, payer_name, months, reference, paid_on) -> str:
    inputs = {
        "member_ids": ids,
        "payer": (payer or "").strip(),
        "payer_name": " ".join((payer_name or "").split()),
        **service.terms_asked(months, GROUP_CHANNEL, reference, paid_on),
    }
    return idempotency.fingerprint(GROUP_ACTION, inputs)


def record_group_payment(
    session: Session,
    actor: Actor,
    payer: str | None,
    payer_name: str | None,
    member_ids,
    months,
    reference: str | None,
    paid_on=None,
    idempotency_key: str | None = None,
    amount=None,
) -> GroupRecorded:
    """`amount`, when given, is the transfer's total as the bank shows it: a group whose dues come to
    another total (another number of months, a member missing) is refused with the right total."""
    key = idempotency.clean_key(idempotency_key)
    ids, errors = _member_ids(member_ids)
    request = _request(ids or [], payer, payer_name, months, reference, paid_on)
    if key:
        earlier = idempotency.find(session, actor.id, key, GROUP_ACTION, request)
        if earlier is not None:
            return _replayed(session, earlier)
    if ids is None:
        raise Invalid(errors)
    members = [service.get_member(session, actor, member_id, for_update=True) for member_id in ids]
    require_role(actor, *service.PAYING_ROLES)
    villages = {member.village_code for member in members}
    if len(villages) > 1:
        raise Invalid({"member_ids": _("Choose members of one village.")})
    village_code = members[0].village_code
    terms, errors = service.check_terms(
        actor,
        months,
        GROUP_CHANNEL,
        reference,
        paid_on,
        payer,
        payer_name,
        service.village_name(session, village_code),
    )
    seen = None if amount is None or amount == "" else parse_rupiah(amount)
    if amount not in (None, "") and seen is None:
        errors["amount"] = _("Enter an amount in whole rupiah.")
    if errors:
        raise Invalid(errors)
    assert terms is not None
    priced, refused = [], []
    for member in members:
        assert member.id is not None  # a stored member
        stored = service.valid_payments(session, member.id)
        messages: list[str] = []
        if member.status != MemberStatus.approved.value:
            messages.append(_("not approved"))
        else:
            try:
                service.require_payable(member)
            except DomainError as error:
                messages.append(error.message)
        monthly, price_errors = service.price(session, member, stored, terms.day, terms.months)
        messages += price_errors.values()
        if messages:
            refused.append(f"{member.full_name}: {' '.join(messages)}")
        priced.append((member, stored, monthly))
    if refused:
        raise Invalid({"member_ids": _("Nothing was recorded. %(refused)s", refused="; ".join(refused))})
    total = sum(monthly for _member, _stored, monthly in priced) * terms.months
    if seen is not None and seen != total:
        raise Conflict(
            _(
                "These members' dues come to %(total)s, not %(seen)s: check the members, months and transfer.",
                total=format_rupiah(total),
                seen=format_rupiah(seen),
            ),
            field="amount",
        )

    if key and not idempotency.claim(session, actor.id, key, GROUP_ACTION, request, idempotency.PENDING):
        session.rollback()  # a request with the same key came first: answer with its group
        earlier = idempotency.find(session, actor.id, key, GROUP_ACTION, request)
        if earlier is None:
            raise Conflict(_("Please try again."))
        return _replayed(session, earlier)
    year = today().year
    group = GroupPayment(
        number=format_group_number(year, next_value(session, group_counter(year))),
        village_code=village_code,
        payer=terms.payer,
        payer_name=terms.payer_name,
        months=terms.months,
        total=total,
        reference=terms.reference or "",
        paid_on=terms.day,
        recorded_by_id=actor.id,
    )
    session.add(group)
    session.flush()
    assert group.id is not None  # flushed
    receipts = []
    for member, stored, monthly in priced:
        payment = service.add_payment(session, actor, member, stored, terms, monthly)
        session.flush()
        assert payment.id is not None  # flushed
        session.add(GroupReceipt(payment_id=payment.id, group_payment_id=group.id))
        receipts.append((payment, member))
    receipts.sort(key=lambda receipt: (receipt[1].full_name, receipt[0].id or 0))  # as `group_receipts` lists them
    if key:
        idempotency.settle(session, actor.id, key, group.number)
    audit.record(
        session,
        actor,
        "group_payment_recorded",
        "group_payment",
        group.number,
        village_code=village_code,
        payer=terms.payer,
        payer_name=terms.payer_name,
        months=terms.months,
        amount=group.total,
        reference=terms.reference,
        paid_on=terms.day.isoformat(),
        receipts=[payment.receipt_number for payment, _member in receipts],
    )
    session.commit()
    return GroupRecorded(group, receipts)


def _replayed(session: Session, number: str) -> GroupRecorded:
    group = session.exec(select(GroupPayment).where(GroupPayment.number == number)).one()
    receipts = group_receipts(session, group)
    session.commit()  # nothing to write: release SQLite's write lock before answering (see service._replayed)
    return GroupRecorded(group, receipts, replayed=True)


# ---------------------------------------------------------------- reading and confirming


def get_group(session: Session, actor: Actor, number: str, for_update: bool = False) -> GroupPayment:
    query = select(GroupPayment).where(
        GroupPayment.number == number.strip(), village_clause(actor, GroupPayment.village_code)
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    group = session.exec(query).first()
    if group is None:
        raise NotFound(_("Group receipt not found."))
    return group


def group_receipts(session: Session, group: GroupPayment) -> list[tuple[Payment, Member]]:
    """The members' own receipts of a group, by member name."""
    assert group.id is not None  # a stored group
    return receipts_of_groups(session, [group.id]).get(group.id, [])


def receipts_of_groups(session: Session, group_ids: list[int]) -> dict[int, list[tuple[Payment, Member]]]:
    """The receipts of several groups in one query (a list of groups), each group's by member name."""
    found: dict[int, list[tuple[Payment, Member]]] = {}
    if not group_ids:
        return found
    rows = session.exec(
        select(GroupReceipt.group_payment_id, Payment, Member)
        .join(Payment, col(Payment.id) == GroupReceipt.payment_id)
        .join(Member, col(Member.id) == Payment.member_id)
        .where(col(GroupReceipt.group_payment_id).in_(group_ids))
        .order_by(col(Member.full_name), col(Payment.id))
    ).all()
    for group_id, payment, member in rows:
        found.setdefault(group_id, []).append((payment, member))
    return found


def group_of_payment(session: Session, payment: Payment) -> GroupPayment | None:
    """The group a member's receipt was paid in, if any (the receipt links to it)."""
    return session.exec(
        select(GroupPayment)
        .join(GroupReceipt, col(GroupReceipt.group_payment_id) == GroupPayment.id)
        .where(GroupReceipt.payment_id == payment.id)
    ).first()


# The members a group form lists for one village (ticked by hand: a page of names, not a register).
PAYABLE_LIST_LIMIT = 300


def payable_members(session: Session, actor: Actor, village_code: str) -> list[Member]:
    """The approved, living members of a village in the actor's area, by name: who a group can pay for."""
    return list(
        session.exec(
            select(Member)
            .where(
                Member.village_code == village_code,
                Member.status == MemberStatus.approved.value,
                col(Member.died_on).is_(None),
                village_clause(actor, Member.village_code),
            )
            .order_by(col(Member.full_name), col(Member.id))
            .limit(PAYABLE_LIST_LIMIT)
        ).all()
    )


def list_groups(
    session: Session, actor: Actor, status: str | None = None, limit: int = 100, oldest_first: bool = False
) -> list[tuple[GroupPayment, User]]:
    """Group payments of the actor's area with who recorded them, latest first (or oldest first: what
    the branch has waited longest to confirm)."""
    recorded_at, group_id = col(GroupPayment.recorded_at), col(GroupPayment.id)
    order = (recorded_at, group_id) if oldest_first else (recorded_at.desc(), group_id.desc())
    query = (
        select(GroupPayment, User)
        .join(User, col(User.id) == GroupPayment.recorded_by_id)
        .where(village_clause(actor, GroupPayment.village_code))
        .order_by(*order)
        .limit(limit)
    )
    if status:
        query = query.where(GroupPayment.status == status)
    return list(session.exec(query).all())


def groups_waiting(session: Session, actor: Actor) -> int:
    return session.exec(
        select(func.count())
        .select_from(GroupPayment)
        .where(GroupPayment.status == GroupStatus.submitted.value, village_clause(actor, GroupPayment.village_code))
    ).one()


def confirm_group(session: Session, actor: Actor, number: str) -> GroupPayment:
    """The branch officer saw the transfer in the branch's account: as a deposit's confirmation."""
    group = get_group(session, actor, number, for_update=True)
    require_role(actor, Role.cabang.value)
    if group.status != GroupStatus.submitted.value:
        raise Conflict(_("Only a group payment waiting for confirmation can be confirmed."))
    group.status = GroupStatus.confirmed.value
    group.confirmed_by_id = actor.id
    group.confirmed_at = utcnow()
    session.add(group)
    audit.record(
        session,
        actor,
        "group_payment_confirmed",
        "group_payment",
        group.number,
        amount=group.total,
        reference=group.reference,
    )
    session.commit()
    return group
