"""Real files: CSV parsed with the csv module, XLSX opened with openpyxl; every export audit-logged."""

import csv
import datetime as dt
import io
import json

from openpyxl import load_workbook
from sqlmodel import select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.reports.exports import MEMBER_HEADERS, VILLAGE_HEADERS
from tests.factories import VILLAGE_A, VILLAGE_B, api_headers, web_login
from tests.reports.conftest import month


def audits(db, report):
    return db.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "export", AuditEntry.object_type == "report", AuditEntry.object_id == report)
        .order_by(AuditEntry.id)
    ).all()


def test_members_csv(client, db, world):
    response = client.get("/api/v1/reports/members.csv", headers=api_headers(client, world.cabang))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == MEMBER_HEADERS
    body = {row[1]: dict(zip(MEMBER_HEADERS, row, strict=False)) for row in rows[1:]}
    # Every member of the branch (all states), none of the other branch.
    assert set(body) == {f"Warga {n}" for n in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "B1", "B2")}
    a1 = body["Warga A1"]
    nik = world.members["a1"].nik
    assert a1["NIK"] == nik[:4] + "********" + nik[12:]
    assert nik not in response.text
    assert a1["Penghasilan"] == "1500000"
    assert a1["Status"] == "Disetujui" and a1["Status kepesertaan"] == "Aktif"
    assert a1["Iuran sampai"] == month(2).strftime("%m/%Y")
    assert a1["Tanggal lahir"] == "17/05/1990"
    assert a1["Desa"] == "Medan Senembah" and a1["Jenis kelamin"] == "Laki-laki" and a1["Pekerjaan"] == "Petani"
    assert body["Warga A2"]["Status kepesertaan"] == "Jatuh tempo bulan ini"  # as the pages say it
    assert body["Warga A5"]["Status"] == "Menunggu persetujuan" and body["Warga A5"]["Status kepesertaan"] == ""
    assert body["Warga A1"]["KPJ"] == ""  # none recorded yet; the app's own number is not exported as one
    [entry] = audits(db, "members")
    assert entry.actor_id == world.cabang.id
    assert json.loads(entry.detail) == {"scope": f"branch:{world.branch.code}", "rows": 9, "format": "csv"}


def test_members_csv_in_many_chunks(client, db, world, monkeypatch):
    """The streamed file pages through members by id; small pages must not lose or repeat a row."""
    from app.reports import exports

    monkeypatch.setattr(exports, "CHUNK", 2)
    response = client.get("/api/v1/reports/members.csv?scope=region", headers=api_headers(client, world.wilayah))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert len(rows) == 11 and len({row[1] for row in rows}) == 11
    assert json.loads(audits(db, "members")[-1].detail)["rows"] == 11


