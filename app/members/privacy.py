"""Who sees a member's whole NIK. The people who meet the member in person need it (the duta of the
member's village to register and collect, the branch officer of its branch to approve and check the
KTP); everyone else (wilayah, admin) sees it masked. Pages and the API both ask here."""

from sqlmodel import Session

from app.auth.models import Role
from app.auth.scope import Actor
from app.core.templating import mask_nik
from app.members.models import Member
from app.regions.models import Regency, Village


def may_see_full_nik(session: Session, actor: Actor, member: Member) -> bool:
    if actor.role == Role.duta.value:
        return member.village_code in actor.village_codes
    if actor.role == Role.cabang.value and actor.branch_code:
        village = session.get(Village, member.village_code)
        regency = session.get(Regency, village.regency_code) if village else None
        return regency is not None and regency.branch_code == actor.branch_code
    return False


def shown_nik(session: Session, actor: Actor, member: Member) -> str:
    """The NIK as this actor may see it: whole, or masked (1207********0003)."""
    return member.nik if may_see_full_nik(session, actor, member) else mask_nik(member.nik)
