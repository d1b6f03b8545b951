"""The production app plus one bench-only route, for the throughput benchmark's yardstick:
`POST /bench/bare-insert` does one insert (into `bench_bare`, a table the benchmark creates itself,
not a migration) through the same engine, session and server. Never imported by the app."""

from fastapi import Depends
from sqlalchemy import text
from sqlmodel import Session

from app.core.clock import utcnow
from app.core.db import get_session
from app.main import app


@app.post("/bench/bare-insert", status_code=201, include_in_schema=False)
def bare_insert(session: Session = Depends(get_session)):
    session.execute(
        text("INSERT INTO bench_bare (created_at, note) VALUES (:at, :note)"),
        {"at": utcnow().isoformat(), "note": "bench"},
    )
    session.commit()
    return {"ok": True}
