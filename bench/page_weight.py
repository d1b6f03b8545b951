"""Page weight over the wire (gzip): every page's first load with the CSS and JS it references (each
counted once), per role, and the HTMX partials (the same pages asked with `HX-Request: true`).
Budget: 60 KB first load, 8 KB partial.

    .venv/bin/python bench/page_weight.py --database-url sqlite:///var/bench.sqlite3
"""

from __future__ import annotations

import argparse
import os
import re

import httpx2 as httpx
from _common import DEFAULT_URL, Server, busiest_area, machine, make_engine, redacted, table, web_login, write_result
from sqlalchemy import text

FIRST_LOAD_BUDGET = 60 * 1024
PARTIAL_BUDGET = 8 * 1024
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"]+)"')


def wire_bytes(response: httpx.Response) -> int:
    """Compressed body plus the header block, as they crossed the wire."""
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + len("HTTP/1.1 200 OK\r\n\r\n")
    return response.num_bytes_downloaded + headers


def pages(area: dict[str, str], member_id: int | None) -> dict[str, list[str]]:
    member = [f"/members/{member_id}", f"/members/{member_id}/pay", f"/members/{member_id}/card"] if member_id else []
    return {
        "anonymous": ["/login"],
        "duta": ["/", "/members", "/members/new", "/deposits", *member],
        "cabang": [
            "/",
            "/approvals",
            "/members",
            "/deposits",
            "/villages",
            f"/villages/{area['village']}",
            "/events",
            "/dashboard",
            "/users",
        ],
        "wilayah": ["/", "/dashboard", "/villages", "/events", "/targets", "/audit"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    area = busiest_area(args.database_url)
    engine = make_engine(args.database_url)
    with engine.connect() as connection:
        member_id = connection.execute(
            text("SELECT id FROM member WHERE village_code = :v AND status = 'approved' ORDER BY id LIMIT 1"),
            {"v": area["village"]},
        ).scalar()
    engine.dispose()
    info = machine(args.database_url)
    rows, failed = [], False
    with Server(args.database_url) as server:
        for role, paths in pages(area, member_id).items():
            client = httpx.Client(base_url=server.base, timeout=60, headers={"Accept-Encoding": "gzip"})
            if role != "anonymous":
                web_login(client, area[role])
            for path in paths:
                response = client.get(path)
                if response.status_code == 404:
                    rows.append([role, path, "missing", "", "", "", ""])
                    continue
                if response.status_code != 200:
                    rows.append([role, path, f"error {response.status_code}", "", "", "", ""])
                    failed = True
                    continue
                html = wire_bytes(response)
                assets = 0
                for asset in dict.fromkeys(ASSET.findall(response.text)):
                    assets += wire_bytes(client.get(asset))
                total = html + assets
                partial = client.get(path, headers={"HX-Request": "true"})
                partial_bytes = wire_bytes(partial) if partial.status_code == 200 else None
                verdict = "pass" if total <= FIRST_LOAD_BUDGET else "FAIL"
                partial_note = ""
                if partial_bytes is not None and partial.text != response.text:
                    partial_note = f"{partial_bytes / 1024:.1f} KB " + (
                        "pass" if partial_bytes <= PARTIAL_BUDGET else "FAIL"
                    )
                    failed |= partial_bytes > PARTIAL_BUDGET
                failed |= verdict == "FAIL"
                rows.append(
                    [
                        role,
                        path,
                        verdict,
                        f"{html / 1024:.1f}",
                        f"{assets / 1024:.1f}",
                        f"{total / 1024:.1f}",
                        partial_note or "(same page)",
                    ]
                )
            client.close()
    body = table(["role", "page", "vs 60 KB", "html KB", "css+js KB", "first load KB", "HTMX partial (8 KB)"], rows)
    print(body)
    path = write_result(
        "page_weight",
        "Page weight over the wire (gzip)",
        {**info, "database url": redacted(args.database_url)},
        body,
        ["Sizes include response headers; each referenced /static asset counted once per page."],
    )
    print(f"\nwritten to {path.relative_to(path.parents[2])}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
