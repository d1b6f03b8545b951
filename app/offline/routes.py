"""Working without a signal: the service worker at `/sw.js`, the offline page and the outbox page.

What a duta submits without a connection waits on the phone (IndexedDB, static/offline/queue.js) and is
sent later by static/app.js to the form's own page endpoint, with the session cookie and the CSRF header:
those endpoints call the same services as the JSON API, with the same idempotency keys, so a repeated
send records once and no API token is ever kept on the phone.
"""

import hashlib
import json
from functools import lru_cache

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import OptionalWebActor, WebActor, csrf_protect
from app.core.db import SessionDep
from app.core.templating import STATIC_DIR, render, static_url
from app.offline import roster
from app.offline.api import roster_out

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# The app shell, kept by the service worker under its versioned names.
SHELL_FILES = (
    "app.css",
    "vendor/htmx.min.js",
    "app.js",
    "offline/queue.js",
    "offline/idb.js",
    "offline/roster.js",
)
OFFLINE_PAGE = "/offline"
# The shell the service worker answers, without a signal, for the member list, a member, the follow-up
# lists and a pay form: static/app.js fills it from the roster kept in IndexedDB.
ROSTER_PAGE = "/roster"
# Pages fetched when the worker installs (if the person may open them), so they work offline at once.
INSTALL_PAGES = ("/members/new", "/outbox", ROSTER_PAGE)
BUILD_MARK = "/*BUILD*/"
END_MARK = "/*END*/"


@lru_cache(maxsize=1)
def service_worker_source() -> str:
    """static/sw.js with this release's versioned file names; a new release changes the script,
    so browsers install the new worker and drop the old caches."""
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    precache = [static_url(name) for name in SHELL_FILES if (STATIC_DIR / name).exists()] + [OFFLINE_PAGE]
    digest = hashlib.sha256(source.encode() + "\n".join(precache).encode()).hexdigest()[:12]
    build = {
        "version": digest,
        "precache": precache,
        "offline": OFFLINE_PAGE,
        "roster": ROSTER_PAGE,
        "pages": list(INSTALL_PAGES),
    }
    start = source.index(BUILD_MARK) + len(BUILD_MARK)
    end = source.index(END_MARK)
    return source[:start] + " " + json.dumps(build) + " " + source[end:]


@router.get("/sw.js")
def service_worker():
    return Response(
        service_worker_source(),
        media_type="application/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/offline")
def offline_page(request: Request):
    """Shown by the service worker when a page is not kept on the phone and there is no signal."""
    return render(request, "offline/offline.html", {"actor": None})


@router.get("/outbox")
def outbox_page(request: Request, actor: OptionalWebActor):
    """The list lives on the phone: the page is a shell that static/app.js fills from IndexedDB."""
    return render(request, "offline/outbox.html", {"actor": actor})


@router.get(ROSTER_PAGE)
def roster_page(request: Request, actor: WebActor):
    """A shell: the service worker keeps it and answers it for the roster's pages without a signal."""
    return render(request, "offline/roster.html", {"actor": actor, "fields": roster.FIELDS, **roster.page_labels()})


@router.get("/roster/sync")
def roster_sync(actor: WebActor, session: SessionDep, since: str = ""):
    """The phone's sync (the session cookie, no token kept on the phone): as GET /api/v1/roster."""
    return roster_out(roster.sync(session, actor, since))
