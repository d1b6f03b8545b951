"""Registration and payment against the budget of docs/budgets.md § 3, on one running server:

1. closed loop: `--clients` clients (8) send requests one after another as fast as answers come back,
   `--seconds` per endpoint; requests per second and errors, pass at >= 50 requests/s and no errors;
2. open loop: requests sent on a fixed schedule of `--rate` per second (20), whatever the answers,
   `--open-seconds` per endpoint; p50, p95 and max latency (from each request's scheduled time) and
   errors, pass at p95 < 150 ms and no errors.

The bare insert (`POST /bench/bare-insert` of bench/bench_app.py: one insert through the same engine
and server) runs in the closed loop too; the ratio to it is printed for information, not as a budget.

    .venv/bin/python bench/throughput.py --database-url postgresql+psycopg://postgres@127.0.0.1/duta_bench

Needs a database filled by `duta generate`. The members and payments it creates stay in the database
(real rows in the busiest village): run it on a benchmark database, not production.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import time
import uuid

import httpx2 as httpx
from _common import (
    DEFAULT_URL,
    Server,
    api_login,
    busiest_area,
    machine,
    make_engine,
    percentile,
    redacted,
    table,
    write_result,
)
from sqlalchemy import text

from app.core.clock import add_months, month_start, today

MIN_RATE = 50  # requests/s with --clients concurrent clients
MAX_P95_MS = 150  # at an offered --rate requests/s


def create_bare_table(database_url: str) -> None:
    engine = make_engine(database_url)
    key = "INTEGER PRIMARY KEY AUTOINCREMENT" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE IF NOT EXISTS bench_bare (id {key}, created_at VARCHAR(40), note VARCHAR(40))")
        )
    engine.dispose()


def payable_members(database_url: str, village: str) -> list[int]:
    """Approved members of the village whose cover may still run on for the run's payments (cover is
    paid at most 12 months ahead: earlier runs may have carried some members that far)."""
    engine = make_engine(database_url)
    horizon = add_months(month_start(today()), 6)
    with engine.connect() as connection:
        ids = list(
            connection.execute(
                text(
                    "SELECT id FROM member WHERE village_code = :v AND status = 'approved'"
                    " AND (covered_until IS NULL OR covered_until <= :horizon) ORDER BY id"
                ),
                {"v": village, "horizon": horizon},
            ).scalars()
        )
    engine.dispose()
    return ids


class Outcome:
    """Latencies (seconds) and answers of one endpoint's run."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}  # 0: no answer (connection error, timeout)

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0) + self.statuses.get(201, 0)

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


async def send(client: httpx.AsyncClient, request, n: int, since: float, outcome: Outcome) -> None:
    """One request; its latency counts from `since` (the scheduled time in the open loop)."""
    try:
        status = (await request(client, n)).status_code
    except httpx.HTTPError:
        status = 0
    outcome.latencies.append(time.perf_counter() - since)
    outcome.statuses[status] = outcome.statuses.get(status, 0) + 1


async def closed_loop(base: str, request, numbers, clients: int, seconds: float) -> tuple[Outcome, float]:
    """`clients` clients, each sending its next request when the previous one is answered."""
    outcome = Outcome()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        stop = started + seconds

        async def one_client() -> None:
            while time.perf_counter() < stop:
                await send(client, request, next(numbers), time.perf_counter(), outcome)

        await asyncio.gather(*(one_client() for _ in range(clients)))
        return outcome, time.perf_counter() - started


async def open_loop(base: str, request, numbers, rate: float, seconds: float) -> Outcome:
    """Request i is sent at start + i / rate, whether or not the earlier ones were answered."""
    outcome = Outcome()
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=None)) as client:
        start = time.perf_counter()
        tasks = []
        for i in range(round(rate * seconds)):
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            tasks.append(asyncio.create_task(send(client, request, next(numbers), scheduled, outcome)))
        await asyncio.gather(*tasks)
    return outcome


def verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the closed loop")
    parser.add_argument("--seconds", type=float, default=20, help="closed loop: seconds per endpoint")
    parser.add_argument("--rate", type=float, default=20, help="open loop: requests sent per second")
    parser.add_argument("--open-seconds", type=float, default=30, help="open loop: seconds per endpoint")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--tag", default="", help="suffix of the result file's name (e.g. after)")
    args = parser.parse_args()

    create_bare_table(args.database_url)
    area = busiest_area(args.database_url)
    village = area["village"]
    members = payable_members(args.database_url, village)
    info = machine(args.database_url)
    # NIKs new over repeated runs on one database: a serial number per run (5000-9899; NIKs differ from
    # another run's unless both draw the same), birth dates from a random day (1950-1971) spread over
    # 12.000 days as a village's are (not thousands of neighbours born on one day, which would make every
    # duplicate check read them all).
    first_birth = dt.date(1950, 1, 1) + dt.timedelta(days=uuid.uuid4().int % 8000)
    first_serial = 5000 + uuid.uuid4().int % 4900

    def registration_body(n: int) -> dict:
        birth = first_birth + dt.timedelta(days=n % 12000)
        serial = first_serial + n // 12000
        sex = "L" if n % 2 else "P"
        day = birth.day + (40 if sex == "P" else 0)
        return {
            "nik": f"{village.replace('.', '')[:6]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}",
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

    with Server(args.database_url, app="bench.bench_app:app", workers=args.workers) as server:
        headers = api_login(server.base, area["duta"])

        def keyed() -> dict:
            return {**headers, "Idempotency-Key": uuid.uuid4().hex}

        requests = {
            "bare insert": lambda client, n: client.post("/bench/bare-insert"),
            "registration": lambda client, n: client.post(
                "/api/v1/members", json=registration_body(n), headers=keyed()
            ),
            "payment": lambda client, n: client.post(
                f"/api/v1/members/{members[n % len(members)]}/payments",
                json={"months": 1, "channel": "tunai"},
                headers=keyed(),
            ),
        }
        numbers = {name: itertools.count() for name in requests}  # go on across runs: NIKs come from them

        async def run() -> tuple[dict, dict]:
            closed, opened = {}, {}
            for name, request in requests.items():
                await open_loop(server.base, request, numbers[name], rate=5, seconds=1)  # warm up
                outcome, elapsed = await closed_loop(server.base, request, numbers[name], args.clients, args.seconds)
                closed[name] = (outcome, outcome.ok / elapsed)
                print(f"closed loop, {name}: {outcome.ok / elapsed:.1f} req/s, statuses {outcome.statuses}", flush=True)
            for name in ("registration", "payment"):
                outcome = await open_loop(server.base, requests[name], numbers[name], args.rate, args.open_seconds)
                opened[name] = outcome
                print(f"open loop, {name}: p95 {outcome.ms(0.95):.0f} ms, statuses {outcome.statuses}", flush=True)
            return closed, opened

        closed, opened = asyncio.run(run())

    bare_rate = closed["bare insert"][1]
    failed = False
    closed_rows = []
    for name, (outcome, rate) in closed.items():
        passed = rate >= MIN_RATE and outcome.errors == 0
        if name != "bare insert":
            failed |= not passed
        closed_rows.append(
            [
                name,
                f"{rate:.1f}",
                outcome.ok,
                outcome.errors,
                f"{rate / bare_rate:.2f}",
                "(yardstick)" if name == "bare insert" else verdict(passed),
            ]
        )
    open_rows = []
    for name, outcome in opened.items():
        passed = outcome.ms(0.95) < MAX_P95_MS and outcome.errors == 0
        failed |= not passed
        open_rows.append(
            [
                name,
                len(outcome.latencies),
                f"{outcome.ms(0.50):.0f}",
                f"{outcome.ms(0.95):.0f}",
                f"{max(outcome.latencies) * 1000:.0f}",
                outcome.errors,
                verdict(passed),
            ]
        )
    body = (
        f"Closed loop, {args.clients} clients, {args.seconds:g} s per endpoint:\n\n"
        + table(
            [
                "endpoint",
                "req/s",
                "ok",
                "errors",
                "ratio to bare (information)",
                f"vs >= {MIN_RATE} req/s, no errors",
            ],
            closed_rows,
        )
        + f"\n\nOpen loop, {args.rate:g} requests/s offered, {args.open_seconds:g} s per endpoint:\n\n"
        + table(
            ["endpoint", "requests", "p50 ms", "p95 ms", "max ms", "errors", f"vs p95 < {MAX_P95_MS} ms, no errors"],
            open_rows,
        )
    )
    print()
    print(body)
    path = write_result(
        "throughput",
        "Registration and payment throughput and latency",
        {
            **info,
            "database url": redacted(args.database_url),
            "uvicorn workers": str(args.workers),
            "closed loop": f"{args.clients} clients, {args.seconds:g} s per endpoint",
            "open loop": f"{args.rate:g} requests/s, {args.open_seconds:g} s per endpoint",
        },
        body,
        [
            "Clients (httpx, asyncio, one process) on the same machine as the server and the database.",
            "Open-loop latency counts from each request's scheduled send time, so a client that falls behind "
            "shows as latency, not as fewer requests.",
            "Errors: answers other than 200/201, and requests without an answer.",
            f"Registrations and payments by {area['duta']} in village {village}.",
        ],
        tag=args.tag,
    )
    print(f"\nwritten to {path.relative_to(path.parents[2])}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
