"""Dashboards and the member list through HTTP: p50 and p95 over repeated requests, against the budget.

    .venv/bin/python bench/dashboards.py --database-url sqlite:///var/bench.sqlite3 --requests 50

Needs a database filled by `duta generate --members N` (its accounts log in). Budget (docs/budgets.md):
p95 under 200 ms up to 200.000 members, under 500 ms at 2 million (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import time

import httpx2 as httpx
from _common import (
    DEFAULT_URL,
    Server,
    api_login,
    busiest_area,
    machine,
    percentile,
    redacted,
    scale,
    table,
    web_login,
    write_result,
)


def cases(area: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(label, role, kind, path): kind `api` uses a bearer token, `page` a logged-in browser session."""
    village, branch, province = area["village"], area["branch"], area["province"]
    return [
        ("API dashboard scope=region", "wilayah", "api", "/api/v1/dashboard?scope=region"),
        ("API dashboard scope=province:12", "wilayah", "api", "/api/v1/dashboard?scope=province:12"),
        ("API dashboard scope=province:11", "wilayah", "api", "/api/v1/dashboard?scope=province:11"),
        (f"API dashboard scope=branch:{branch}", "cabang", "api", f"/api/v1/dashboard?scope=branch:{branch}"),
        (f"API dashboard scope=village:{village}", "duta", "api", f"/api/v1/dashboard?scope=village:{village}"),
        ("API dashboard (own scope, cabang)", "cabang", "api", "/api/v1/dashboard"),
        ("page /dashboard (wilayah)", "wilayah", "page", "/dashboard"),
        (
            f"page /dashboard?scope=province:{province} (wilayah)",
            "wilayah",
            "page",
            f"/dashboard?scope=province:{province}",
        ),
        ("page /dashboard (cabang)", "cabang", "page", "/dashboard"),
        ("page / home (duta)", "duta", "page", "/"),
        ("page / home (cabang)", "cabang", "page", "/"),
        ("API members (wilayah, page 1)", "wilayah", "api", "/api/v1/members"),
        (f"API members village_code={village}", "duta", "api", f"/api/v1/members?village_code={village}"),
        ("API members cover_status=aktif (cabang)", "cabang", "api", "/api/v1/members?cover_status=aktif"),
        ("API members status=submitted (cabang)", "cabang", "api", "/api/v1/members?status=submitted"),
        ("API members q=Siregar (wilayah)", "wilayah", "api", "/api/v1/members?q=Siregar"),
        ("API members page=50 (wilayah)", "wilayah", "api", "/api/v1/members?page=50"),
        ("page /members (duta)", "duta", "page", "/members"),
        ("page /approvals (cabang)", "cabang", "page", "/approvals"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--requests", type=int, default=50, help="timed requests per endpoint (after 3 warm-ups)")
    parser.add_argument(
        "--budget-ms", type=float, default=None, help="p95 budget; default 200 ms up to 1 million members, else 500 ms"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds before one request counts as failed")
    parser.add_argument("--max-seconds", type=float, default=30, help="stop timing one row after this (min 5 requests)")
    args = parser.parse_args()

    members, payments = scale(args.database_url)
    budget = args.budget_ms or (200.0 if members <= 1_000_000 else 500.0)
    area = busiest_area(args.database_url)
    info = machine(args.database_url)
    rows = []
    failures = 0
    with Server(args.database_url) as server:
        headers = {role: api_login(server.base, area[role]) for role in ("wilayah", "cabang", "duta")}
        browsers = {}
        for role in ("wilayah", "cabang", "duta"):
            browser = httpx.Client(base_url=server.base, timeout=args.timeout)
            web_login(browser, area[role])
            browsers[role] = browser
        api = httpx.Client(base_url=server.base, timeout=args.timeout)
        for label, role, kind, path in cases(area):
            client = browsers[role] if kind == "page" else api
            request_headers = {} if kind == "page" else headers[role]
            started = time.perf_counter()
            try:
                first = client.get(path, headers=request_headers)
            except httpx.TimeoutException:
                rows.append([label, "FAIL", "", f"> {args.timeout:.0f} s", "", 1, "timeout"])
                failures += 1
                print(f"{label:<58} FAIL  timed out after {args.timeout:.0f} s")
                continue
            first_ms = (time.perf_counter() - started) * 1000
            if first.status_code == 404:
                rows.append([label, "missing", "", "", "", "", "404"])
                continue
            if first.status_code != 200:
                rows.append([label, f"error {first.status_code}", "", "", "", "", ""])
                failures += 1
                continue
            if first_ms > 20 * budget:
                # Far past the budget: one sample says enough, and repeating would take minutes.
                rows.append([label, "FAIL", "", f"{first_ms:.0f}", f"{first_ms:.0f}", 1, f"{len(first.content)} B"])
                failures += 1
                print(f"{label:<58} FAIL  one request took {first_ms:.0f} ms")
                continue
            for _ in range(2):
                client.get(path, headers=request_headers)
            times = []
            deadline = time.monotonic() + args.max_seconds
            for _ in range(args.requests):
                if len(times) >= 5 and time.monotonic() > deadline:
                    break  # a very slow endpoint: enough samples to see it fails
                started = time.perf_counter()
                response = client.get(path, headers=request_headers)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    failures += 1
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            verdict = "pass" if p95 < budget else "FAIL"
            failures += verdict == "FAIL"
            rows.append(
                [label, verdict, f"{p50:.1f}", f"{p95:.1f}", f"{max(times):.1f}", len(times), f"{len(first.content)} B"]
            )
            print(f"{label:<58} {verdict:<5} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        for browser in browsers.values():
            browser.close()
        api.close()
    body = table(["request", f"vs p95 < {budget:.0f} ms", "p50 ms", "p95 ms", "max ms", "n", "size"], rows)
    print()
    print(body)
    path = write_result(
        "dashboards",
        f"Dashboards and member list, {members:,} members / {payments:,} payments".replace(",", "."),
        {**info, "database url": redacted(args.database_url), "requests per row": str(args.requests)},
        body,
        [
            f"Busiest village {area['village']} (branch {area['branch']}); one uvicorn worker, sequential requests "
            "on loopback from one client."
        ],
    )
    print(f"\nwritten to {path.relative_to(path.parents[2])}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
