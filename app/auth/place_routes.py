"""GET /places: the options of a place picker as the user types (htmx fills the field's <datalist>)."""

import re

from fastapi import APIRouter, Depends, Request

from app.auth import places
from app.auth.deps import WebActor, csrf_protect
from app.core.bounds import MAX_SEARCH_LENGTH
from app.core.db import SessionDep
from app.core.errors import Invalid, NotFound
from app.core.i18n import _
from app.core.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
# htmx sends the field's own value under the field's name, which `field` names.
FIELD_NAME = re.compile(r"[a-z_]{1,40}")


@router.get("/places")
def place_options(request: Request, actor: WebActor, session: SessionDep, level: str = "village", field: str = "q"):
    if not FIELD_NAME.fullmatch(field):
        raise NotFound()
    text = request.query_params.get(field, "")
    if len(text) > MAX_SEARCH_LENGTH:
        raise Invalid({field: _("Use at most %(n)s characters.", n=MAX_SEARCH_LENGTH)})
    # The level may come from the form's own level select (a target's): one without places offers none.
    options = places.search_places(session, actor, level, text) if level in places.LEVELS else []
    return render(request, "_place_options.html", {"options": options})
