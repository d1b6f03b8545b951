"""The roster in the pocket: bytes over the wire of a village's first sync and of a day's changes, and the
time to send 100 payments queued on the phone over a slow 3G link.

    .venv/bin/python bench/roster.py [--members 2000] [--queued 100]

Builds its own SQLite database (migrated, the region's geography, one branch, one duta) with a village
of N members as the generator would make them: names, mobile numbers, statuses and cover spread the way
cash dues lapse and restart. Rows are aged to yesterday, then, against a uvicorn server:

1. the duta's first sync (`GET /roster/sync`, gzip as a browser asks for it);
2. a day's changes through the API, at the region's rate (5.000 payments a day for 150.000 members,
   so 1 in 30 of the village pays), with contacts, registrations and a phone number changed; then the
   next sync with the cursor of the first;
3. with Playwright and Chromium (Network.emulateNetworkConditions: 400 ms round trip, 400 kbit/s each
   way): the duta logs in, `--queued` payments are put in the outbox as the pay form would, and the
   time from the connection's return to the last one sent is measured (each is a POST answered with a
   redirect to its receipt page, as the outbox sends them).

Budgets (docs/budgets.md): first sync at most 150 KB, a day's changes at most 5 KB; the 3G time recorded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import random
import tempfile
import time
import uuid
from pathlib import Path

import httpx2 as httpx
from _common import Server, machine, table, web_login, write_result
from sqlalchemy import update
from sqlmodel import Session

from app.auth.models import User, UserVillage
from app.core import migrate
from app.core.clock import add_months, month_start, today, utcnow
from app.core.db import make_engine
from app.core.security import hash_password
from app.generator.data import FEMALE_NAMES, MALE_NAMES, MOBILE_PREFIXES, SURNAMES_SUMUT
from app.members.models import Member
from app.regions.models import Branch, Regency
from app.regions.service import load_regions
from app.workflows.approvals import format_member_number

VILLAGE = "12.07.02.2001"  # Medan Senembah, Deli Serdang
DUTA = "bench.duta"
PASSWORD = "bench-password-42"
CHROMIUM = "/usr/bin/chromium"
# Slow 3G as the budgets state it: CDP's latency is the round trip; throughput in bytes per second.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
FIRST_BUDGET, DAY_BUDGET = 150_000, 5_000


def build(url: str, count: int, rng: random.Random) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    this_month = month_start(today())
    with Session(engine) as session:
        load_regions(session)
        session.add(Branch(code="BENCH", name="Kantor Cabang Bench"))
        session.flush()
        regency = session.get(Regency, "12.07")
        assert regency is not None
        regency.branch_code = "BENCH"
        duta = User(
            username=DUTA,
            full_name="Duta Bench",
            role="duta",
            password_hash=hash_password(PASSWORD),
            branch_code="BENCH",
        )
        session.add(duta)
        session.flush()
        assert duta.id is not None
        session.add(UserVillage(user_id=duta.id, village_code=VILLAGE))
        for n in range(count):
            sex = rng.choice("LP")
            first = rng.choice(MALE_NAMES if sex == "L" else FEMALE_NAMES)
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
            day = birth.day + (40 if sex == "P" else 0)
            status = rng.choices(["approved", "submitted", "draft", "rejected"], [92, 4, 2, 2])[0]
            covered = None
            if status == "approved":
                # Most pay month by month; some lapsed lately or long ago; a few never paid.
                covered = rng.choices(
                    [
                        add_months(this_month, rng.randrange(0, 3)),
                        add_months(this_month, -rng.randrange(1, 4)),
                        add_months(this_month, -rng.randrange(4, 24)),
                        None,
                    ],
                    [70, 12, 14, 4],
                )[0]
            session.add(
                Member(
                    nik=f"120702{day:02d}{birth.month:02d}{birth.year % 100:02d}{n + 1:04d}",
                    full_name=f"{first} {rng.choice(SURNAMES_SUMUT)}".strip(),
                    sex=sex,
                    birth_date=birth,
                    phone=f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7, 10**8)}",
                    address="Jl. Lintas Sumatera",
                    village_code=VILLAGE,
                    occupation="petani",
                    monthly_income=1_000_000,
                    heir_name="Ahli Waris",
                    heir_relation="anak",
                    consent_at=utcnow(),
                    status=status,
                    member_number=format_member_number(2025, n + 1) if status == "approved" else None,
                    registered_by_id=duta.id,
                    created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                    covered_until=covered,
                    first_covered=covered and add_months(covered, -6),
                )
            )
        session.flush()
        # Yesterday's village: nothing changed today yet.
        session.exec(update(Member).values(changed_at=utcnow() - dt.timedelta(days=1)))  # type: ignore[call-overload]
        session.commit()
    engine.dispose()


def wire_bytes(response: httpx.Response) -> tuple[int, int]:
    """(body as sent, headers) of an answer: the compressed length when compressed."""
    body = int(response.headers.get("content-length") or len(response.content))
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.raw) + 17
    return body, headers


def a_day(base: str, rng: random.Random, members: list[list], fields: list[str]) -> dict[str, int]:
    """A day's work of the village's duta through the API: payments, contacts, registrations, a phone."""
    login = httpx.post(base + "/api/v1/auth/token", data={"username": DUTA, "password": PASSWORD}, timeout=30)
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    index = {name: i for i, name in enumerate(fields)}
    approved = [row for row in members if row[index["status"]] == "approved"]
    paying = rng.sample(approved, max(1, len(members) // 30))
    done = {"payments": 0, "contacts": 0, "registrations": 0, "phone changes": 0}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for row in paying:
            answer = client.post(
                f"/api/v1/members/{row[0]}/payments",
                json={"months": 1, "channel": "tunai"},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            done["payments"] += answer.status_code == 201
        lapsed = [row for row in approved if row[index["followup_list"]] in ("lapsed_recent", "due_this_month")]
        for row in rng.sample(lapsed, min(len(lapsed), max(1, len(members) // 100))):
            answer = client.post(
                f"/api/v1/members/{row[0]}/contacts",
                json={"outcome": "janji_bayar", "promised_on": (today() + dt.timedelta(days=3)).isoformat()},
            )
            done["contacts"] += answer.status_code == 201
        for n in range(3):
            birth = dt.date(1985, 3, 10 + n)
            answer = client.post(
                "/api/v1/members",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json={
                    "nik": f"120702{birth.day:02d}0385{9000 + n:04d}",
                    "full_name": f"Warga Baru {n + 1}",
                    "sex": "L",
                    "birth_date": birth.isoformat(),
                    "phone": f"0812{rng.randrange(10**7, 10**8)}",
                    "address": "Jl. Lintas Sumatera",
                    "village_code": VILLAGE,
                    "occupation": "pedagang",
                    "monthly_income": 1_000_000,
                    "jht": False,
                    "heir_name": "Ahli Waris",
                    "heir_relation": "anak",
                    "consent": True,
                },
            )
            done["registrations"] += answer.status_code == 201
        answer = client.patch(f"/api/v1/members/{approved[0][0]}", json={"phone": "081377776666"})
        done["phone changes"] += answer.status_code == 200
    return done


QUEUE_PAYMENTS = """async ([members, user, day]) => {
  const bar = document.getElementById("outbox");
  const [queueModule, idbModule] = await Promise.all([import(bar.dataset.queueModule), import(bar.dataset.idbModule)]);
  const queue = queueModule.createQueue({ store: await idbModule.openStore(indexedDB) });
  for (const [id, name, amount] of members) {
    await queue.add({
      kind: "payment",
      action: `/members/${id}/pay`,
      formUrl: `/members/${id}/pay`,
      fields: [["channel", "tunai"], ["reference", ""], ["paid_on", day], ["months", "1"], ["amount", String(amount)],
               ["idempotency_key", queueModule.randomKey()]],
      label: name,
      user,
    });
  }
  return (await queue.counts({ user })).waiting;
}"""


def slow_3g(base: str, members: list[list], fields: list[str], count: int) -> dict[str, str]:
    from playwright.sync_api import sync_playwright

    index = {name: i for i, name in enumerate(fields)}
    payable = [
        (row[0], row[index["full_name"]], row[index["monthly_contribution"]])
        for row in members
        if row[index["status"]] == "approved" and row[index["cover_status"]] == "nonaktif"
    ][:count]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=base, viewport={"width": 360, "height": 740}, is_mobile=True)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", DUTA)
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(base + "/")
        page.goto("/outbox")
        page.wait_for_load_state("networkidle")
        # Kept as the pay form keeps them offline (only the page's own `online` handler sends them).
        waiting = page.evaluate(QUEUE_PAYMENTS, [payable, DUTA, today().isoformat()])
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received = {"bytes": 0, "requests": 0}

        def finished(event: dict) -> None:
            received["bytes"] += int(event["encodedDataLength"])
            received["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        started = time.perf_counter()
        page.evaluate("window.dispatchEvent(new Event('online'))")  # the connection is back
        page.wait_for_function(
            f"() => document.querySelectorAll('#outbox-list li.sent').length === {waiting}",
            timeout=max(600_000, waiting * 10_000),
            polling=1000,
        )
        seconds = time.perf_counter() - started
        refused = page.evaluate("document.querySelectorAll('#outbox-list li.refused').length")
        browser.close()
    return {
        "queued payments": str(waiting),
        "sent": str(waiting - refused),
        "refused": str(refused),
        "time to send all": f"{seconds:.1f} s",
        "per payment": f"{seconds / max(1, waiting):.2f} s",
        "requests finished (a POST and the receipt it redirects to count as one)": str(received["requests"]),
        "bytes received": f"{received['bytes'] / 1000:.1f} KB",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--queued", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="duta-roster-bench-"))
    url = f"sqlite:///{folder / 'roster.sqlite3'}"
    build(url, args.members, rng)
    info = machine(url)
    with Server(url) as server, httpx.Client(base_url=server.base, timeout=60) as client:
        if not web_login(client, DUTA, PASSWORD):
            raise SystemExit("the duta could not log in")
        started = time.perf_counter()
        first = client.get("/roster/sync", headers={"Accept-Encoding": "gzip"})
        first_ms = (time.perf_counter() - started) * 1000
        body = first.json()
        first_body, first_headers = wire_bytes(first)
        done = a_day(server.base, rng, body["members"], body["fields"])
        day = client.get("/roster/sync", params={"since": body["cursor"]}, headers={"Accept-Encoding": "gzip"})
        day_body, day_headers = wire_bytes(day)
        changes = day.json()
        rows = [
            [
                f"first sync, {len(body['members'])} members",
                f"{len(first.content) / 1000:.1f} KB",
                f"{len(gzip.compress(first.content)) / 1000:.1f} KB",
                f"{first_body / 1000:.1f} KB + {first_headers} B headers",
                f"{FIRST_BUDGET // 1000} KB",
                "met" if first_body + first_headers <= FIRST_BUDGET else "NOT MET",
            ],
            [
                f"a day's changes, {len(changes['members'])} members, {len(changes['removed'])} removed",
                f"{len(day.content) / 1000:.1f} KB",
                f"{len(gzip.compress(day.content)) / 1000:.1f} KB",
                f"{day_body / 1000:.1f} KB + {day_headers} B headers"
                + ("" if day.headers.get("content-encoding") else " (not compressed: under 1.400 B)"),
                f"{DAY_BUDGET // 1000} KB",
                "met" if day_body + day_headers <= DAY_BUDGET else "NOT MET",
            ],
        ]
        sizes = table(["sync", "JSON", "gzip of it", "over the wire", "budget", "state"], rows)
        three_g = slow_3g(server.base, body["members"], body["fields"], args.queued)
    notes = [
        f"first sync answered in {first_ms:.0f} ms on loopback (one request, {args.members} members)",
        "the day: " + ", ".join(f"{value} {name}" for name, value in done.items()),
        "the phone keeps each member's name, masked NIK, member number, status, cover, covered until, "
        "contribution, phone and follow-up list (app/offline/roster.py FIELDS)",
    ]
    body_text = (
        "## Bytes\n\n"
        + sizes
        + "\n\n## 100 queued payments over slow 3G (400 ms round trip, 400 kbit/s up and down)\n\n"
        + table(["measure", "value"], [[name, value] for name, value in three_g.items()])
    )
    title = "Roster in the pocket: sync bytes and the outbox over slow 3G"
    path = write_result("roster", title, info, body_text, notes, args.tag)
    print(path.read_text())


if __name__ == "__main__":
    main()
