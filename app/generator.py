"""A realistic region in a database, fast: `duta demo --members N` (or `duta generate`).

Fills a migrated database with N members spread over every village of Aceh and Sumatera Utara
with a Zipf-like skew (some villages far ahead), registered by a `duta` account of their village,
with payments over the last 24 months that lapse and restart the way cash dues do (cover computed
without arrears, exactly as the dues rule says), deposits for the cash, outreach events, Desa Sadar
stages with their history, and targets. Deterministic for a given seed and day.

Speed: rows are plain tuples made with `random`, generated village by village (villages in code
order, so a district's NIK serials can be counted in a small dict) and written in large batches:
COPY on PostgreSQL, `executemany` inside one transaction on SQLite. Secondary indexes of the big
tables are dropped during the load and rebuilt after it. Nothing holds more than one batch of rows.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import json
import math
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.clock import today as wib_today
from app.core.money import percent_of
from app.core.security import hash_password
from app.dues.custody import rebuild as rebuild_cash_held
from app.dues.rollup import rebuild
from app.regions.service import load_regions, regions_loaded

GENERATED_PASSWORD = "duta-bench-2026"
WILAYAH_USERNAME = "gen.wilayah"
MONTHS = 24
# Counters of app/core/sequences.py advanced past the generated numbers (names and formats as
# app/workflows/approvals.py and app/dues/service.py use them).
MEMBER_COUNTER = "member_number"


def receipt_counter(year: int) -> str:
    return f"receipt-{year}"


# Tables whose secondary (non-constraint) indexes are rebuilt after the load.
BULK_TABLES = ("member", "payment", "deposit", "event", "stage_change", "user", "user_village")

OCCUPATIONS = (
    ("petani", 30),
    ("pedagang", 18),
    ("buruh_harian", 15),
    ("ojek", 9),
    ("usaha_mikro", 10),
    ("nelayan", 8),
    ("pengrajin", 4),
    ("lainnya", 6),
)
MALE_NAMES = (
    "Ahmad",
    "Muhammad",
    "Rizki",
    "Budi",
    "Hendra",
    "Syahrul",
    "Fauzi",
    "Iskandar",
    "Teuku",
    "Zulkifli",
    "Andi",
    "Bambang",
    "Darwin",
    "Edi",
    "Fadli",
    "Gunawan",
    "Hasan",
    "Irwan",
    "Joko",
    "Khairul",
    "Lukman",
    "Mahmud",
    "Nasrul",
    "Rahmat",
    "Saiful",
    "Taufik",
    "Usman",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Agus",
    "Roni",
    "Sahat",
    "Parlindungan",
    "Togar",
    "Horas",
    "Benny",
    "Martin",
    "Ridwan",
    "Sulaiman",
)
FEMALE_NAMES = (
    "Siti",
    "Nur",
    "Aisyah",
    "Fatimah",
    "Cut",
    "Rahmah",
    "Dewi",
    "Sri",
    "Yanti",
    "Maya",
    "Rina",
    "Lestari",
    "Mariani",
    "Nurhayati",
    "Putri",
    "Ratna",
    "Safitri",
    "Wati",
    "Zahara",
    "Intan",
    "Rosmawati",
    "Herlina",
    "Tiurma",
    "Romauli",
    "Debora",
    "Evi",
    "Fitri",
    "Halimah",
    "Juliana",
    "Kartini",
    "Lina",
    "Mawar",
)
MIDDLE_NAMES = ("", "", "", "Nur", "Abdul", "Dwi", "Eka", "Putra", "Wati", "Sari", "Hidayat", "Rahman")
SURNAMES_ACEH = ("", "", "Ibrahim", "Yusuf", "Abdullah", "Hasballah", "Daud", "Ismail", "Harun", "Basyah")
SURNAMES_SUMUT = (
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Sitompul",
    "Ginting",
    "Tarigan",
    "Sembiring",
    "Hutagalung",
    "Pardede",
    "Sinaga",
    "Damanik",
    "Purba",
    "Manurung",
    "Panjaitan",
    "Situmorang",
    "Saragih",
    "Batubara",
    "Daulay",
    "",
    "",
    "",
    "",
)
HEIR_RELATIONS = (("istri", 30), ("suami", 20), ("anak", 30), ("orang_tua", 12), ("saudara", 8))
MOBILE_PREFIXES = (
    "811",
    "812",
    "813",
    "821",
    "822",
    "823",
    "852",
    "853",
    "851",
    "814",
    "815",
    "816",
    "855",
    "856",
    "857",
    "858",
    "817",
    "818",
    "819",
    "859",
    "877",
    "878",
    "831",
    "832",
    "838",
    "881",
    "882",
    "895",
    "896",
    "897",
    "898",
    "899",
)
STREETS = (
    "Jl. Kebun",
    "Jl. Pasar",
    "Jl. Masjid",
    "Dusun I",
    "Dusun II",
    "Dusun III",
    "Lorong Damai",
    "Jl. Sawah",
    "Jl. Pantai",
    "Jl. Lintas",
    "Jl. Sekolah",
    "Gang Mawar",
)
REJECTION_REASONS = (
    "Foto KTP tidak terbaca",
    "NIK tidak sesuai KTP",
    "Data ahli waris belum lengkap",
    "Sudah terdaftar sebagai peserta PU",
)
EVENT_KINDS = (("jemput_bola", 40), ("sosialisasi", 30), ("senam_bersama", 15), ("kemitraan", 15))
PARTNERS = (
    "Bank Sumut",
    "BRI Unit",
    "Bank Aceh Syariah",
    "Dinas Koperasi",
    "UMKM binaan Bank Indonesia",
    "Serikat Nelayan",
    "PTPN",
    "Koperasi Tani",
)
CHANNELS = (("tunai", 76), ("bank", 20), ("lainnya", 4))
# Months paid at once (mostly one: Rp16.800 in cash), and the chance a paying member lapses after a
# payment, comes back after a gap, or stops for good.
MONTHS_PAID = ((1, 930), (2, 30), (3, 25), (6, 10), (12, 5))
LAPSE_CHANCE = 0.025
QUIT_CHANCE_AT_LAPSE = 0.2
NEVER_PAYS = 0.03
VOID_CHANCE = 0.002
STATUS_MIX = (("approved", 96), ("rejected", 4))
RECENT_STATUS_MIX = (("approved", 45), ("submitted", 35), ("draft", 12), ("rejected", 8))
STAGES = ("calon", "sosialisasi", "duta", "perangkat_terlindungi", "diresmikan")


def _cum(weights: Iterable[tuple[object, int]]) -> tuple[list, list[int]]:
    values, cum, total = [], [], 0
    for value, weight in weights:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def _pick(rng: random.Random, table: tuple[list, list[int]]):
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


def receipt_number(year: int, sequence: int) -> str:
    """As app.dues writes them: a counter per year of recording."""
    return f"KW-{year}-{sequence:06d}"


def member_number(year: int, sequence: int) -> str:
    """As the approval service writes them: 2-digit year of approval, 9-digit region-wide serial."""
    return f"{year % 100:02d}{sequence:09d}"


def monthly_contribution(income: int, jht: bool, rate: dict) -> int:
    amount = percent_of(income, rate["jkk"]) + rate["jkm"]
    if jht:
        amount += percent_of(income, rate["jht"])
    return amount


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def index_month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def replay_cover(payments: Iterable[tuple[dt.date, int]]) -> tuple[dt.date | None, dt.date | None, list]:
    """The dues rule: payments (paid_on, months) in order of payment date; cover runs on from the last
    covered month if that is the payment's month or later, else it starts in the payment's month.
    Returns (first_covered, covered_until, [(cover_from, cover_to), ...])."""
    covered_until: int | None = None
    first: int | None = None
    spans = []
    for paid_on, months in payments:
        paid_month = month_index(paid_on)
        start = covered_until + 1 if covered_until is not None and covered_until >= paid_month else paid_month
        covered_until = start + months - 1
        first = start if first is None else first
        spans.append((index_month(start), index_month(covered_until)))
    return (
        index_month(first) if first is not None else None,
        index_month(covered_until) if covered_until is not None else None,
        spans,
    )


# ---------------------------------------------------------------------------------------------
# Writers: one per backend, same interface.


class _Writer(ABC):
    true: object = True
    false: object = False

    def __init__(self, connection):
        self.connection = connection  # a DBAPI connection

    @abstractmethod
    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Write rows fast: COPY on PostgreSQL, executemany on SQLite."""

    def execute(self, sql: str, params: tuple = ()) -> list:
        cursor = self.connection.cursor()
        cursor.execute(sql, params)
        try:
            return cursor.fetchall()
        except Exception:  # noqa: BLE001 (statements without rows)
            return []
        finally:
            cursor.close()


