"""Fixtures for the tests that commit for real through a running server (threads, concurrency)."""

import sqlite3
import threading
import time
import uuid

import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.core import db as core_db
from app.main import app as fastapi_app
from tests.conftest import POSTGRES_URL


@pytest.fixture
def database_copy_url(engine, tmp_path):
    """A copy of the migrated database with the regions loaded, committed to for real."""
    if engine.dialect.name == "sqlite":
        target = tmp_path / "concurrent.sqlite3"
        source = sqlite3.connect(engine.url.database)
        copy = sqlite3.connect(target)
        source.backup(copy)
        copy.close()
        source.close()
        yield f"sqlite:///{target}"
        return
    name = f"duta_conc_{uuid.uuid4().hex[:10]}"
    engine.dispose()  # a template must have no open connections
    admin = core_db.make_engine(POSTGRES_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def server(database_copy_url, monkeypatch):
    """The app under uvicorn on loopback, in a thread, its `get_engine()` pointing at the copy."""
    app_engine = core_db.make_engine(database_copy_url)
    monkeypatch.setattr(core_db, "_engine", app_engine)
    assert not fastapi_app.dependency_overrides, "the real get_session must serve these requests"
    config = uvicorn.Config(fastapi_app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    port = uv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", app_engine
    uv.should_exit = True
    thread.join(timeout=10)
    app_engine.dispose()
