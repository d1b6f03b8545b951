"""A group registered from a file: the template, every row checked with the registration's rules before
anything is written, the right rows registered in one transaction, and the same file sent again
creating nothing twice."""

import csv
import datetime as dt
import html
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from app.core import uploads
from app.core.audit import AuditEntry
from app.members import imports, service
from app.members.models import Member
from tests.factories import (
    VILLAGE_A,
    VILLAGE_B,
    api_headers,
    make_branch,
    make_member,
    make_user,
    valid_nik,
    web_login,
)

ID = {"Accept-Language": "id"}


@pytest.fixture
def area(db):
    branch = make_branch(db, regencies=("12.07",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
    }


def person(**overrides) -> dict:
    """One worker as typed into the template: labels, a date cell, yes in Indonesian."""
    birth = overrides.pop("birth_date", dt.datetime(1990, 5, 17))
    row = {
        "nik": valid_nik(birth.date() if isinstance(birth, dt.datetime) else dt.date(1990, 5, 17), "P"),
        "full_name": "Siti Aminah",
        "sex": "Perempuan",
        "birth_date": birth,
        "phone": "0812-3456-7890",
        "address": "Jl. Mawar No. 1",
        "rt": "001",
        "rw": "002",
        "occupation": "Petani",
        "monthly_income": 1_000_000,
        "jht": "tidak",
        "heir_name": "Budi",
        "heir_relation": "suami",
        "consent": "ya",
    }
    row.update(overrides)
    return row


def xlsx(*people: dict) -> bytes:
    """The downloaded template, filled in."""
    workbook = load_workbook(io.BytesIO(imports.template_workbook()))
    sheet = workbook.worksheets[0]
    for number, row in enumerate(people, start=2):
        for index, column in enumerate(imports.COLUMNS, start=1):
            sheet.cell(row=number, column=index, value=row.get(column.field))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(*people: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.field for column in imports.COLUMNS])
    for row in people:
        writer.writerow([row.get(column.field, "") for column in imports.COLUMNS])
    return out.getvalue().encode()


def send(client, headers, content: bytes, village=VILLAGE_A, dry_run=False, name="kelompok.xlsx"):
    return client.post(
        "/api/v1/imports/members",
        files={"file": (name, content)},
        data={"village_code": village, "dry_run": "true" if dry_run else "false"},
        headers={**headers, **ID},
    )


def count_members(db) -> int:
    return db.exec(select(func.count()).select_from(Member)).one()


