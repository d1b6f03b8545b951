"""The audit page reads an entry's detail in words: labels for its fields, labels for its codes, rupiah,
dates, and nothing for what is empty (no "None", no JSON). The API keeps the detail as written."""

import ast
import html
import re
from pathlib import Path

import pytest

from app.core import audit, i18n
from app.reports.audit_details import FIELD_LABELS, describe
from tests.factories import api_headers, web_login

APP = Path(__file__).resolve().parents[2] / "app"


def _written_keys() -> set[str]:
    """The detail keys of every `audit.record(...)` call in the app, `**detail` dicts included."""
    keys: set[str] = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text())
        # The dicts a module builds under a name it later spreads into a call: `detail = {...}`,
        # `detail["batch"] = True`.
        built: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        built.setdefault(target.id, set()).update(
                            k.value for k in node.value.keys if isinstance(k, ast.Constant)
                        )
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and isinstance(target.slice, ast.Constant)
                    ):
                        built.setdefault(target.value.id, set()).add(target.slice.value)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            for keyword in node.keywords:
                if keyword.arg is not None:
                    keys.add(keyword.arg)
                elif isinstance(keyword.value, ast.Dict):
                    keys.update(k.value for k in keyword.value.keys if isinstance(k, ast.Constant))
                elif isinstance(keyword.value, ast.Name):
                    keys.update(built.get(keyword.value.id, set()))
    return keys - {"actor_name"}  # who acted, not a detail


def test_every_key_the_app_writes_has_a_label():
    keys = _written_keys()
    assert {"months", "amount", "changes", "from", "to", "member_number", "batch"} <= keys  # the scan works
    assert sorted(keys - set(FIELD_LABELS)) == []


@pytest.fixture
def indonesian():
    token = i18n.set_locale("id")
    yield
    i18n.reset_locale(token)


def test_a_payment_reads_as_words(indonesian):
    detail = {
        "member_id": 12,
        "months": 3,
        "amount": 50400,
        "channel": "tunai",
        "paid_on": "2026-11-02",
        "cover_from": "2026-11",
        "cover_to": "2027-01",
    }
    assert describe("payment_recorded", detail) == [
        ("Peserta", "12"),
        ("Jumlah bulan", "3"),
        ("Jumlah", "Rp50.400"),
        ("Cara bayar", "Tunai"),
        ("Tanggal bayar", "02/11/2026"),
        ("Perlindungan dari", "November 2026"),
        ("Perlindungan sampai", "Januari 2027"),
    ]


def test_codes_read_as_their_labels_and_empty_fields_are_left_out(indonesian):
    assert describe("member_rejected", {"reason": "NIK salah", "code": "nik_mismatch", "refund_due": 0}) == [
        ("Catatan", "NIK salah"),
        ("Alasan", "NIK tidak sesuai dengan foto atau data KTP"),
        ("Pembayaran yang dikembalikan", "0"),
    ]
    assert describe("stage_changed", {"from": None, "to": "calon", "reached_on": "2026-10-01", "evidence": {}}) == [
        ("Menjadi", "Calon"),
        ("Dicapai pada", "01/10/2026"),
    ]
    assert describe("member_created", {"village": "12.07.02.2001", "status": "draft", "nik": None}) == [
        ("Desa", "12.07.02.2001"),
        ("Status", "Draf"),
    ]
    assert describe("event_created", {"kind": "senam_bersama", "branch_code": None, "attendance": 1250}) == [
        ("Jenis", "Senam bersama"),
        ("Jumlah hadir", "1.250"),
    ]


def test_a_correction_lists_each_field_before_and_after(indonesian):
    changes = {"occupation": ["petani", "nelayan"], "phone": [None, "+6281234567890"], "jht": [False, True]}
    assert describe("member_updated", {"changes": changes}) == [
        ("Pekerjaan", "Petani → Nelayan"),
        ("Nomor HP (WhatsApp)", "– → +6281234567890"),
        ("JHT", "Tidak → Ya"),
    ]


@pytest.mark.parametrize("action", ["identity_change_requested", "identity_change_approved"])
def test_an_identity_change_lists_each_field_before_and_after(indonesian, action):
    changes = {"sex": ["L", "P"], "nik": ["1207********0003", "1207********0004"]}
    described = dict(describe(action, {"changes": changes, "reason": "Salah ketik"}))
    assert described["Jenis kelamin"] == "Laki-laki → Perempuan"
    assert "1207********0003 → 1207********0004" in described.values()


def test_nested_evidence_and_lists(indonesian):
    evidence = {"decree_number": "SK/045/2026", "date": "2026-09-30"}
    assert describe("stage_changed", {"from": "perangkat_terlindungi", "to": "diresmikan", "evidence": evidence}) == [
        ("Dari", "Perangkat terlindungi"),
        ("Menjadi", "Diresmikan"),
        ("Bukti", "Nomor SK: SK/045/2026; Tanggal: 30/09/2026"),
    ]
    assert describe("deposit_returned", {"was": "submitted", "receipts": ["KW-1", "KW-2"]}) == [
        ("Sebelumnya", "menunggu konfirmasi"),
        ("Kuitansi", "KW-1, KW-2"),
    ]


def test_the_page_shows_words_and_the_api_the_detail_as_written(client, db, people):
    wilayah = people.actor(people.wilayah)
    audit.record(
        db, wilayah, "payment_recorded", "payment", "KW-2026-000001", member_id=3, months=3, amount=50400,
        channel="tunai", paid_on="2026-11-02", cover_from="2026-11", cover_to="2027-01",
    )  # fmt: skip
    audit.record(db, wilayah, "member_updated", "member", 3, changes={"rt": [None, "003"], "nik": ["1207", None]})
    db.commit()
    web_login(client, people.wilayah)
    page = html.unescape(client.get("/audit").text)
    text = re.sub(r"<[^>]+>", "", page)
    assert "Jumlah bulan: 3 · Jumlah: Rp50.400 · Cara bayar: Tunai" in text
    assert "RT: – → 003" in text and "NIK: 1207 → –" in text
    detail_cells = page.split('class="audit-detail"')[1:]
    assert detail_cells and not any(
        "None" in cell or "{" in cell or '"' in cell.split("</td>")[0] for cell in detail_cells
    )
    api = client.get(
        "/api/v1/audit", params={"object": "payment:KW-2026-000001"}, headers=api_headers(client, people.wilayah)
    )
    assert api.json()["items"][0]["detail"]["amount"] == 50400


def test_a_roster_reads_as_positions_and_names():
    token = i18n.set_locale("id")
    try:
        officials = [
            {"position": "kepala_desa", "name": "Pak Kades", "member_id": 3},
            {"position": "bpd", "name": "Bu"},
        ]
        assert describe("officials_set", {"officials": officials}) == [
            ("Perangkat desa", "Kepala desa Pak Kades, Badan Permusyawaratan Desa (BPD) Bu")
        ]
    finally:
        i18n.reset_locale(token)
