"""The service worker is served from the root (so it controls every page), never cached by the browser
(a new release is picked up at once), names this release's versioned files, and never keeps the API."""

import json
import re

from app.core.templating import static_url
from app.offline import routes as offline


def _build(source: str) -> dict:
    match = re.search(r"/\*BUILD\*/(.*?)/\*END\*/", source, re.S)
    assert match, "the worker carries its build description"
    return json.loads(match.group(1))


def test_sw_is_served_from_the_root_with_its_headers(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    assert "immutable" not in response.headers["cache-control"]


def test_sw_precaches_the_versioned_app_shell_and_the_offline_page(client):
    build = _build(client.get("/sw.js").text)
    assert static_url("app.css") in build["precache"]
    assert static_url("app.js") in build["precache"]
    assert static_url("offline/queue.js") in build["precache"]
    assert all("?v=" in url for url in build["precache"] if url.startswith("/static/"))
    assert "/offline" in build["precache"]
    assert "/members/new" in build["pages"]
    # The roster: its module kept with the shell, its page (drawn from IndexedDB) fetched at install.
    assert static_url("offline/roster.js") in build["precache"]
    assert "/roster" in build["pages"] and build["roster"] == "/roster"
    assert re.fullmatch(r"[0-9a-f]{12}", build["version"])


def test_sw_version_changes_with_the_files(monkeypatch):
    offline.service_worker_source.cache_clear()
    first = _build(offline.service_worker_source())["version"]
    offline.service_worker_source.cache_clear()
    monkeypatch.setattr(offline, "static_url", lambda name: f"/static/{name}?v=changed")
    second = _build(offline.service_worker_source())["version"]
    offline.service_worker_source.cache_clear()
    assert first != second


def test_sw_never_keeps_the_api_exports_or_posts(client):
    source = client.get("/sw.js").text
    assert r"/^\/api\//" in source
    assert "csv|xlsx" in source
    assert 'request.method !== "GET"' in source


def test_sw_is_compressed(client):
    response = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"


def test_static_files_are_long_cached(client):
    response = client.get(static_url("app.js"))
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["cache-control"]


def test_offline_and_outbox_pages_work_without_login(client):
    for path in ("/offline", "/outbox"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'id="outbox-list"' in response.text
        assert "Kotak keluar" in response.text


def test_every_page_carries_the_outbox_bar_and_app_js(client):
    html = client.get("/login").text
    assert 'id="outbox"' in html
    assert 'data-queue-module="' + static_url("offline/queue.js") in html
    assert static_url("app.js") in html
    assert "Menunggu dikirim" in html
    assert "Kirim sekarang" in html
    # No inline script or style (the CSP forbids them).
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None


def test_outbox_bar_names_the_logged_in_user(client, db):
    from tests.factories import VILLAGE_A, make_user, web_login

    user = make_user(db, "duta", villages=(VILLAGE_A,))
    web_login(client, user)
    html = client.get("/outbox").text
    assert f'data-user="{user.username}"' in html
