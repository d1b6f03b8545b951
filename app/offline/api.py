"""The roster sync for partners' and the duta's own clients (prefix /api/v1), over the same service as
the phone's page endpoint (`/roster/sync`, app/offline/routes.py)."""

from fastapi import APIRouter, Query

from app.auth.deps import ApiActor
from app.core.db import SessionDep
from app.offline import roster
from app.offline.schemas import RosterOut

router = APIRouter(tags=["offline"])


def roster_out(result: roster.Roster) -> RosterOut:
    return RosterOut(cursor=result.cursor, full=result.full, members=result.members, removed=result.removed)


@router.get("/roster", response_model=RosterOut)
def roster_sync(actor: ApiActor, session: SessionDep, since: str = Query("", description="The last cursor.")):
    """The members of the duta's villages: all of them without `since`, else what changed since."""
    return roster_out(roster.sync(session, actor, since))
