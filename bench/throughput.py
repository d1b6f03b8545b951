"""Registration and payment throughput with concurrent clients, as a ratio to a bare endpoint that does
one insert in the same server, same run (budget: ratio >= 0,5).

    .venv/bin/python bench/throughput.py --database-url postgresql+psycopg://postgres@127.0.0.1/duta_bench \
        --clients 8 --seconds 20

The endpoints take turns in short phases (`--phase-seconds`, 2 s) until each has had `--seconds`; a
ratio is total against total, and the table shows the lowest and highest ratio of one turn, which says
how much the machine moved during the run.

Needs a database filled by `duta generate`; the server is bench/bench_app.py (the app plus
`POST /bench/bare-insert`). The members and payments it creates stay in the database (they are real
rows in the busiest village); run it on a benchmark database, not production.

Then (`--cpu-requests N`, 0 to skip) the same three requests N times each through the app in this
process (httpx's ASGI transport, one at a time), as CPU milliseconds per request: a figure that a
busy machine disturbs much less than requests per second, and the same ratio without the network.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import itertools
import os
import threading
import time
import uuid

import httpx2 as httpx
from _common import DEFAULT_URL, Server, api_login, busiest_area, machine, make_engine, redacted, table, write_result
from sqlalchemy import text

BUDGET = 0.5


def create_bare_table(database_url: str) -> None:
    engine = make_engine(database_url)
    key = "INTEGER PRIMARY KEY AUTOINCREMENT" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE IF NOT EXISTS bench_bare (id {key}, created_at VARCHAR(40), note VARCHAR(40))")
        )
    engine.dispose()


def payable_members(database_url: str, village: str) -> list[int]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        ids = (
            connection.execute(
                text("SELECT id FROM member WHERE village_code = :v AND status = 'approved' ORDER BY id"),
                {"v": village},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return list(ids)


def run_phase(base: str, clients: int, seconds: float, make_request, counter=None) -> tuple[float, int, int, dict]:
    """`make_request(client, n)` sends one request, n from `counter` (go on counting across phases: the
    registrations' NIKs come from it); returns (elapsed seconds, ok, errors, statuses)."""
    counter = counter if counter is not None else itertools.count()
    ok = errors = 0
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        nonlocal ok, errors
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < stop:
                try:
                    response = make_request(client, next(counter))
                except httpx.HTTPError:
                    with lock:
                        errors += 1
                        statuses[0] = statuses.get(0, 0) + 1
                    continue
                with lock:
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code in (200, 201):
                        ok += 1
                    else:
                        errors += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return elapsed, ok, errors, statuses


def cpu_per_request(database_url: str, headers: dict, requests: dict, count: int) -> dict[str, float]:
    """CPU ms per request (all threads of this process) for each request maker, the app in-process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOGIN_MAX_FAILURES_IP", "100000")
    from app.core import config, db

    config.get_settings.cache_clear()
    db._engine = None  # the engine of `database_url`, made on first use
    app = importlib.import_module("bench.bench_app").app
    assert str(db.get_engine().url) == str(db.make_engine(database_url).url)
    result: dict[str, float] = {}

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, make_request in requests.items():
                await make_request(client, 2 * 10**6)  # warm: compiled statements, caches
                started = time.process_time()
                for n in range(count):
                    response = await make_request(client, 3 * 10**6 + n)
                    if response.status_code not in (200, 201):
                        raise SystemExit(f"{name}: {response.status_code} {response.text[:200]}")
                result[name] = (time.process_time() - started) / count * 1000

    asyncio.run(run())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20, help="time per endpoint, in phases")
    parser.add_argument(
        "--phase-seconds",
        type=float,
        default=2,
        help="length of one phase; the endpoints take turns until each had --seconds",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--cpu-requests", type=int, default=200, help="in-process CPU sample per endpoint (0: skip)")
    args = parser.parse_args()

    create_bare_table(args.database_url)
    area = busiest_area(args.database_url)
    village = area["village"]
    members = payable_members(args.database_url, village)
    info = machine(args.database_url)
    run_id = uuid.uuid4().int % 90 + 10
    # Birth dates start on a random day per run (1950-1971), so NIKs stay new over repeated runs, and
    # spread over 12.000 days as a village's are (not thousands of neighbours born on one day, which
    # would make every duplicate check read them all).
    first_birth = dt.date(1950, 1, 1) + dt.timedelta(days=uuid.uuid4().int % 8000)
    results = {}
    with Server(args.database_url, app="bench.bench_app:app", workers=args.workers) as server:
        headers = api_login(server.base, area["duta"])

        def bare(client, _n):
            return client.post("/bench/bare-insert")

        def registration_body(n):
            birth = first_birth + dt.timedelta(days=n % 12000)
            serial = 5000 + n // 12000
            sex = "L" if n % 2 else "P"
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{village.replace('.', '')[:6]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
            return {
                "nik": nik,
                "full_name": f"Warga Uji Beban {n}",
                "sex": sex,
                "birth_date": birth.isoformat(),
                "phone": f"0812{7000000 + n % 3000000}",
                "address": "Jl. Uji No. 1",
                "village_code": village,
                "occupation": "petani",
                "monthly_income": 1000000,
                "jht": False,
                "heir_name": "Siti",
                "heir_relation": "istri",
                "consent": True,
            }

        def keyed():
            return {**headers, "Idempotency-Key": uuid.uuid4().hex}

        def register(client, n):
            return client.post("/api/v1/members", json=registration_body(n), headers=keyed())

        def pay(client, n):
            member_id = members[n % len(members)]
            return client.post(
                f"/api/v1/members/{member_id}/payments", json={"months": 1, "channel": "tunai"}, headers=keyed()
            )

        requests = {}
        for name, request in (
            ("bare insert", bare),
            ("registration POST /api/v1/members", register),
            ("payment POST /api/v1/members/{id}/payments", pay),
        ):
            probe = request(httpx.Client(base_url=server.base, timeout=60), 10**6 + run_id)
            if probe.status_code == 404 or probe.status_code == 405:
                results[name] = None
                print(f"{name}: missing ({probe.status_code})")
                continue
            requests[name] = request
        # Short phases in turn rather than one long phase each: this machine's speed drifts by up to half
        # within a minute, and a ratio of long phases one after the other measured the drift as much as the code.
        turns = max(1, round(args.seconds / args.phase_seconds))
        totals = {name: [0.0, 0, 0, {}] for name in requests}  # seconds, ok, errors, statuses
        turn_rates: dict[str, list[float]] = {name: [] for name in requests}
        counters = {name: itertools.count() for name in requests}
        for turn in range(turns):
            for name, request in requests.items():
                elapsed, ok, errors, statuses = run_phase(
                    server.base, args.clients, args.phase_seconds, request, counters[name]
                )
                total = totals[name]
                total[0] += elapsed
                total[1] += ok
                total[2] += errors
                for status, count in statuses.items():
                    total[3][status] = total[3].get(status, 0) + count
                turn_rates[name].append(ok / elapsed)
            print(
                f"turn {turn + 1}/{turns}: "
                + ", ".join(f"{name.split()[0]} {rates[-1]:.0f}/s" for name, rates in turn_rates.items()),
                flush=True,
            )
        for name, (seconds, ok, errors, statuses) in totals.items():
            results[name] = (ok / seconds, ok, errors, statuses)
            print(f"{name}: {ok / seconds:.1f} req/s ({ok} ok, {errors} errors {statuses})")
    cpu: dict[str, float] = {}
    if args.cpu_requests > 0:
        # Other NIKs than the HTTP phases' (birth day offset by the request number range).
        cpu = cpu_per_request(
            args.database_url,
            headers,
            {
                "bare insert": lambda client, n: client.post("/bench/bare-insert"),
                "registration POST /api/v1/members": lambda client, n: client.post(
                    "/api/v1/members", json=registration_body(n), headers=keyed()
                ),
                "payment POST /api/v1/members/{id}/payments": lambda client, n: client.post(
                    f"/api/v1/members/{members[n % len(members)]}/payments",
                    json={"months": 1, "channel": "tunai"},
                    headers=keyed(),
                ),
            },
            args.cpu_requests,
        )
        print("CPU ms per request (in-process):", {k: round(v, 2) for k, v in cpu.items()})
    bare_rate = results["bare insert"][0] if results.get("bare insert") else None
    bare_cpu = cpu.get("bare insert")
    rows, failed = [], False
    for name, result in results.items():
        if result is None:
            rows.append([name, "missing", "", "", "", "", "", "", ""])
            continue
        rate, ok, errors, statuses = result
        ratio = rate / bare_rate if bare_rate else float("nan")
        verdict = "" if name == "bare insert" else ("pass" if ratio >= BUDGET else "FAIL")
        failed |= verdict == "FAIL" or (errors > 0 and name != "bare insert")
        cpu_ms = f"{cpu[name]:.2f}" if name in cpu else ""
        cpu_ratio = f"{bare_cpu / cpu[name]:.2f}" if name in cpu and bare_cpu else ""
        per_turn = sorted(r / b for r, b in zip(turn_rates[name], turn_rates["bare insert"], strict=False))
        spread = "" if name == "bare insert" else f"{per_turn[0]:.2f}-{per_turn[-1]:.2f}"
        rows.append(
            [name, f"{rate:.1f}", ok, errors, f"{ratio:.3f}", spread, verdict or "(yardstick)", cpu_ms, cpu_ratio]
        )
    body = table(
        [
            "endpoint",
            "req/s",
            "ok",
            "errors",
            "ratio to bare",
            "ratio per turn",
            f"vs >= {BUDGET}",
            "CPU ms/request (in-process)",
            "CPU ratio",
        ],
        rows,
    )
    print()
    print(body)
    path = write_result(
        "throughput",
        "Registration and payment throughput",
        {
            **info,
            "database url": redacted(args.database_url),
            "clients": str(args.clients),
            "seconds per endpoint": f"{args.seconds} (phases of {args.phase_seconds} s in turn)",
        },
        body,
        [
            f"uvicorn workers: {args.workers}; client threads (httpx) on the same machine as the server and the "
            "database.",
            f"CPU ms/request: {args.cpu_requests} requests of each kind one at a time through the app in the "
            "benchmark's process (no network); CPU ratio = bare / endpoint.",
            f"Registrations and payments by {area['duta']} in village {village}.",
        ],
    )
    print(f"\nwritten to {path.relative_to(path.parents[2])}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