class _SQLiteWriter(_Writer):
    true, false = 1, 0
    placeholder = "?"

    def begin_load(self) -> None:
        for pragma in (
            "PRAGMA foreign_keys=OFF",
            "PRAGMA synchronous=OFF",
            "PRAGMA cache_size=-400000",
            "PRAGMA temp_store=MEMORY",
        ):
            self.connection.execute(pragma)
        self.connection.execute("BEGIN")

    def insert(self, table, columns, rows):
        if rows:
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
            self.connection.executemany(sql, rows)

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def end_load(self) -> None:
        self.connection.execute("PRAGMA foreign_keys=ON")
        self.connection.execute("PRAGMA synchronous=NORMAL")

    def secondary_indexes(self, tables) -> list[tuple[str, str]]:
        marks = ", ".join("?" * len(tables))
        return self.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%'",
            tuple(tables),
        )

    def drop_index(self, name: str) -> None:
        self.connection.execute(f'DROP INDEX "{name}"')

    def reset_sequences(self, tables) -> None:
        pass  # INTEGER PRIMARY KEY continues after max(rowid)

    def analyze(self) -> None:
        self.connection.execute("ANALYZE")


class _PostgresWriter(_Writer):
    true, false = "t", "f"
    placeholder = "%s"

    def begin_load(self) -> None:
        cursor = self.connection.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
        try:  # Foreign keys are not checked row by row for the generated (consistent) data.
            cursor.execute("SAVEPOINT replica")
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("RELEASE SAVEPOINT replica")
        except Exception:  # noqa: BLE001 (not a superuser: keep the checks)
            cursor.execute("ROLLBACK TO SAVEPOINT replica")

    def insert(self, table, columns, rows):
        if not rows:
            return
        cursor = self.connection.cursor()
        with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
        cursor.close()

    def commit(self) -> None:
        self.connection.commit()

    def end_load(self) -> None:
        cursor = self.connection.cursor()
        cursor.execute("SET session_replication_role = origin")
        self.connection.commit()
        cursor.close()

    def secondary_indexes(self, tables) -> list[tuple[str, str]]:
        return self.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(tables),),
        )

    def drop_index(self, name: str) -> None:
        self.execute(f'DROP INDEX "{name}"')

    def reset_sequences(self, tables) -> None:
        for table in tables:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            )

    def analyze(self) -> None:
        self.connection.autocommit = True
        self.execute("ANALYZE")
        self.connection.autocommit = False