def test_members_xlsx_is_a_real_workbook(client, db, world):
    response = client.get(
        f"/api/v1/reports/members.xlsx?scope=village:{VILLAGE_A}", headers=api_headers(client, world.wilayah)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == MEMBER_HEADERS
    assert len(rows) == 1 + 7
    by_name = {row[1]: dict(zip(MEMBER_HEADERS, row, strict=False)) for row in rows[1:]}
    a1 = by_name["Warga A1"]
    assert a1["NIK"].count("*") == 8 and a1["NIK"] != world.members["a1"].nik
    assert a1["Penghasilan"] == 1_500_000 and isinstance(a1["Penghasilan"], int)
    assert isinstance(a1["Tanggal lahir"], dt.datetime) and a1["Tanggal lahir"].date() == dt.date(1990, 5, 17)
    assert a1["Iuran sampai"].date() == month(2)
    assert by_name["Warga A4"]["Iuran sampai"] is None and by_name["Warga A4"]["Status kepesertaan"] == "Nonaktif"
    [entry] = audits(db, "members")
    assert json.loads(entry.detail) == {"scope": f"village:{VILLAGE_A}", "rows": 7, "format": "xlsx"}


def test_villages_reports(client, db, world):
    headers = api_headers(client, world.cabang)
    response = client.get("/api/v1/reports/villages.xlsx", headers=headers)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == VILLAGE_HEADERS
    by_code = {row[0]: dict(zip(VILLAGE_HEADERS, row, strict=False)) for row in rows[1:]}
    # Every village of Deli Serdang (the branch's regency), programme or not.
    assert len(by_code) > 300 and all(code.startswith("12.07.") for code in by_code)
    a = by_code[VILLAGE_A]
    assert (a["Tahap"], a["Perkiraan pekerja informal"], a["Peserta"], a["Aktif"], a["Jatuh tempo"], a["Nonaktif"]) == (
        "Diresmikan",
        100,
        4,
        1,
        1,
        2,
    )
    assert a["Cakupan (%)"] == 1.0 and a["Target peserta aktif"] == 2 and a["Target peserta baru"] is None
    b = by_code[VILLAGE_B]
    assert (b["Tahap"], b["Aktif"], b["Cakupan (%)"]) == ("Sosialisasi", 1, 2.0)
    quiet = by_code["12.07.02.2002"]
    assert (quiet["Peserta"], quiet["Cakupan (%)"], quiet["Tahap"]) == (0, None, None)

    csv_response = client.get(f"/api/v1/reports/villages.csv?scope=village:{VILLAGE_B}", headers=headers)
    csv_rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert csv_rows[0] == VILLAGE_HEADERS and len(csv_rows) == 2
    assert dict(zip(VILLAGE_HEADERS, csv_rows[1], strict=False))["Aktif"] == "1"
    entries = audits(db, "villages")
    assert [json.loads(e.detail)["format"] for e in entries] == ["xlsx", "csv"]
    assert json.loads(entries[0].detail)["rows"] == len(by_code)
    assert json.loads(entries[1].detail) == {"scope": f"village:{VILLAGE_B}", "rows": 1, "format": "csv"}


def test_page_downloads_use_the_session_and_log_too(client, db, world):
    web_login(client, world.wilayah)
    response = client.get("/reports/members.xlsx?scope=province:11")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {row[1] for row in rows[1:]} == {"Warga O1", "Warga O2"}
    assert client.get("/reports/villages.csv?scope=region").status_code == 200
    assert [e.actor_id for e in audits(db, "members")] == [world.wilayah.id]
    assert today().isoformat() in response.headers["content-disposition"]


HOSTILE = ['=HYPERLINK("http://x","y")', "+62 812", "-1+1", "@SUM(A1)", "\tTab", "\rReturn"]


def test_text_that_looks_like_a_formula_stays_text(client, db, world):
    """Names (and any other text) starting as a formula would are shown with a leading `'` in CSV and
    XLSX; XLSX text cells are string cells; numbers stay numbers."""
    from app.regions.models import Village
    from tests.factories import make_member

    for name in HOSTILE:
        make_member(db, world.duta_a, full_name=name, heir_name="=1+1", address="@home")
    village = db.get(Village, VILLAGE_A)
    village.name = "=Medan Senembah"
    db.add(village)
    db.commit()
    headers = api_headers(client, world.wilayah)
    wanted = {"'" + name for name in HOSTILE}

    response = client.get(f"/api/v1/reports/members.csv?scope=village:{VILLAGE_A}", headers=headers)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    names = {row[1] for row in rows[1:]}
    assert wanted <= names and not names & set(HOSTILE)
    assert {row[4] for row in rows[1:]} == {"'=Medan Senembah"}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)

    response = client.get(f"/api/v1/reports/members.xlsx?scope=village:{VILLAGE_A}", headers=headers)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert {name.replace("\r", "\n") for name in wanted} <= {row[1].value for row in rows[1:]}  # XML reads CR as LF
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert {row[8].value for row in rows[1:]} >= {1_000_000} and all(isinstance(r[8].value, int) for r in rows[1:])

    for path in ("villages.csv", "villages.xlsx"):
        response = client.get(f"/api/v1/reports/{path}?scope=village:{VILLAGE_A}", headers=headers)
        if path.endswith(".csv"):
            [_, row] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            [_, row] = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert row[1] == "'=Medan Senembah" and row[0] == VILLAGE_A


def test_xlsx_holds_what_was_stored_before_control_characters_were_refused(client, db, world):
    from tests.factories import make_member

    # (PostgreSQL refuses NUL in text, so it cannot be stored at all.)
    make_member(db, world.duta_a, full_name="Nama\x01dengan\x1bkontrol\x7f\x07", address="Jl.\x0bBaru")
    response = client.get(
        f"/api/v1/reports/members.xlsx?scope=village:{VILLAGE_A}", headers=api_headers(client, world.wilayah)
    )
    assert response.status_code == 200
    names = {row[1] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)}
    assert "Nama\ufffddengan\ufffdkontrol\x7f\ufffd" in names
