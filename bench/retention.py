"""The retention report's service time per scope, and of each of its queries, on a generated database.

    .venv/bin/python bench/retention.py --database-url sqlite:///var/bench.sqlite3 --requests 5

Read-only: it calls `app.reports.retention` in-process as a wilayah, cabang or duta actor (no login, so
no session rows are written) on a connection opened read-only (SQLite `mode=ro`, PostgreSQL
`default_transaction_read_only`). The page adds its template and chart (a few milliseconds) to this.
Target (docs/budgets.md): under about 2 s at 200.000 members on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import DEFAULT_URL, busiest_area, machine, redacted, table, write_result
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.auth.scope import Actor
from app.core.clock import today
from app.core.db import make_engine
from app.reports import retention as report
from app.reports.service import parse_scope


def read_only(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    return parsed.update_query_dict({"options": "-c default_transaction_read_only=on"}).render_as_string(
        hide_password=False
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--requests", type=int, default=5, help="timed reports per scope (after one warm-up)")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()

    url = read_only(args.database_url)
    area = busiest_area(url)
    info = machine(url)
    actors = {
        "wilayah": Actor(id=0, username="bench", role="wilayah"),
        "cabang": Actor(id=0, username="bench", role="cabang", branch_code=area["branch"]),
        "duta": Actor(id=0, username="bench", role="duta", village_codes=(area["village"],)),
    }
    cases = [
        ("region", "wilayah", "region"),
        (f"province:{area['province']}", "wilayah", f"province:{area['province']}"),
        (f"branch:{area['branch']}", "cabang", None),
        (f"village:{area['village']}", "duta", None),
    ]
    parts = {
        "cohorts and channels": lambda s, a, sc, d: report._spans(
            s, a, sc, d, report._targets(report.cohort_sizes(s, a, sc), d)
        ),
        "restarted": report.restarted,
        "by village": report.by_village,
        "by event kind": report.by_event_kind,
    }
    load_before = os.getloadavg()
    engine = make_engine(url)
    rows, part_rows = [], []
    with Session(engine) as session:
        for label, role, scope_text in cases:
            actor = actors[role]
            report.retention(session, actor, scope_text)  # warm-up: the database's cache
            times, cpu = [], []
            for _ in range(args.requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                report.retention(session, actor, scope_text)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            rows.append(
                [
                    label,
                    role,
                    len(times),
                    f"{statistics.median(times):.0f}",
                    f"{max(times):.0f}",
                    f"{statistics.median(cpu):.0f}",
                ]
            )
            scope = parse_scope(session, actor, scope_text)
            for name, part in parts.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                part(session, actor, scope, today())
                wall, used = time.perf_counter() - started, time.process_time() - started_cpu
                part_rows.append([label, name, f"{wall * 1000:.0f}", f"{used * 1000:.0f}"])
            session.rollback()
    engine.dispose()
    body = (
        "## Whole report (`app.reports.retention.retention`), ms\n\n"
        + table(["scope", "as", "n", "p50", "max", "cpu p50"], rows)
        + "\n\n## Its queries, one run each, ms\n\n"
        + table(["scope", "query", "ms", "cpu"], part_rows)
    )
    path = write_result(
        "retention",
        "Retention report: service time per scope",
        info | {"database url": redacted(args.database_url)},
        body,
        notes=[
            f"{args.requests} timed runs per scope after one warm-up, in-process, read-only connection",
            "cpu: this process's CPU time; SQLite runs in it, so on SQLite it is the query's own work whatever"
            " the machine's load; on PostgreSQL the server's work is not in it",
            "load average (1 min) before / after: " + " / ".join(f"{x[0]:.1f}" for x in (load_before, os.getloadavg())),
        ],
        tag=args.tag,
    )
    print(path.read_text())


if __name__ == "__main__":
    main()
