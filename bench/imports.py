"""A group of 2.000 members from a file, end to end over HTTP: the check (dry run) and the registration,
through the API and the page, on a fresh database with the demo's accounts.

    .venv/bin/python bench/imports.py                                  # SQLite, a file in var/
    .venv/bin/python bench/imports.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test

For PostgreSQL a database of its own is created on that server and dropped afterwards. Each timed
request is one upload of a new file of ROWS workers (new NIKs, birth dates spread over 40 years, so
some rows meet namesake checks), as the demo duta of Medan Senembah; uvicorn runs in a subprocess.
Target (issue 22): 2.000 rows within 10 s, the check and the registration alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import time
from collections.abc import Iterator

import httpx2 as httpx
from _common import CSRF, Server, discard_database, fresh_database, machine, redacted, table, write_result
from openpyxl import load_workbook
from sqlmodel import Session

from app.core import migrate
from app.core.db import make_engine
from app.demo import DEMO_PASSWORD, DEMO_VILLAGE, load_demo
from app.members import imports

ROWS = 2_000
BUDGET_SECONDS = 10.0


def prepare(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session)
    engine.dispose()


def workers(rng: random.Random, files: Iterator[int]) -> list[dict]:
    """A file's workers; each file's NIKs carry their own district digits (3-6), so never meet another's."""
    district = next(files)
    rows = []
    for serial in range(1, ROWS + 1):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        sex = rng.choice("LP")
        day = birth.day + (40 if sex == "P" else 0)
        rows.append(
            {
                "nik": f"1207{district:02d}{day:02d}{birth:%m%y}{serial:04d}",
                "full_name": f"Warga Kelompok {rng.randrange(10**6)}",
                "sex": "Perempuan" if sex == "P" else "Laki-laki",
                "birth_date": dt.datetime(birth.year, birth.month, birth.day),
                "phone": f"0812{rng.randrange(10**7, 10**8)}",
                "address": "Dusun III",
                "rt": "003",
                "rw": "001",
                "occupation": rng.choice(["Petani", "Nelayan", "Pedagang", "buruh_harian"]),
                "monthly_income": rng.choice([1_000_000, 1_500_000, 2_500_000]),
                "jht": rng.choice(["ya", "tidak"]),
                "heir_name": "Ahli Waris",
                "heir_relation": "istri",
                "consent": "ya",
            }
        )
    return rows


def xlsx(rows: list[dict]) -> bytes:
    workbook = load_workbook(io.BytesIO(imports.template_workbook()))
    sheet = workbook.worksheets[0]
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(imports.COLUMNS, start=1):
            sheet.cell(row=number, column=index, value=row.get(column.field))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(send) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = send()
    return time.perf_counter() - start, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default="", help="a PostgreSQL server to create the database on")
    parser.add_argument("--repeats", type=int, default=3, help="files uploaded per case")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()

    url, name = fresh_database("imports", args.postgres_url or None)
    try:
        prepare(url)
        info = machine(url)
        rng = random.Random(22)
        files = iter(range(10, 100))
        results: dict[str, list[float]] = {}
        sizes = []
        with Server(url) as server, httpx.Client(base_url=server.base, timeout=120) as client:
            token = client.post("/api/v1/auth/token", data={"username": "duta.senembah", "password": DEMO_PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Accept-Language": "id"}

            def api(content: bytes, dry_run: bool):
                return client.post(
                    "/api/v1/imports/members",
                    files={"file": ("kelompok.xlsx", content)},
                    data={"village_code": DEMO_VILLAGE, "dry_run": "true" if dry_run else "false"},
                    headers=headers,
                )

            for _ in range(args.repeats):
                content = xlsx(workers(rng, files))
                sizes.append(len(content))
                for case, dry_run in (("API check (dry run)", True), ("API registration", False)):
                    seconds, response = timed(lambda content=content, dry_run=dry_run: api(content, dry_run))
                    body = response.json()
                    statuses = {status: sum(r["status"] == status for r in body["rows"]) for status in ("ok", "error")}
                    assert response.status_code == 200 and statuses["ok"] == ROWS, (response.status_code, statuses)
                    assert body["created"] == (0 if dry_run else ROWS)
                    results.setdefault(case, []).append(seconds)
                seconds, response = timed(lambda content=content: api(content, False))
                assert response.json()["created"] == 0  # the same file again: every row "exists"
                results.setdefault("API same file again", []).append(seconds)

            page = httpx.Client(base_url=server.base, timeout=120)
            csrf = _login(page)
            for _ in range(args.repeats):
                content = xlsx(workers(rng, files))
                seconds, response = timed(
                    lambda content=content: page.post(
                        "/members/import",
                        files={"file": ("kelompok.xlsx", content)},
                        data={"csrf_token": csrf, "village_code": DEMO_VILLAGE, "action": "check"},
                    )
                )
                assert response.status_code == 200 and "Daftarkan 2000 baris" in response.text, response.status_code
                results.setdefault("page check (dry run, 2.000 rows listed)", []).append(seconds)
                checked = response.text.split('name="checked" value="')[1].split('"')[0]
                seconds, response = timed(
                    lambda content=content, checked=checked: page.post(
                        "/members/import",
                        files={"file": ("kelompok.xlsx", content)},
                        data={
                            "csrf_token": csrf,
                            "village_code": DEMO_VILLAGE,
                            "action": "register",
                            "checked": checked,
                        },
                    )
                )
                assert response.status_code == 200 and "2000 peserta didaftarkan" in response.text, response.status_code
                results.setdefault("page registration", []).append(seconds)
            page.close()
        rows = [
            [
                case,
                len(times),
                f"{min(times):.2f}",
                f"{statistics.median(times):.2f}",
                f"{max(times):.2f}",
                "met" if max(times) <= BUDGET_SECONDS else "NOT MET",
            ]
            for case, times in results.items()
        ]
        body = table(
            ["case (2.000 rows, XLSX)", "files", "min s", "median s", "max s", f"≤ {BUDGET_SECONDS:.0f} s"], rows
        )
        notes = [
            f"database: {redacted(url)} (fresh, demo accounts, members only those the benchmark registers)",
            f"file size: {statistics.mean(sizes) / 1000:.0f} KB (the template with {ROWS} rows)",
            "seconds: wall time of one request from the client (upload, check, write, answer)",
        ]
        path = write_result("imports", "Group registration from a file, 2.000 rows", info, body, notes, args.tag)
        print(body)
        print(f"written: {path}")
    finally:
        discard_database(url, name, args.postgres_url)


def _login(client: httpx.Client) -> str:
    """The demo duta signed in on the page; answers the session's CSRF token."""
    token = CSRF.search(client.get("/login").text)
    assert token
    client.post("/login", data={"username": "duta.senembah", "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    again = CSRF.search(client.get("/members/import").text)
    assert again
    return again.group(1)


if __name__ == "__main__":
    main()