# ---------------------------------------------------------------------------------------------


@dataclass
class GenerateReport:
    members: int = 0
    payments: int = 0
    users: int = 0
    branches: int = 0
    villages_with_members: int = 0
    events: int = 0
    deposits: int = 0
    stage_changes: int = 0
    status_counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    password: str = GENERATED_PASSWORD
    accounts: dict = field(default_factory=dict)  # role -> a username of that role
    scopes: dict = field(default_factory=dict)  # the busiest village, its branch and province

    def lines(self) -> list[str]:
        return [
            f"{self.members} members ({', '.join(f'{k} {v}' for k, v in sorted(self.status_counts.items()))}), "
            f"{self.payments} payments, {self.deposits} deposits, {self.events} events",
            f"{self.villages_with_members} villages with members, {self.users} accounts, {self.branches} new branches, "
            f"{self.stage_changes} stage changes, in {self.seconds:.1f} s",
            f"Generated accounts (password: {self.password}):",
            *(f"  {username:<28} {role}" for role, username in self.accounts.items()),
        ]


MEMBER_COLUMNS = (
    "id",
    "nik",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "rt",
    "rw",
    "village_code",
    "occupation",
    "monthly_income",
    "jht",
    "heir_name",
    "heir_relation",
    "event_id",
    "consent_at",
    "status",
    "member_number",
    "rejection_reason",
    "registered_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "decided_at",
    "decided_by_id",
    "covered_until",
    "first_covered",
)
PAYMENT_COLUMNS = (
    "id",
    "receipt_number",
    "member_id",
    "months",
    "monthly_amount",
    "amount",
    "channel",
    "reference",
    "paid_on",
    "cover_from",
    "cover_to",
    "status",
    "recorded_by_id",
    "recorded_at",
    "holder_id",
    "deposit_id",
    "void_reason",
    "voided_by_id",
    "voided_at",
)
DEPOSIT_COLUMNS = (
    "id",
    "duta_id",
    "total",
    "status",
    "created_at",
    "bank_reference",
    "confirmed_by_id",
    "confirmed_at",
)
USER_COLUMNS = (
    "id",
    "username",
    "full_name",
    "role",
    "password_hash",
    "branch_code",
    "is_active",
    "created_at",
    "credentials_version",
)
EVENT_COLUMNS = (
    "id",
    "kind",
    "title",
    "date",
    "place",
    "village_code",
    "branch_code",
    "attendance",
    "partners",
    "created_by_id",
    "created_at",
)
STAGE_COLUMNS = ("id", "village_code", "stage", "reached_on", "recorded_by_id", "recorded_at", "evidence")


