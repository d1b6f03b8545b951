"""All benchmarks at a modest size: a fresh SQLite database (or --database-url) with N generated members,
then dashboards, throughput and page weight; and those with a fresh database of their own: the roster
(a village of 2.000 members), the member import and a partner's settlement file (2.000 rows each).
Results land in bench/results/.

    .venv/bin/python bench/run_all.py                 # 20.000 members on SQLite
    .venv/bin/python bench/run_all.py --members 200000 --database-url postgresql+psycopg://postgres@127.0.0.1/duta_bench
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from _common import ROOT, scale

from app.core import migrate
from app.core.db import make_engine
from app.generator import generate

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a migrated database; generated into when it has no members (default: var/bench/*.sqlite3)",
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{ROOT / 'var' / 'bench' / f'bench-{args.members}.sqlite3'}"
    migrate.upgrade(url)
    if scale(url)[0] == 0:
        engine = make_engine(url)
        report = generate(engine, args.members, progress=print)
        engine.dispose()
        print("\n".join(report.lines()))
    status = 0
    for script, extra in (
        ("dashboards.py", ["--requests", str(args.requests)]),
        ("page_weight.py", []),
        ("throughput.py", ["--seconds", str(args.seconds), "--open-seconds", str(args.seconds)]),
    ):
        print(f"\n== {script}")
        status |= subprocess.call([sys.executable, str(HERE / script), "--database-url", url, *extra], cwd=ROOT)
    for script in ("roster.py", "imports.py", "settlements.py"):
        print(f"\n== {script}")
        status |= subprocess.call([sys.executable, str(HERE / script)], cwd=ROOT)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
