"""Browser tests: Debian's Chromium driven by Playwright against a live uvicorn server.

The server runs in a thread on 127.0.0.1 with its own migrated SQLite file holding the region's
geography and the demo data. Screenshots go to `test-output/` (git-ignored). Without /usr/bin/chromium
these tests skip, except in CI (env CI=true), where they fail.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from app.core import migrate
from app.core.config import ROOT
from app.core.db import get_session, make_engine
from app.demo import load_demo
from app.main import create_app
from app.regions.service import load_regions

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
OUTPUT = ROOT / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_engine(tmp_path_factory) -> Iterator[Engine]:
    """The live server's database, migrated, with the region's geography and the demo data (for a test
    that must set up what no page can, such as a rate change)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'live.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        load_regions(session)
        load_demo(session)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_engine) -> Iterator[str]:
    """The base URL of a running Duta with the demo data, for the whole test session."""
    engine = live_engine

    def session_override() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            yield session

    # An app of its own: other tests' dependency overrides on the shared app do not reach it.
    app = create_app()
    app.dependency_overrides[get_session] = session_override
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the live server did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required in CI")
        pytest.skip(f"{CHROMIUM} is not installed (required in CI)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server, locale="id-ID", **PHONE, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def context(browser, live_server):
    context = _context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def no_js_page(browser, live_server):
    """A phone with JavaScript switched off: the core forms must work as plain HTML."""
    context = _context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name") saves test-output/<test>-<name>.png."""
    OUTPUT.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        safe = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
        path = OUTPUT / f"{safe}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