def test_the_template_downloads_and_reads_back(client, area):
    headers = api_headers(client, area["duta"])
    answer = client.get("/api/v1/imports/members/template.xlsx", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == uploads.XLSX_MEDIA_TYPE
    workbook = load_workbook(io.BytesIO(answer.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[:3] == ["NIK (16 digit, dari KTP)", "Nama lengkap (sesuai KTP)", "Jenis kelamin"]
    assert "Petani" in [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    web_login(client, area["duta"])
    assert client.get("/members/import/template.xlsx").content[:2] == b"PK"

    worker = person()
    (row,) = imports.read_member_file("kelompok.xlsx", xlsx(worker))
    # Labels users see become codes; a date cell becomes the date; the NIK stays text.
    assert row["sex"] == "P" and row["occupation"] == "petani" and row["birth_date"] == "1990-05-17"
    assert row["nik"] == worker["nik"] and row["consent"] == "ya"


def test_a_csv_with_codes_and_typed_dates_reads_too(db, area):
    worker = person(sex="p", occupation="nelayan", birth_date="17/05/1990")
    (row,) = imports.read_member_file("kelompok.csv", csv_file(worker))
    assert row["sex"] == "P" and row["occupation"] == "nelayan" and row["birth_date"] == "17/05/1990"


def test_a_dry_run_writes_nothing(client, db, area):
    headers = api_headers(client, area["duta"])
    before = count_members(db)
    answer = send(client, headers, xlsx(person(), person(nik="123")), dry_run=True)
    assert answer.status_code == 200, answer.text
    assert [row["status"] for row in answer.json()["rows"]] == ["ok", "error"]
    assert answer.json()["created"] == 0
    assert count_members(db) == before
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "members_imported")).first() is None


def test_the_right_rows_are_registered_as_the_form_registers_them(client, db, area):
    headers = api_headers(client, area["duta"])
    good = [person(), person(full_name="Rina", nik=valid_nik(dt.date(1990, 5, 17), "P"))]
    wrong = person(nik=valid_nik(dt.date(1990, 5, 17), "L"), monthly_income=10)  # a man's NIK, too little income
    answer = send(client, headers, xlsx(good[0], wrong, good[1]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == {
        "rows": [
            {"row": 2, "status": "ok", "errors": {}},
            {"row": 3, "status": "error", "errors": body["rows"][1]["errors"]},
            {"row": 4, "status": "ok", "errors": {}},
        ],
        "created": 2,
    }
    assert set(body["rows"][1]["errors"]) == {"sex", "monthly_income"}
    assert "Penghasilan" in body["rows"][1]["errors"]["monthly_income"]
    members = db.exec(select(Member).where(Member.village_code == VILLAGE_A)).all()
    assert sorted(m.nik for m in members) == sorted(p["nik"] for p in good)
    for member in members:  # the form's lifecycle: submitted for the branch's approval, consent kept
        assert member.status == "submitted" and member.submitted_at and member.consent_at
        assert member.registered_by_id == area["duta"].id and member.phone == "+6281234567890"
    created = db.exec(select(AuditEntry).where(AuditEntry.action == "member_created")).all()
    assert sorted(entry.object_id for entry in created) == sorted(str(m.id) for m in members)
    (summary,) = db.exec(select(AuditEntry).where(AuditEntry.action == "members_imported")).all()
    assert summary.object_id == VILLAGE_A
    assert '"created": 2' in summary.detail and '"wrong": 1' in summary.detail


def test_the_same_file_again_creates_nothing_twice(client, db, area):
    headers = api_headers(client, area["duta"])
    content = xlsx(person(), person(full_name="Rina", nik=valid_nik(dt.date(1990, 5, 17), "P")))
    assert send(client, headers, content).json()["created"] == 2
    again = send(client, headers, content)
    assert again.status_code == 200
    assert again.json() == {
        "rows": [{"row": 2, "status": "exists", "errors": {}}, {"row": 3, "status": "exists", "errors": {}}],
        "created": 0,
    }
    assert count_members(db) == 2


def test_a_nik_twice_in_the_file_or_registered_elsewhere_is_an_error(client, db, area):
    elsewhere = make_member(db, area["duta"], VILLAGE_B)
    headers = api_headers(client, area["duta"])
    first = person()
    rows = send(client, headers, xlsx(first, person(nik=first["nik"]), person(nik=elsewhere.nik))).json()["rows"]
    assert [row["status"] for row in rows] == ["ok", "error", "error"]
    assert "baris 2" in rows[1]["errors"]["nik"]
    assert "Limau Manis" in rows[2]["errors"]["nik"]


def test_a_namesake_in_the_village_needs_the_column_saying_another_person(client, db, area):
    make_member(db, area["duta"], VILLAGE_A, full_name="Siti Aminah", sex="P")
    headers = api_headers(client, area["duta"])
    rows = send(client, headers, xlsx(person()), dry_run=True).json()["rows"]
    assert rows[0]["status"] == "error"
    assert "Orang berbeda" in rows[0]["errors"]["confirm_not_duplicate"]
    confirmed = send(client, headers, xlsx(person(confirm_not_duplicate="ya")), dry_run=True).json()["rows"]
    assert confirmed[0]["status"] == "ok"


def test_the_branch_imports_into_its_villages_and_nobody_outside_them(client, db, area):
    content = xlsx(person())
    duta = api_headers(client, area["duta"])
    assert send(client, duta, content, village=VILLAGE_B).status_code == 404
    other = make_user(db, "cabang", branch_code=make_branch(db, regencies=("11.71",)).code)
    assert send(client, api_headers(client, other), content, village=VILLAGE_B).status_code == 404
    wilayah = make_user(db, "wilayah")
    assert send(client, api_headers(client, wilayah), content, village=VILLAGE_B).status_code == 403
    answer = send(client, api_headers(client, area["cabang"]), content, village=VILLAGE_B)
    assert answer.status_code == 200 and answer.json()["created"] == 1
    assert count_members(db) == 1


def test_files_that_are_not_a_group_are_refused(client, db, area, monkeypatch):
    headers = api_headers(client, area["duta"])
    broken = send(client, headers, b"not a workbook")
    assert broken.status_code == 422 and broken.json()["detail"][0]["loc"][-1] == "file"
    no_header = send(client, headers, b"a,b\n1,2\n", name="x.csv")
    assert no_header.status_code == 422 and "NIK (16 digit" in no_header.json()["detail"][0]["msg"]
    header_only = send(client, headers, xlsx())
    assert header_only.status_code == 422
    no_village = send(client, headers, xlsx(person()), village="")
    assert no_village.status_code == 422 and no_village.json()["detail"][0]["loc"][-1] == "village_code"
    monkeypatch.setattr(uploads, "MAX_ROWS", 2)
    too_many = send(client, headers, csv_file(person(), person(), person()), name="x.csv")
    assert too_many.status_code == 422 and "2" in too_many.json()["detail"][0]["msg"]
    assert count_members(db) == 0


def test_a_nik_registered_meanwhile_refuses_the_whole_upload(client, db, area, monkeypatch):
    """Two uploads at once: the check saw the NIK free, the insert finds it taken (the unique constraint)."""
    taken = make_member(db, area["duta"], VILLAGE_A)
    monkeypatch.setattr(service, "registered_niks", lambda session, niks: {})
    headers = api_headers(client, area["duta"])
    answer = send(client, headers, xlsx(person(), person(nik=taken.nik, sex="Laki-laki")))
    assert answer.status_code == 409, answer.text
    assert "Kirim berkas sekali lagi" in answer.json()["detail"]
    db.rollback()
    assert count_members(db) == 1


def test_the_page_shows_each_rows_errors_then_registers_the_same_file(client, db, area):
    csrf = web_login(client, area["duta"])
    assert "/members/import" in client.get("/members", headers=ID).text
    page = client.get("/members/import", headers=ID)
    assert page.status_code == 200 and "Daftarkan satu kelompok" in page.text
    content = xlsx(person(), person(nik="1234"))

    def post(action, checked="", data=content, village=VILLAGE_A):
        return client.post(
            "/members/import",
            files={"file": ("kelompok.xlsx", data)},
            data={"csrf_token": csrf, "village_code": village, "action": action, "checked": checked},
            headers=ID,
        )

    checked = post("check")
    text = html.unescape(checked.text)
    assert checked.status_code == 200
    assert "Baris 3" in text and "NIK terdiri dari 16 digit; yang diisi 4 digit." in text
    assert "Daftarkan 1 baris yang benar" in text and count_members(db) == 0
    token = checked.text.split('name="checked" value="')[1].split('"')[0]
    assert len(token) == 64
    other = post("register", token, data=xlsx(person(full_name="Lain")))
    assert other.status_code == 422 and "berkas yang sama" in html.unescape(other.text)
    done = post("register", token)
    assert done.status_code == 200 and "1 peserta didaftarkan" in html.unescape(done.text)
    assert count_members(db) == 1
    nothing = client.post(
        "/members/import", data={"csrf_token": csrf, "village_code": VILLAGE_A, "action": "check"}, headers=ID
    )
    assert nothing.status_code == 422 and "Pilih berkas" in html.unescape(nothing.text)
