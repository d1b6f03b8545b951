"""The roster in the pocket: the members of a duta's villages, kept on its phone (IndexedDB) so that the
member list, a member's summary, the follow-up lists and the pay form work without a signal.

The first sync (no cursor) sends every member of the duta's villages; later ones only the rows changed
since the cursor, and the ids of members who left the villages. "Changed" is `member.changed_at`, set
by every update of the row (and by a contact, which updates no row of the member).

What the phone shows that depends on the calendar or the rates (cover status, follow-up list,
contribution) is computed here, for the month of the sync. The cursor carries that month and a
fingerprint of the duta's villages and the rate tables: when any of them differs, the next sync is a
full one, so the phone never needs its own copy of the rules (one full sync a month, at most 150 KB).
Full syncs are audited (`roster_synced`).
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.scope import Actor, require_role, village_clause
from app.core import audit
from app.core.clock import month_start, today, utcnow
from app.core.db import begin_write
from app.core.errors import Invalid
from app.core.i18n import _, ngettext
from app.core.templating import mask_nik
from app.dues import service as dues_service
from app.dues.models import HAND_CHANNELS
from app.followups import service as followups
from app.members import service as members_service
from app.members.cover import CoverStatus, cover_status
from app.members.models import Member, MemberStatus, MoveRequest, RequestStatus
from app.rates import service as rates

# A transaction may commit a little after the time stamped on its rows: each sync fetches again what
# changed in the last minutes before its cursor, so a late commit is never missed (sent twice at most).
OVERLAP = dt.timedelta(minutes=5)
# A phone away longer than this gets everything again rather than a long list of changes.
MAX_CURSOR_AGE = dt.timedelta(days=31)
CURSOR_MAX_LENGTH = 40
_CURSOR = re.compile(r"(\d{4})-(\d{2})\.([0-9a-f]{8})\.(\d{1,12})")

# The order of each member's values on the wire: a list of lists, names sent once.
FIELDS = (
    "id",
    "full_name",
    "nik",  # masked, as in every list
    "member_number",
    "status",
    "cover_status",
    "covered_until",  # YYYY-MM
    "monthly_contribution",
    "phone",
    "followup_list",
)


@dataclass(frozen=True)
class Cursor:
    month: dt.date
    fingerprint: str
    at: dt.datetime

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}.{self.fingerprint}.{int(self.at.timestamp())}"


@dataclass
class Roster:
    cursor: str
    full: bool  # True: the phone replaces what it keeps; False: it applies the changes
    members: list[list]
    removed: list[int]


def parse_cursor(raw: str | None) -> Cursor | None:
    """A cursor given back by the phone, or None for a first sync; anything else is refused (422)."""
    if raw is None or raw == "":
        return None
    found = _CURSOR.fullmatch(raw) if len(raw) <= CURSOR_MAX_LENGTH else None
    month = int(found.group(2)) if found else 0
    if found is None or not 1 <= month <= 12 or not 2000 <= int(found.group(1)) <= 9999:
        raise Invalid({"since": _("This sync mark is not valid: sync again from the start.")})
    try:
        at = dt.datetime.fromtimestamp(int(found.group(4)), dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise Invalid({"since": _("This sync mark is not valid: sync again from the start.")}) from None
    return Cursor(dt.date(int(found.group(1)), month, 1), found.group(3), at)


def _fingerprint(session: Session, actor: Actor) -> str:
    """Changes when the duta's villages or the rate tables change: either changes every row."""
    tables = rates.tables(session)
    basis = repr((sorted(actor.village_codes), tables.rates, sorted(tables.discounts.items())))
    return hashlib.sha256(basis.encode()).hexdigest()[:8]


def _row(session: Session, member: Member, followup_list: str | None, day: dt.date) -> list:
    return [
        member.id,
        member.full_name,
        mask_nik(member.nik),
        member.member_number,
        member.status,
        cover_status(member.covered_until, day).value,
        f"{member.covered_until:%Y-%m}" if member.covered_until else None,
        members_service.contribution_for(session, member, day).total,
        member.phone,
        followup_list,
    ]


def page_labels() -> dict:
    """What the roster's pages on the phone show beside the codes kept: the labels of the lists, the
    statuses and the cover, the channels of a duta's payment and the months one may pay for."""
    return {
        # Pairs, not a mapping: the template's JSON would sort a mapping's keys, and the order is the lists'.
        "list_labels": [(name.value, str(followups.LIST_LABELS[name.value])) for name in followups.FollowUpList],
        "statuses": MemberStatus.labels(),
        "covers": CoverStatus.labels(),
        "channels": list(HAND_CHANNELS),
        # (months, "2 months", "Receive {amount} for 2 months"): the phone puts in the member's amount.
        "month_choices": [
            (
                n,
                ngettext("%(num)s month", "%(num)s months", n),
                ngettext(
                    "Receive %(amount)s for %(num)s month",
                    "Receive %(amount)s for %(num)s months",
                    n,
                    amount="{amount}",
                ),
            )
            for n in range(1, dues_service.MAX_MONTHS + 1)
        ],
    }


def sync(session: Session, actor: Actor, since: str | None = None) -> Roster:
    """The rows the phone lacks since `since` (a cursor this function gave), and the next cursor."""
    require_role(actor, Role.duta.value)
    cursor = parse_cursor(since)
    now = utcnow()
    day = today()
    this_month = month_start(day)
    fingerprint = _fingerprint(session, actor)
    full = (
        cursor is None
        or cursor.month != this_month
        or cursor.fingerprint != fingerprint
        or cursor.at > now
        or now - cursor.at > MAX_CURSOR_AGE
    )
    query = (
        select(Member, followups.list_of_member(actor, day))
        .where(village_clause(actor, Member.village_code))
        .order_by(col(Member.id))
    )
    removed: list[int] = []
    if not full:
        assert cursor is not None  # `full` otherwise
        after = cursor.at - OVERLAP
        query = query.where(col(Member.changed_at) >= after)
        # Members moved to a village of someone else: their rows are no longer this duta's to see.
        removed = list(
            session.exec(
                select(MoveRequest.member_id)
                .join(Member, col(Member.id) == col(MoveRequest.member_id))
                .where(
                    col(MoveRequest.status) == RequestStatus.approved.value,
                    col(MoveRequest.decided_at) >= after,
                    col(MoveRequest.from_village_code).in_(actor.village_codes),
                    ~village_clause(actor, Member.village_code),
                )
                .distinct()
                .order_by(col(MoveRequest.member_id))
            ).all()
        )
    members = [_row(session, member, followup_list, day) for member, followup_list in session.exec(query).all()]
    if full:
        # Personal data (phone numbers) leaving for a phone, as an export does: the full syncs are logged,
        # the changes after them (every few minutes) are not.
        begin_write(session)
        audit.record(session, actor, "roster_synced", "user", actor.id, members=len(members))
        session.commit()
    return Roster(str(Cursor(this_month, fingerprint, now)), full, members, removed)