class _Generator:
    def __init__(self, writer: _Writer, members: int, seed: int, day: dt.date, progress: Callable[[str], None]):
        self.w = writer
        self.n = members
        self.rng = random.Random(seed)
        self.today = day
        self.progress = progress
        self.report = GenerateReport()
        self.first_day = index_month(month_index(day) - (MONTHS - 1))
        self.span_days = (day - self.first_day).days
        self._day_str: dict[int, str] = {}
        self.occupations = _cum(OCCUPATIONS)
        self.heirs = _cum(HEIR_RELATIONS)
        self.event_kinds = _cum(EVENT_KINDS)
        self.channels = _cum(CHANNELS)
        self.months_paid = _cum(MONTHS_PAID)
        self.statuses = _cum(STATUS_MIX)
        self.recent_statuses = _cum(RECENT_STATUS_MIX)
        self.buffers: dict[str, list] = {
            t: [] for t in ("user", "user_village", "event", "deposit", "member", "payment", "stage_change")
        }

    # --- small helpers -----------------------------------------------------------------------
    def day(self, ordinal: int) -> str:
        value = self._day_str.get(ordinal)
        if value is None:
            value = self._day_str[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return value

    def moment(self, ordinal: int) -> str:
        """A working-hours moment of that WIB day, as a UTC timestamp string (08:00-17:00 WIB)."""
        seconds = self.rng.randrange(1 * 3600, 10 * 3600)
        return f"{self.day(ordinal)} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000000"

    def next_id(self, table: str) -> int:
        row = self.w.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')
        return row[0][0] + 1

    # --- set-up --------------------------------------------------------------------------------
    def run(self) -> GenerateReport:
        started = time.monotonic()
        w = self.w
        if self.w.execute("SELECT count(*) FROM member")[0][0]:
            raise ValueError("the generator fills a database without members")
        rate = w.execute(
            "SELECT jkk_basis_points, jht_basis_points, jkm_amount FROM rate "
            f"WHERE effective_from <= {w.placeholder} ORDER BY effective_from DESC",
            (self.today.isoformat(),),
        )
        self.rate = (
            {"jkk": rate[0][0], "jht": rate[0][1], "jkm": rate[0][2]} if rate else {"jkk": 100, "jht": 200, "jkm": 6800}
        )
        self.password_hash = hash_password(GENERATED_PASSWORD)
        self.ids = {t: self.next_id(t) for t in ("user", "event", "deposit", "member", "payment", "stage_change")}
        self.receipt_seq = {
            year: self._counter(receipt_counter(year)) for year in range(self.first_day.year, self.today.year + 1)
        }
        self.member_seq = self._counter(MEMBER_COUNTER)

        villages = w.execute(
            "SELECT v.code, v.district_code, v.regency_code, v.province_code, r.branch_code, "
            "v.name FROM village v JOIN regency r ON r.code = v.regency_code ORDER BY v.code"
        )
        if not villages:
            raise ValueError("load the region's geography first (duta regions load)")
        w.begin_load()
        dropped = w.secondary_indexes(BULK_TABLES)
        for name, _sql in dropped:
            w.drop_index(name)
        villages = self._branches(villages)
        self._staff(villages)
        counts = self._allocate(villages)
        biggest = villages[max(range(len(villages)), key=counts.__getitem__)]
        self.report.accounts["cabang"] = f"gen.cabang.{biggest[4].lower()}"
        self.report.accounts["duta"] = f"gen.duta.{biggest[0].replace('.', '')}"
        self.report.scopes = {"province": biggest[3], "branch": biggest[4], "village": biggest[0]}
        self._stage_plan(villages, counts)
        self.progress(f"{len(villages)} villages, {sum(1 for c in counts if c)} with members; generating")
        done_members = 0
        last_note = time.monotonic()
        village_estimates = []
        for village, count in zip(villages, counts, strict=False):
            village_estimates.append(self._village(village, count))
            done_members += count
            if len(self.buffers["payment"]) >= 60_000 or len(self.buffers["member"]) >= 20_000:
                self.flush()
                if time.monotonic() - last_note > 10:
                    last_note = time.monotonic()
                    self.progress(
                        f"  {done_members} members, {self.report.payments} payments "
                        f"({time.monotonic() - started:.0f} s)"
                    )
        self.flush()
        self._finish(villages, village_estimates)
        self.progress(f"rows written in {time.monotonic() - started:.0f} s; rebuilding {len(dropped)} indexes")
        for _name, sql in dropped:
            w.execute(sql)
        w.reset_sequences(("user", "event", "deposit", "member", "payment", "stage_change"))
        w.commit()
        w.end_load()
        w.analyze()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _counter(self, name: str) -> int:
        row = self.w.execute(f"SELECT value FROM counter WHERE name = {self.w.placeholder}", (name,))
        return row[0][0] if row else 0

    def _branches(self, villages: list[tuple]) -> list[tuple]:
        """One branch per group of (up to three) neighbouring regencies not covered yet."""
        ph = self.w.placeholder
        regencies = self.w.execute(
            "SELECT code, name, province_code FROM regency WHERE branch_code IS NULL ORDER BY code"
        )
        groups: list[list[tuple]] = []
        for regency in regencies:
            if groups and len(groups[-1]) < 3 and groups[-1][0][2] == regency[2]:
                groups[-1].append(regency)
            else:
                groups.append([regency])
        existing = {row[0] for row in self.w.execute("SELECT code FROM branch")}
        number = 0
        assignment = {}
        for group in groups:
            number += 1
            code = f"KC-{group[0][2]}-{number:02d}"
            while code in existing:
                number += 1
                code = f"KC-{group[0][2]}-{number:02d}"
            existing.add(code)
            name = "Kantor Cabang " + group[0][1].title().replace("Kabupaten ", "").replace("Kota ", "")
            self.w.execute(f"INSERT INTO branch (code, name) VALUES ({ph}, {ph})", (code, name))
            for regency in group:
                self.w.execute(f"UPDATE regency SET branch_code = {ph} WHERE code = {ph}", (code, regency[0]))
                assignment[regency[0]] = code
            self.report.branches += 1
        return [v if v[4] else (*v[:4], assignment[v[2]], v[5]) for v in villages]

    def _user(self, username: str, full_name: str, role: str, branch: str | None, created: str) -> int:
        user_id = self.ids["user"]
        self.ids["user"] += 1
        self.buffers["user"].append(
            (user_id, username, full_name, role, self.password_hash, branch, self.w.true, created, 1)
        )
        self.report.users += 1
        return user_id

    def _staff(self, villages: list[tuple]) -> None:
        start = self.moment(self.first_day.toordinal() - 30)
        taken = {row[0] for row in self.w.execute('SELECT username FROM "user"')}
        name = WILAYAH_USERNAME
        if name not in taken:
            self._user(name, "Supervisor Kanwil (data uji)", "wilayah", None, start)
        self.report.accounts["wilayah"] = name
        self.cabang: dict[str, int] = {}
        for branch in sorted({v[4] for v in villages}):
            username = f"gen.cabang.{branch.lower()}"
            if username in taken:
                self.cabang[branch] = self.w.execute(
                    f'SELECT id FROM "user" WHERE username = {self.w.placeholder}', (username,)
                )[0][0]
            else:
                self.cabang[branch] = self._user(username, f"Petugas {branch}", "cabang", branch, start)
        self.taken_usernames = taken
        self.flush()

    def _allocate(self, villages: list[tuple]) -> list[int]:
        """Members per village: Zipf-like weights over a seeded shuffle of the villages, shared out by
        largest remainder, so the total is exact."""
        order = list(range(len(villages)))
        self.rng.shuffle(order)
        weights = [0.0] * len(villages)
        for rank, index in enumerate(order):
            weights[index] = 1.0 / (rank + 8) ** 0.75
        total = sum(weights)
        shares = [self.n * wgt / total for wgt in weights]
        counts = [int(s) for s in shares]
        rest = self.n - sum(counts)
        for index in sorted(range(len(villages)), key=lambda i: counts[i] - shares[i])[:rest]:
            counts[index] += 1
        return counts

    def _stage_plan(self, villages: list[tuple], counts: list[int]) -> None:
        """About one village in twenty joins the programme, the bigger ones more often; twelve are
        already diresmikan."""
        candidates = sorted((i for i, c in enumerate(counts) if c), key=lambda i: -counts[i])
        chosen = [i for rank, i in enumerate(candidates) if self.rng.random() < (0.5 if rank < 200 else 0.04)]
        self.stage_of: dict[int, int] = {}
        for position, index in enumerate(chosen):
            if position < 12:
                self.stage_of[index] = 4
            else:
                self.stage_of[index] = _pick(self.rng, ([0, 1, 2, 3], [35, 65, 88, 100]))
        self.village_index = {v[0]: i for i, v in enumerate(villages)}

    # --- one village ---------------------------------------------------------------------------
    def _village(self, village: tuple, count: int) -> int:
        """Generates the village's accounts, events, members, payments, deposits and stage history;
        returns its estimated number of informal workers."""
        rng = self.rng
        code, district, regency, province, branch, village_name = village
        estimate = rng.randrange(250, 2500, 10)
        if count == 0:
            return estimate
        estimate = max(estimate, int(count * rng.uniform(1.6, 4.0)) // 10 * 10)
        self.report.villages_with_members += 1
        if district != getattr(self, "_district", None):
            self._district = district
            self._serials: dict[tuple, int] = {}
        region6 = code.replace(".", "")[:6]
        cabang = self.cabang[branch]
        first_ordinal = self.first_day.toordinal()
        today_ordinal = self.today.toordinal()

        # Registration days: more of them early in the window (the programme's first push), so a
        # member has on average about a year of payments behind it.
        reg_days = sorted(
            today_ordinal - int(self.span_days * (math.sqrt(rng.random()) if rng.random() < 0.85 else rng.random()))
            for _ in range(count)
        )
        # Dutas: one per village, another per 1.500 members.
        dutas = []
        for number in range(1 + count // 1500):
            username = f"gen.duta.{code.replace('.', '')}" + (f".{number + 1}" if number else "")
            created = max(first_ordinal - 20, reg_days[0] - rng.randrange(3, 30))
            duta_id = self._user(
                username, f"Perangkat Desa {village_name.title()}", "duta", branch, self.moment(created)
            )
            self.buffers["user_village"].append((duta_id, code))
            dutas.append(duta_id)

        # Events in the village (about one per 120 members), newest last, for attribution.
        events: list[tuple[int, int]] = []
        for _ in range(min(24, count // 120)):
            on = rng.randrange(first_ordinal, today_ordinal + 1)
            events.append((on, self._event(_pick(rng, self.event_kinds), on, code, None, cabang)))
        stage = self.stage_of.get(self.village_index[code])
        if stage is not None:
            self._stages(code, stage, cabang, dutas, reg_days[0])
        events.sort()
        event_days = [e[0] for e in events]

        surnames = SURNAMES_ACEH if province == "11" else SURNAMES_SUMUT
        held_recent = rng.random() < 0.5  # this village's duta holds recent cash rather than depositing it
        deposits: dict[tuple[int, int], list] = {}
        for reg in reg_days:
            self._member(rng, reg, code, region6, surnames, dutas, cabang, event_days, events, deposits, held_recent)
        for deposit in deposits.values():
            self.buffers["deposit"].append(tuple(deposit))
        return estimate

    def _event(self, kind: str, on: int, village: str | None, branch: str | None, by: int) -> int:
        event_id = self.ids["event"]
        self.ids["event"] += 1
        rng = self.rng
        title = {
            "jemput_bola": "Jemput bola door to door",
            "sosialisasi": "Sosialisasi BPJS Ketenagakerjaan",
            "senam_bersama": "Senam bersama dan pendaftaran",
            "kemitraan": "Kemitraan",
        }[kind]
        partners = ", ".join(rng.sample(PARTNERS, rng.randrange(1, 3))) if kind == "kemitraan" else ""
        self.buffers["event"].append(
            (
                event_id,
                kind,
                title,
                self.day(on),
                "Balai desa" if village else "Kantor cabang",
                village,
                branch,
                rng.randrange(15, 250),
                partners,
                by,
                self.moment(on - rng.randrange(0, 8)),
            )
        )
        self.report.events += 1
        return event_id

    def _stages(self, code: str, stage: int, cabang: int, dutas: list[int], first_reg: int) -> None:
        rng = self.rng
        on = max(self.first_day.toordinal(), first_reg - rng.randrange(10, 60))
        last = self.today.toordinal() - 1
        for level in range(stage + 1):
            evidence: dict = {}
            if level == 1:
                evidence = {"event_id": self._event("sosialisasi", on - 1, code, None, cabang)}
            elif level == 2:
                on = max(on, first_reg)
                evidence = {"duta_id": dutas[0]}
            elif level == 3:
                total = rng.randrange(8, 20)
                evidence = {"enrolled": total, "total": total}
            elif level == 4:
                evidence = {
                    "decree_number": f"141/{rng.randrange(10, 999)}/SK/{dt.date.fromordinal(on).year}",
                    "date": self.day(on),
                }
            on = min(on, last)
            sid = self.ids["stage_change"]
            self.ids["stage_change"] += 1
            self.buffers["stage_change"].append(
                (sid, code, STAGES[level], self.day(on), cabang, self.moment(on), json.dumps(evidence))
            )
            self.report.stage_changes += 1
            self._stage_final = (STAGES[level], self.day(on))
            on = min(last, on + rng.randrange(15, 90))
        self.staged = getattr(self, "staged", [])
        self.staged.append((self._stage_final[0], self._stage_final[1], code))

    def _member(
        self, rng, reg: int, code, region6, surnames, dutas, cabang, event_days, events, deposits, held_recent
    ) -> None:
        today_ordinal = self.today.toordinal()
        member_id = self.ids["member"]
        self.ids["member"] += 1
        sex = "L" if rng.random() < 0.58 else "P"
        birth = dt.date.fromordinal(reg - rng.randrange(17 * 365 + 5, 62 * 365))
        key = (birth, sex)
        serial = self._serials.get(key, 0) + 1
        self._serials[key] = serial
        day = birth.day + (40 if sex == "P" else 0)
        nik = f"{region6}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
        first = rng.choice(MALE_NAMES if sex == "L" else FEMALE_NAMES)
        name = " ".join(part for part in (first, rng.choice(MIDDLE_NAMES), rng.choice(surnames)) if part)
        phone = f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000, 99_999_999)}"
        occupation = _pick(rng, self.occupations)
        income = 1_000_000 if rng.random() < 0.62 else rng.randrange(1_000_000, 4_000_001, 100_000)
        jht = rng.random() < 0.22
        relation = _pick(rng, self.heirs)
        heir = rng.choice(FEMALE_NAMES if relation == "istri" else MALE_NAMES) + " " + (rng.choice(surnames) or "")
        duta = dutas[0] if len(dutas) == 1 else rng.choice(dutas)
        event_id = None
        position = bisect.bisect_right(event_days, reg) - 1
        if position >= 0 and reg - event_days[position] <= 10 and rng.random() < 0.5:
            event_id = events[position][1]
        # Old sign-ups have long been decided; the last three weeks' are partly still waiting.
        age = today_ordinal - reg
        status = _pick(rng, self.recent_statuses if age <= 21 else self.statuses)
        if status == "approved" and age < 2:
            status = "submitted"
        created = self.moment(reg)
        submitted_at = None if status == "draft" else created
        decided_at = decided_by = number = reason = None
        decided_ordinal = reg
        if status in ("approved", "rejected"):
            decided_ordinal = min(today_ordinal, reg + rng.randrange(0, 6))
            decided_at = self.moment(decided_ordinal)
            if decided_at < created:
                decided_at = created
            decided_by = cabang
            if status == "approved":
                self.member_seq += 1
                number = member_number(int(decided_at[:4]), self.member_seq)
            else:
                reason = rng.choice(REJECTION_REASONS)
        monthly = monthly_contribution(income, jht, self.rate)
        covered_until = first_covered = None
        if status == "approved" and rng.random() >= NEVER_PAYS:
            covered_until, first_covered = self._payments(
                rng, member_id, decided_ordinal, monthly, duta, cabang, deposits, held_recent
            )
        self.buffers["member"].append(
            (
                member_id,
                nik,
                name,
                sex,
                birth.isoformat(),
                phone,
                f"{rng.choice(STREETS)} No. {rng.randrange(1, 200)}",
                f"{rng.randrange(1, 20):03d}",
                f"{rng.randrange(1, 12):03d}",
                code,
                occupation,
                income,
                self.w.true if jht else self.w.false,
                heir,
                relation,
                event_id,
                created,
                status,
                number,
                reason,
                duta,
                created,
                decided_at or created,
                submitted_at,
                decided_at,
                decided_by,
                covered_until,
                first_covered,
            )
        )
        self.report.members += 1
        self.report.status_counts[status] = self.report.status_counts.get(status, 0) + 1

    def _payments(self, rng, member_id, start_ordinal, monthly, duta, cabang, deposits, held_recent):
        """Payments from the approval day on: mostly one month at a time, paid in the month cover ends
        or the month after; sometimes a lapse and a restart, sometimes a stop. Returns the member's
        (covered_until, first_covered) as date strings."""
        today_ordinal = self.today.toordinal()
        today_month = month_index(self.today)
        recent_limit = today_ordinal - 14
        covered: int | None = None
        first: int | None = None
        paid_ordinal = start_ordinal
        buffer = self.buffers["payment"]
        while paid_ordinal <= today_ordinal:
            paid = dt.date.fromordinal(paid_ordinal)
            paid_month = paid.year * 12 + paid.month - 1
            months = _pick(rng, self.months_paid)
            start = covered + 1 if covered is not None and covered >= paid_month else paid_month
            cover_to = start + months - 1
            channel = _pick(rng, self.channels)
            reference = f"BRI{rng.randrange(10**9, 10**10)}" if channel == "bank" else None
            void = rng.random() < VOID_CHANCE
            recorded = self.moment(paid_ordinal if channel == "tunai" else min(today_ordinal, paid_ordinal + 2))
            holder = deposit_id = None
            if channel == "tunai":
                holder = duta
                if not void:
                    deposit_id = self._deposit(
                        deposits, duta, cabang, paid, paid_ordinal, recent_limit, held_recent, months * monthly
                    )
            self.receipt_seq[paid.year] += 1
            payment_id = self.ids["payment"]
            self.ids["payment"] += 1
            buffer.append(
                (
                    payment_id,
                    receipt_number(paid.year, self.receipt_seq[paid.year]),
                    member_id,
                    months,
                    monthly,
                    months * monthly,
                    channel,
                    reference,
                    self.day(paid_ordinal),
                    self.day(_month_ordinal(start)),
                    self.day(_month_ordinal(cover_to)),
                    "void" if void else "valid",
                    duta,
                    recorded,
                    holder,
                    deposit_id,
                    "Salah input jumlah bulan" if void else None,
                    cabang if void else None,
                    recorded if void else None,
                )
            )
            self.report.payments += 1
            if void:
                # Recorded again the same day, correctly: the next loop turn pays from the same day.
                paid_ordinal = min(today_ordinal + 1, paid_ordinal + 1)
                continue
            covered = cover_to
            first = start if first is None else first
            # When is the next payment?
            if rng.random() < LAPSE_CHANCE:
                if rng.random() < QUIT_CHANCE_AT_LAPSE:
                    break
                next_month = cover_to + 1 + rng.randrange(1, 9)
            else:
                next_month = cover_to + (0 if rng.random() < 0.55 else 1)
            next_month = max(next_month, paid_month + 1)
            if next_month > today_month:
                break
            next_ordinal = _month_ordinal(next_month) + rng.randrange(0, 27)
            paid_ordinal = max(next_ordinal, paid_ordinal + 1)
        if covered is None:
            return None, None
        return self.day(_month_ordinal(covered)), self.day(_month_ordinal(first))

    def _deposit(self, deposits, duta, cabang, paid, paid_ordinal, recent_limit, held_recent, amount):
        """Cash older than two weeks went to the bank in the month's confirmed deposit; recent cash is
        held, or in a deposit waiting for the branch's confirmation."""
        if paid_ordinal >= recent_limit:
            if held_recent:
                return None
            key = (duta, 0)
        else:
            key = (duta, paid.year * 12 + paid.month)
        deposit = deposits.get(key)
        if deposit is None:
            deposit_id = self.ids["deposit"]
            self.ids["deposit"] += 1
            today_ordinal = self.today.toordinal()
            if key[1] == 0:
                created = today_ordinal - self.rng.randrange(0, 3)
                deposit = [deposit_id, duta, 0, "submitted", self.moment(created), None, None, None]
            else:
                month_end = _month_ordinal(key[1]) - 1 + 0  # first day of the next month, minus one
                created = min(today_ordinal - 1, month_end + self.rng.randrange(1, 6))
                confirmed = min(today_ordinal - 1, created + self.rng.randrange(0, 4))
                deposit = [
                    deposit_id,
                    duta,
                    0,
                    "confirmed",
                    self.moment(created),
                    f"SLIP{self.rng.randrange(10**7, 10**8)}",
                    cabang,
                    self.moment(confirmed),
                ]
            deposits[key] = deposit
            self.report.deposits += 1
        deposit[2] += amount
        return deposit[0]

    # --- writing -------------------------------------------------------------------------------
    def flush(self) -> None:
        order = (
            ("user", USER_COLUMNS),
            ("user_village", ("user_id", "village_code")),
            ("event", EVENT_COLUMNS),
            ("stage_change", STAGE_COLUMNS),
            ("deposit", DEPOSIT_COLUMNS),
            ("member", MEMBER_COLUMNS),
            ("payment", PAYMENT_COLUMNS),
        )
        for table, columns in order:
            rows = self.buffers[table]
            if rows:
                self.w.insert(table, columns, rows)
                self.buffers[table] = []

    def _finish(self, villages: list[tuple], estimates: list[int]) -> None:
        w, ph = self.w, self.w.placeholder
        cursor = w.connection.cursor()
        cursor.executemany(
            f"UPDATE village SET estimated_informal_workers = {ph} WHERE code = {ph}",
            [(e, v[0]) for v, e in zip(villages, estimates, strict=False)],
        )
        cursor.executemany(
            f"UPDATE village SET stage = {ph}, stage_since = {ph} WHERE code = {ph}", getattr(self, "staged", [])
        )
        counters = [(MEMBER_COUNTER, self.member_seq)]
        counters += [(receipt_counter(year), value) for year, value in self.receipt_seq.items()]
        for name, value in counters:
            cursor.execute(f"UPDATE counter SET value = {ph} WHERE name = {ph}", (value, name))
            if cursor.rowcount == 0:
                cursor.execute(f"INSERT INTO counter (name, value) VALUES ({ph}, {ph})", (name, value))
        self._targets(cursor, villages, estimates)
        cursor.close()

    def _targets(self, cursor, villages, estimates) -> None:
        ph = self.w.placeholder
        year = self.today.year
        existing = {
            tuple(r) for r in self.w.execute(f"SELECT level, scope_code, metric FROM target WHERE year = {ph}", (year,))
        }
        rows = [
            ("region", "", "new_members", 150_000),
            ("region", "", "active_members", 300_000),
            ("region", "", "villages_diresmikan", 30),
            ("province", "11", "new_members", 40_700),
            ("province", "12", "new_members", 109_300),
            ("province", "11", "villages_diresmikan", 10),
            ("province", "12", "villages_diresmikan", 20),
        ]
        per_branch: dict[str, int] = {}
        for village, estimate in zip(villages, estimates, strict=False):
            per_branch[village[4]] = per_branch.get(village[4], 0) + estimate
        all_estimates = sum(per_branch.values()) or 1
        for branch, total in sorted(per_branch.items()):
            rows.append(("branch", branch, "new_members", 150_000 * total // all_estimates))
        for _stage, _since, code in getattr(self, "staged", []):
            estimate = estimates[self.village_index[code]]
            rows.append(("village", code, "new_members", max(10, estimate // 5)))
        fresh = [(year, *r) for r in rows if r[:3] not in existing]
        cursor.executemany(
            f"INSERT INTO target (year, level, scope_code, metric, value) VALUES ({ph}, {ph}, {ph}, {ph}, {ph})", fresh
        )
        have = {r[0] for r in self.w.execute(f"SELECT province_code FROM province_baseline WHERE year = {ph}", (year,))}
        cursor.executemany(
            f"INSERT INTO province_baseline (province_code, year, workers, covered) VALUES ({ph}, {ph}, {ph}, {ph})",
            [
                (p, year, workers, covered)
                for p, workers, covered in (("11", 1_600_000, 480_000), ("12", 4_300_000, 1_900_000))
                if p not in have
            ],
        )


def _month_ordinal(index: int) -> int:
    return dt.date(index // 12, index % 12 + 1, 1).toordinal()


def generate(
    engine: Engine,
    members: int,
    seed: int = 2026,
    day: dt.date | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> GenerateReport:
    """Fill the (migrated) database behind `engine` with `members` members and their history.
    The region's geography is loaded first if it is missing."""
    with Session(engine) as session:
        if not regions_loaded(session):
            progress("loading the region's geography")
            load_regions(session)
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        if engine.dialect.name == "sqlite":
            dbapi.isolation_level = None
            writer: _Writer = _SQLiteWriter(dbapi)
        else:
            writer = _PostgresWriter(dbapi)
        try:
            report = _Generator(writer, members, seed, day or wib_today(), progress).run()
            progress("building the dashboards' monthly roll-up")
            with Session(engine) as session:
                rebuild(session)
                progress("building the cash held per duta")
                rebuild_cash_held(session)
            return report
        except BaseException:
            with contextlib.suppress(Exception):
                dbapi.rollback() if engine.dialect.name != "sqlite" else dbapi.execute("ROLLBACK")
            raise
    finally:
        raw.close()
