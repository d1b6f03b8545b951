"""Pages, dashboards and exports answer while payments are being recorded, through a running server
on a SQLite file and on PostgreSQL (a copy of the test database each, committed to for real).

Payments come in at the same time as the reads: for different members, several for one member (each
its own Idempotency-Key), and replays of one key sent together. Every answer must be a success (no
"database is locked", no 500), and afterwards the payments are exactly those sent: none lost, no
replay recorded twice. Exports write their audit entry at their end, so they write while others do.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
from sqlmodel import Session, col, func, select

from app.core.audit import AuditEntry
from app.core.clock import add_months, month_start, today
from app.core.security import issue_token
from app.dues.models import Payment
from app.members.models import Member
from tests.factories import PASSWORD, VILLAGE_A, csrf_from, make_branch, make_member, make_user

MEMBERS = 6
MORE_FOR_ONE = 3  # members 0 and 1 get this many more payments, sent together
REPLAYED = 4  # the first keys of members 2..5 are each sent twice more, at the same time
PAGES = (
    "/",
    "/dashboard",
    "/reports/members.csv",
    "/reports/members.xlsx",
    "/reports/villages.csv",
    "/reports/villages.xlsx",
)
API_READS = (
    "/api/v1/dashboard",
    "/api/v1/reports/members.csv",
    "/api/v1/reports/villages.xlsx",
    "/api/v1/audit",
)


def _cookies(base: str, username: str) -> httpx.Cookies:
    """A logged-in browser's cookies (the login form, as a person would)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        token = csrf_from(client.get("/login").text)
        answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code in (200, 303), answer.text[:200]
        return client.cookies


def test_reads_answer_while_payments_are_recorded(server):
    base, app_engine = server
    with Session(app_engine, expire_on_commit=False) as session:
        branch = make_branch(session, regencies=("12.07",))
        duta = make_user(session, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
        cabang = make_user(session, "cabang", branch_code=branch.code)
        wilayah = make_user(session, "wilayah")
        members = [make_member(session, duta, status="approved").id for _ in range(MEMBERS)]
    bearer = {"Authorization": f"Bearer {issue_token(duta.id, duta.credentials_version)}"}
    wilayah_bearer = {"Authorization": f"Bearer {issue_token(wilayah.id, wilayah.credentials_version)}"}
    browsers = {name: _cookies(base, user.username) for name, user in (("wilayah", wilayah), ("cabang", cabang))}

    keyed = [(member_id, uuid.uuid4().hex) for member_id in members]
    keyed += [(member_id, uuid.uuid4().hex) for member_id in members[:2] for _ in range(MORE_FOR_ONE)]
    payments = keyed + [pair for pair in keyed[2 : 2 + REPLAYED] for _ in range(2)]
    reads = [("page", who, path) for who in browsers for path in PAGES]
    reads += [("api", "wilayah", path) for path in API_READS]
    jobs = [("pay", pair) for pair in payments] + [("read", read) for read in reads * 2]
    start = threading.Barrier(len(jobs))

    def send(job):
        kind, what = job
        with httpx.Client(base_url=base, timeout=60) as client:
            if kind == "pay":
                member_id, key = what
                start.wait()  # everyone at once
                answer = client.post(
                    f"/api/v1/members/{member_id}/payments",
                    headers={**bearer, "Idempotency-Key": key},
                    json={"months": 1, "channel": "tunai"},
                )
                return job, answer
            how, who, path = what
            headers = wilayah_bearer if how == "api" else {}
            client.cookies = browsers[who] if how == "page" else httpx.Cookies()
            start.wait()
            return job, client.get(path, headers=headers)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(send, jobs))

    wrong = [
        (job, answer.status_code, answer.text[:200])
        for job, answer in answers
        if answer.status_code != (201 if job[0] == "pay" else 200)
    ]
    assert wrong == []
    receipts: dict[str, tuple[str, int]] = {}  # idempotency key: (receipt, amount)
    for (kind, what), answer in answers:
        if kind == "pay":
            first = receipts.setdefault(what[1], (answer.json()["receipt_number"], answer.json()["amount"]))
            assert first == (answer.json()["receipt_number"], answer.json()["amount"])  # a replay: the same payment

    this_month = month_start(today())
    with Session(app_engine) as session:
        stored = session.exec(select(Payment).where(col(Payment.member_id).in_(members))).all()
        assert sorted(p.receipt_number for p in stored) == sorted(receipt for receipt, _ in receipts.values())
        assert sum(p.amount for p in stored) == sum(amount for _, amount in receipts.values())
        for member_id in members:
            paid = sum(1 for m, _ in keyed if m == member_id)
            assert session.get(Member, member_id).covered_until == add_months(this_month, paid - 1)
        logged = session.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "payment_recorded")
        ).one()
        assert logged == len(keyed)
        exports = session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")).one()
        assert exports == 2 * sum(1 for _, _, path in reads if "/reports/" in path)
