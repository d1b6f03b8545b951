"""The KPJ number: recorded by the branch at approval or later, 11 digits and unique, shown as pending
until then, and brought in from the core system's file (CSV or XLSX) once, whatever the uploads."""

import csv
import html
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from app.core.audit import AuditEntry
from app.members.models import Member
from tests.factories import VILLAGE_A, VILLAGE_OTHER_BRANCH, api_headers, make_branch, make_member, make_user, web_login

ID = {"Accept-Language": "id"}


@pytest.fixture
def area(db):
    branch = make_branch(db, regencies=("12.07",))
    duta = make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)
    return {
        "duta": duta,
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "submitted": make_member(db, duta, VILLAGE_A, status="submitted", full_name="Ani Baru"),
        "approved": make_member(db, duta, VILLAGE_A, status="approved", full_name="Budi Lama"),
    }


def test_approving_with_a_kpj_records_it(client, db, area):
    headers = api_headers(client, area["cabang"])
    member = area["submitted"]
    answer = client.post(f"/api/v1/members/{member.id}/approve", json={"kpj": "1207-0212-345"}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["kpj"] == "12070212345"
    assert client.get(f"/api/v1/members/{member.id}", headers=headers).json()["kpj"] == "12070212345"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "kpj_recorded")).one()
    assert entry.object_id == str(member.id)


def test_approval_without_a_kpj_leaves_it_pending(client, db, area):
    headers = api_headers(client, area["cabang"])
    answer = client.post(f"/api/v1/members/{area['submitted'].id}/approve", headers=headers)
    assert answer.status_code == 200 and "kpj" not in answer.json()
    web_login(client, area["cabang"])
    page = html.unescape(client.get(f"/members/{area['submitted'].id}", headers=ID).text)
    assert "KPJ menunggu" in page and "Nomor internal" in page


def test_digits_uniqueness_and_status(client, db, area):
    headers = {**api_headers(client, area["cabang"]), **ID}
    approved = area["approved"]
    short = client.post(f"/api/v1/members/{approved.id}/kpj", json={"kpj": "1234"}, headers=headers)
    assert short.status_code == 422 and short.json()["detail"][0]["loc"][-1] == "kpj"
    assert "11 angka" in short.json()["detail"][0]["msg"]
    assert (
        client.post(f"/api/v1/members/{approved.id}/kpj", json={"kpj": "12345678901"}, headers=headers).status_code
        == 200
    )
    taken = client.post(f"/api/v1/members/{area['submitted'].id}/approve", json={"kpj": "12345678901"}, headers=headers)
    assert taken.status_code == 409 and "sudah milik peserta lain" in taken.json()["detail"]
    db.rollback()  # as the request's own session ends: nothing of the refused approval is kept
    assert db.get(Member, area["submitted"].id).status == "submitted"
    not_approved = client.post(
        f"/api/v1/members/{area['submitted'].id}/kpj", json={"kpj": "12345678902"}, headers=headers
    )
    assert not_approved.status_code == 409


def test_only_the_branch_records_it(client, db, area):
    duta = api_headers(client, area["duta"])
    assert (
        client.post(f"/api/v1/members/{area['approved'].id}/kpj", json={"kpj": "12345678901"}, headers=duta).status_code
        == 403
    )
    other_branch = make_user(db, "cabang", branch_code=make_branch(db, regencies=("11.71",)).code)
    other = api_headers(client, other_branch)
    assert (
        client.post(
            f"/api/v1/members/{area['approved'].id}/kpj", json={"kpj": "12345678901"}, headers=other
        ).status_code
        == 404
    )


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_core_system_file_recorded_once(client, db, area):
    headers = {**api_headers(client, area["cabang"]), **ID}
    approved = area["approved"]
    second = make_member(db, area["duta"], VILLAGE_A, status="approved")
    content = _xlsx([["KPJ", "NIK", "Nama"], [12070212345, approved.nik, "Budi"], ["12070212346", second.nik, "X"]])
    files = {"file": ("kpj.xlsx", content, "application/octet-stream")}
    checked = client.post("/api/v1/imports/kpj", files=files, data={"dry_run": "true"}, headers=headers).json()
    assert [r["status"] for r in checked["rows"]] == ["ok", "ok"] and checked["recorded"] == 0
    assert db.get(Member, approved.id).kpj is None
    done = client.post("/api/v1/imports/kpj", files=files, headers=headers).json()
    assert done["recorded"] == 2
    db.expire_all()
    assert db.get(Member, approved.id).kpj == "12070212345" and db.get(Member, second.id).kpj == "12070212346"
    again = client.post("/api/v1/imports/kpj", files=files, headers=headers).json()
    assert [r["status"] for r in again["rows"]] == ["exists", "exists"] and again["recorded"] == 0


def test_a_wrong_row_records_nothing_and_says_why(client, db, area):
    headers = {**api_headers(client, area["cabang"]), **ID}
    outsider = make_member(db, area["duta"], VILLAGE_OTHER_BRANCH, status="approved")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows(
        [
            ["NIK", "KPJ"],
            [area["approved"].nik, "12070212345"],
            [area["submitted"].nik, "12070212346"],
            [outsider.nik, "12070212347"],
            ["1207020000000000", "123"],
        ]
    )
    files = {"file": ("kpj.csv", out.getvalue().encode(), "text/csv")}
    report = client.post("/api/v1/imports/kpj", files=files, headers=headers).json()
    assert [r["status"] for r in report["rows"]] == ["ok", "error", "error", "error"]
    assert "belum disetujui" in report["rows"][1]["errors"][0]
    assert "Tidak ada peserta di wilayah Anda" in report["rows"][2]["errors"][0]
    assert report["rows"][0]["nik"].count("*") == 8 and report["recorded"] == 0
    assert db.get(Member, area["approved"].id).kpj is None
    bad = client.post("/api/v1/imports/kpj", files={"file": ("x.xlsx", b"not a workbook", "x")}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "file"


def test_waiting_list_export_and_page(client, db, area):
    web_login(client, area["cabang"])
    page = html.unescape(client.get("/kpj", headers=ID).text)
    assert "1 peserta disetujui menunggu KPJ." in page and "Budi Lama" in page
    exported = client.get("/reports/kpj-waiting.xlsx")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.content)).active.values)
    assert rows[0][:2] == ("NIK", "Nama") and rows[1][0] == area["approved"].nik and rows[1][1] == "Budi Lama"
    assert db.exec(select(AuditEntry).where(AuditEntry.object_id == "kpj_waiting")).first() is not None
    duta_headers = api_headers(client, area["duta"])
    assert client.get("/api/v1/reports/kpj-waiting.csv", headers=duta_headers).status_code == 403


def test_page_upload_shows_row_errors_and_decision_page_kpj_beside_its_field(client, db, area):
    token = web_login(client, area["cabang"])
    refused = client.post(
        "/kpj/import",
        data={"csrf_token": token},
        files={"file": ("kpj.csv", b"NIK,KPJ\n" + area["approved"].nik.encode() + b",99\n", "text/csv")},
        headers=ID,
    )
    assert refused.status_code == 422 and "Nomor KPJ terdiri dari 11 angka." in html.unescape(refused.text)
    no_file = client.post("/kpj/import", data={"csrf_token": token}, headers=ID)
    assert no_file.status_code == 422 and 'id="file-error"' in no_file.text
    decision = client.post(
        f"/approvals/{area['submitted'].id}/approve", data={"csrf_token": token, "kpj": "12"}, headers=ID
    )
    assert decision.status_code == 422 and 'id="kpj-error"' in decision.text and 'value="12"' in decision.text
