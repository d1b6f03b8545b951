"""What every benchmark shares: the machine, a uvicorn server in a subprocess, logins, the results file."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from app.core.clock import today  # noqa: E402
from app.core.db import make_engine  # noqa: E402
from app.generator import GENERATED_PASSWORD, WILAYAH_USERNAME  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'duta.sqlite3'}"


def machine(database_url: str) -> dict[str, str]:
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    engine = make_engine(database_url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            db = "SQLite " + connection.execute(text("SELECT sqlite_version()")).scalar()
        else:
            db = connection.execute(text("SELECT version()")).scalar().split(" on ")[0]
        members = connection.execute(text("SELECT count(*) FROM member")).scalar()
        payments = connection.execute(text("SELECT count(*) FROM payment")).scalar()
    engine.dispose()
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "code": _commit(),
        "cpus (nproc)": str(os.cpu_count()),
        "memory": memory,
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "database": db,
        "members": f"{members:,}".replace(",", "."),
        "payments": f"{payments:,}".replace(",", "."),
    }


def _commit() -> str:
    """The commit of the code measured, `+changes` when the work tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return commit + (" +changes" if changed.strip() else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def scale(database_url: str) -> tuple[int, int]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        members = connection.execute(text("SELECT count(*) FROM member")).scalar()
        payments = connection.execute(text("SELECT count(*) FROM payment")).scalar()
    engine.dispose()
    return members, payments


def busiest_area(database_url: str) -> dict[str, str]:
    """The village with most members, its branch and province, and the generator's accounts there."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT m.village_code, v.province_code, r.branch_code FROM member m "
                "JOIN village v ON v.code = m.village_code JOIN regency r ON r.code = v.regency_code "
                "GROUP BY m.village_code, v.province_code, r.branch_code ORDER BY count(*) DESC LIMIT 1"
            )
        ).first()
        if row is None:
            raise SystemExit("no members: run `duta generate --members N` first")
        duta = connection.execute(
            text(
                'SELECT u.username FROM "user" u JOIN user_village uv ON uv.user_id = u.id '
                "WHERE uv.village_code = :code AND u.username LIKE 'gen.%' ORDER BY u.id LIMIT 1"
            ),
            {"code": row[0]},
        ).scalar()
    engine.dispose()
    return {
        "village": row[0],
        "province": row[1],
        "branch": row[2],
        "wilayah": WILAYAH_USERNAME,
        "cabang": f"gen.cabang.{row[2].lower()}",
        "duta": duta,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """uvicorn on loopback in a subprocess, against the given database."""

    def __init__(self, database_url: str, app: str = "app.main:app", workers: int = 1):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
        # Many logins from one address in a short time are the benchmark, not an attack.
        env.setdefault("LOGIN_MAX_FAILURES_IP", "100000")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the server did not start")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.process.terminate()
        raise SystemExit("the server did not answer /healthz within 60 s")

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def api_login(base: str, username: str, password: str = GENERATED_PASSWORD) -> dict[str, str]:
    response = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": password}, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"login as {username} failed: {response.status_code} {response.text[:200]}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_login(client: httpx.Client, username: str, password: str = GENERATED_PASSWORD) -> bool:
    page = client.get("/login")
    match = CSRF.search(page.text)
    if not match:
        return False
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    return response.status_code == 303


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def table(headers: list[str], rows: list[list]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=False)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def write_result(name: str, title: str, info: dict[str, str], body: str, notes: list[str] = (), tag: str = "") -> Path:
    """Writes `bench/results/<name>-<backend>-<date>[-<tag>].md`."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    backend = "postgresql" if info.get("database", "").startswith("PostgreSQL") else "sqlite"
    path = RESULTS / f"{name}-{backend}-{today().isoformat()}{f'-{tag}' if tag else ''}.md"
    machine_lines = "\n".join(f"- {key}: {value}" for key, value in info.items())
    extra = "\n".join(f"- {note}" for note in notes)
    path.write_text(f"# {title}\n\n{machine_lines}\n\n{body}\n" + (f"\n{extra}\n" if extra else ""))
    return path


def redacted(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def fresh_database(prefix: str, postgres_url: str | None) -> tuple[str, str | None]:
    """A new database's URL (a SQLite file in var/, or a database made on that PostgreSQL server), and
    its name on PostgreSQL (to drop)."""
    if not postgres_url:
        path = ROOT / "var" / f"bench-{prefix}-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}", None
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False), name


def discard_database(url: str, name: str | None, postgres_url: str | None) -> None:
    """Drop what `fresh_database` made: the PostgreSQL database `name`, or the SQLite file and its WAL."""
    if name and postgres_url:
        admin = make_engine(postgres_url)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    elif url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            (ROOT / "var" / (url.rsplit("/", 1)[1] + suffix)).unlink(missing_ok=True)
