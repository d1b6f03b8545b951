"""Follow-up API: the lists, and a contact's outcome (prefix /api/v1), over the same service as the pages."""

from fastapi import APIRouter, Query

from app.auth.deps import ApiActor
from app.core.bounds import PageNumber, RowId
from app.core.clock import today
from app.core.db import SessionDep
from app.core.templating import mask_nik
from app.followups import service
from app.followups.models import Contact
from app.followups.schemas import ContactIn, ContactList, ContactOut, FollowUpItem, FollowUpListOut, FollowUps
from app.members.cover import cover_status

router = APIRouter(tags=["follow-ups"])


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut.model_validate(contact, from_attributes=True)


def _item(row: service.Row) -> FollowUpItem:
    member = row.member
    assert member.id is not None  # a stored row
    return FollowUpItem(
        id=member.id,
        full_name=member.full_name,
        nik=mask_nik(member.nik),
        member_number=member.member_number,
        phone=member.phone,
        village_code=member.village_code,
        status=member.status,
        cover_status=cover_status(member.covered_until, today()).value,
        covered_until=f"{member.covered_until:%Y-%m}" if member.covered_until else None,
        monthly_contribution=row.monthly_amount,
        whatsapp_url=row.whatsapp_url,
        sms_url=row.sms_url,
        last_contact=contact_out(row.last_contact) if row.last_contact else None,
    )


def _out(listing: service.Listing) -> FollowUpListOut:
    return FollowUpListOut(total=listing.total, items=[_item(row) for row in listing.rows])


@router.get("/followups", response_model=FollowUps)
def followups(
    actor: ApiActor,
    session: SessionDep,
    list_name: service.FollowUpList | None = Query(None, alias="list"),
    page: PageNumber = 1,
):
    """Members of the caller's villages to follow up, by list, 20 a page. With `list`, that list only
    (and `page`); without, the first page of every list. Each list: its total and its members."""
    if list_name is None:
        return FollowUps(
            lists={listing.name: _out(listing) for listing in service.overview(session, actor, size=service.PAGE_SIZE)}
        )
    return FollowUps(lists={list_name.value: _out(service.listing(session, actor, list_name, page=page))})


@router.post("/members/{member_id}/contacts", response_model=ContactOut, status_code=201)
def record_contact(member_id: RowId, body: ContactIn, actor: ApiActor, session: SessionDep):
    """What came of a contact: `janji_bayar` (with `promised_on`), `belum_mampu`, `pindah`, `meninggal`,
    `tidak_terhubung`; a note and the next contact date are optional."""
    contact = service.record_contact(session, actor, member_id, **body.model_dump())
    return contact_out(contact)


@router.get("/members/{member_id}/contacts", response_model=ContactList)
def member_contacts(member_id: RowId, actor: ApiActor, session: SessionDep):
    """The member's contacts, latest first (the last 20)."""
    return ContactList(items=[contact_out(c) for c in service.contacts_of(session, actor, member_id)])
