"""The payment code: an approved member's number with one check digit, so that a worker can pay at any
partner (bank, agent, cooperative) by reading it out or typing it.

The check digit is Damm's (python-stdnum): it catches every single mistyped digit and every swap of two
neighbouring digits with one digit (Luhn misses the swap of 09 and 90). A code is shown in groups of
four (`2600 0000 1236`); spaces, dots and dashes typed between its digits are dropped.
"""

import re

from sqlmodel import Session, select
from stdnum import damm
from stdnum.exceptions import InvalidChecksum

from app.auth.scope import Actor, village_clause
from app.core.errors import Invalid, NotFound
from app.core.i18n import _
from app.members.models import Member, MemberStatus

# The member number's 11 digits (workflows.approvals.format_member_number) and the check digit.
PAYMENT_CODE_DIGITS = 12
# What a code may be typed with: more is not a code, and is not read any further.
MAX_TYPED = 40


def payment_code(member: Member) -> str | None:
    """The member's code (digits only), or None: only an approved member with a number of digits has one."""
    number = member.member_number
    if member.status != MemberStatus.approved.value or not number or not number.isdigit():
        return None
    return number + damm.calc_check_digit(number)


def grouped(code: str | None) -> str:
    """`260000001236` as people read it: `2600 0000 1236`."""
    if not code:
        return ""
    return " ".join(code[start : start + 4] for start in range(0, len(code), 4))


def parse_payment_code(raw, field: str = "code") -> str:
    """The code typed, as digits, or Invalid beside `field` saying what is wrong (in the user's language)."""
    typed = str(raw or "")[:MAX_TYPED]
    code = re.sub(r"[\s.\-]", "", typed)
    if not code:
        raise Invalid({field: _("Enter the payment code.")})
    if not code.isdigit() or len(code) != PAYMENT_CODE_DIGITS:
        raise Invalid({field: _("A payment code has %(n)s digits.", n=PAYMENT_CODE_DIGITS)})
    try:
        damm.validate(code)
    except InvalidChecksum:
        raise Invalid({field: _("This payment code has a typing mistake: check its digits again.")}) from None
    return code


def member_number_of(typed) -> str | None:
    """The member number a typed payment code names, or None when the text is not one (a search)."""
    try:
        return parse_payment_code(typed)[:-1]
    except Invalid:
        return None


def member_by_payment_code(session: Session, actor: Actor, raw, field: str = "code") -> Member:
    """The approved member of the actor's area whose code was typed; 404 for a well-formed code that names
    no such member (unknown, or outside the area: the same answer)."""
    code = parse_payment_code(raw, field)
    member = session.exec(
        select(Member).where(
            Member.member_number == code[:-1],
            Member.status == MemberStatus.approved.value,
            village_clause(actor, Member.village_code),
        )
    ).first()
    if member is None:
        raise NotFound(_("No member has this payment code."), field=field)
    return member
