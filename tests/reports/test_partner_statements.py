"""The partners' monthly statement: per partner, its valid payments of channel `mitra` paid in the month by
members of the area, and its unmatched settlement lines dated in the month (by branch) by resolution;
who sees what; the month refused beside its field; the files and their audit entries."""

import csv
import datetime as dt
import io
import itertools
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlmodel import select

from app.auth.models import Partner
from app.core.audit import AuditEntry
from app.core.clock import add_months, month_start, today
from app.dues.models import Payment
from app.partners.models import Settlement, SettlementLine
from app.reports.partner_statements import statement
from tests.factories import (
    VILLAGE_A,
    VILLAGE_OTHER_BRANCH,
    actor_of,
    api_headers,
    make_branch,
    make_member,
    make_user,
    web_login,
)

_numbers = itertools.count(1)
# The month of the statement: last month, whole (its last day and the next month's first are both known).
MONTH = add_months(month_start(today()), -1)
NEXT = add_months(MONTH, 1)
LAST_DAY = NEXT - dt.timedelta(days=1)


def pay(db, partner, member, amount, paid_on, recorded_by, status="valid", channel="mitra"):
    number = next(_numbers)
    db.add(
        Payment(
            receipt_number=f"PS{number:08d}",
            member_id=member.id,
            months=amount // 16800,
            monthly_amount=16800,
            amount=amount,
            channel=channel,
            reference=f"REF-{number}",
            paid_on=paid_on,
            cover_from=MONTH,
            cover_to=MONTH,
            status=status,
            recorded_by_id=recorded_by.id,
            partner_id=partner.id if partner else None,
        )
    )
    db.commit()


def settlement(db, partner, branch, uploaded_by, lines):
    """A settlement file of `partner` at `branch` with its unmatched lines: (paid_on, amount, resolution)."""
    file = Settlement(
        partner_id=partner.id,
        branch_code=branch.code,
        uploaded_by_id=uploaded_by.id,
        filename="setelmen.csv",
        lines=len(lines),
        matched=0,
        created=0,
        unmatched=len(lines),
    )
    db.add(file)
    db.flush()
    for row, (paid_on, amount, resolution) in enumerate(lines, start=2):
        db.add(
            SettlementLine(
                settlement_id=file.id,
                partner_id=partner.id,
                branch_code=branch.code,
                row=row,
                paid_on=paid_on,
                code=f"KODE{row}",
                amount=amount,
                reference=f"SET-{next(_numbers)}",
                reason="unknown_code",
                resolution=resolution,
            )
        )
    db.commit()


@pytest.fixture
def office(db):
    branch = make_branch(db, regencies=("12.07",))
    other_branch = make_branch(db, regencies=("11.71",))
    people = {
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "other_cabang": make_user(db, "cabang", branch_code=other_branch.code),
        "wilayah": make_user(db, "wilayah"),
        "admin": make_user(db, "admin"),
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
    }
    other_duta = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other_branch.code)
    koperasi = Partner(kind="koperasi", name="Koperasi Maju")
    bank = Partner(kind="bank", name="Bank Desa")
    far = Partner(kind="bumdes", name="BUMDes Jauh")
    quiet = Partner(kind="bank", name="Bank Sepi")  # nothing this month: no row
    db.add_all([koperasi, bank, far, quiet])
    db.commit()
    member = make_member(db, people["duta"], VILLAGE_A, "approved")
    far_member = make_member(db, other_duta, VILLAGE_OTHER_BRANCH, "approved")
    duta = people["duta"]
    pay(db, koperasi, member, 16800, MONTH, duta)
    pay(db, koperasi, member, 33600, LAST_DAY, duta)
    pay(db, koperasi, member, 16800, MONTH, duta, status="void")  # void: not counted
    pay(db, koperasi, member, 16800, NEXT, duta)  # the next month
    pay(db, koperasi, member, 16800, MONTH - dt.timedelta(days=1), duta)  # the month before
    pay(db, quiet, member, 16800, MONTH - dt.timedelta(days=1), duta)
    pay(db, None, member, 16800, MONTH, duta, channel="bank")  # no partner's
    pay(db, far, far_member, 50400, MONTH, other_duta)
    settlement(
        db,
        koperasi,
        branch,
        people["cabang"],
        [
            (MONTH, 10000, None),
            (LAST_DAY, 20000, None),
            (MONTH, 5000, "refunded"),
            (MONTH, 7000, "set_aside"),
            (MONTH, 16800, "matched"),
            (NEXT, 99000, None),  # the next month
        ],
    )
    settlement(db, bank, branch, people["cabang"], [(MONTH, 16800, None)])
    settlement(db, far, other_branch, people["other_cabang"], [(MONTH, 9000, None)])
    people |= {"koperasi": koperasi, "bank": bank, "far": far}
    return people


KOPERASI = {
    "payments": 2,
    "paid": 50400,
    "open_lines": 2,
    "open_amount": 30000,
    "refunded_lines": 1,
    "refunded_amount": 5000,
    "set_aside_lines": 1,
    "set_aside_amount": 7000,
    "matched_lines": 1,
}
BANK = dict.fromkeys(KOPERASI, 0) | {"open_lines": 1, "open_amount": 16800}
FAR = dict.fromkeys(KOPERASI, 0) | {"payments": 1, "paid": 50400, "open_lines": 1, "open_amount": 9000}


def _get(client, who, path):
    return client.get(path, headers=api_headers(client, who))


def _figures(item: dict) -> dict:
    return {key: item[key] for key in KOPERASI}


def test_the_branch_sees_its_partners_figures_of_the_month(client, office):
    body = _get(client, office["cabang"], f"/api/v1/reports/partners?month={MONTH:%Y-%m}").json()
    assert body["month"] == f"{MONTH:%Y-%m}"
    assert [item["name"] for item in body["items"]] == ["Bank Desa", "Koperasi Maju"]
    bank, koperasi = body["items"]
    assert bank["partner_id"] == office["bank"].id and _figures(bank) == BANK
    assert koperasi["partner_id"] == office["koperasi"].id and _figures(koperasi) == KOPERASI
    assert body["totals"] == {key: KOPERASI[key] + BANK[key] for key in KOPERASI}


def test_the_region_sees_every_branch(client, office):
    for who in ("wilayah", "admin"):
        body = _get(client, office[who], f"/api/v1/reports/partners?month={MONTH:%Y-%m}").json()
        assert [item["name"] for item in body["items"]] == ["BUMDes Jauh", "Bank Desa", "Koperasi Maju"], who
        assert _figures(body["items"][0]) == FAR
        assert body["totals"]["paid"] == 100800 and body["totals"]["open_amount"] == 55800


def test_another_branch_sees_none_of_this_branchs_payments_or_lines(client, office):
    body = _get(client, office["other_cabang"], f"/api/v1/reports/partners?month={MONTH:%Y-%m}").json()
    assert [item["name"] for item in body["items"]] == ["BUMDes Jauh"]
    assert _figures(body["items"][0]) == FAR
    web_login(client, office["other_cabang"])
    page = client.get(f"/reports/partners?month={MONTH:%Y-%m}")
    assert page.status_code == 200 and "BUMDes Jauh" in page.text and "Koperasi Maju" not in page.text
    csv_file = client.get(f"/reports/partners.csv?month={MONTH:%Y-%m}").content.decode("utf-8-sig")
    assert "Koperasi Maju" not in csv_file and "Bank Desa" not in csv_file


def test_the_duta_and_partners_may_not(client, office):
    assert _get(client, office["duta"], "/api/v1/reports/partners").status_code == 403
    web_login(client, office["duta"])
    assert client.get("/reports/partners").status_code == 403
    assert client.get("/reports/partners.csv").status_code == 403


def test_this_month_by_default_and_nothing_to_show(client, db, office):
    body = _get(client, office["cabang"], "/api/v1/reports/partners").json()
    assert body["month"] == f"{month_start(today()):%Y-%m}"
    # This month holds only the koperasi's payment and line dated its first day.
    assert [item["name"] for item in body["items"]] == ["Koperasi Maju"]
    assert body["items"][0]["payments"] == 1 and body["items"][0]["open_amount"] == 99000
    earlier = f"{add_months(MONTH, -3):%Y-%m}"
    assert _get(client, office["cabang"], f"/api/v1/reports/partners?month={earlier}").json()["items"] == []
    web_login(client, office["cabang"])
    page = client.get(f"/reports/partners?month={earlier}")
    assert page.status_code == 200 and "Tidak ada pembayaran mitra" in page.text


@pytest.mark.parametrize(
    "month",
    ["2026-13", "bulan lalu", "1999-12", f"{add_months(month_start(today()), 1):%Y-%m}", f"{MONTH:%Y-%m}" + " " * 20],
)
def test_a_bad_or_future_month_is_refused_beside_the_field(client, office, month):
    response = _get(client, office["cabang"], f"/api/v1/reports/partners?month={month}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "month"
    web_login(client, office["cabang"])
    page = client.get("/reports/partners", params={"month": month})
    assert page.status_code == 422
    assert 'id="month-error"' in page.text and f'value="{month[:20]}"' in page.text
    assert "Koperasi Maju" not in page.text
    assert client.get("/reports/partners.csv", params={"month": month}).status_code == 422


def test_the_page_shows_the_table_and_its_files(client, office):
    web_login(client, office["cabang"])
    page = client.get(f"/reports/partners?month={MONTH:%Y-%m}")
    assert page.status_code == 200
    assert "Koperasi Maju" in page.text and "Rp50.400" in page.text and "Baris belum selesai" in page.text
    assert f"/reports/partners.xlsx?month={MONTH:%Y-%m}" in page.text
    assert f"/reports/partners.csv?month={MONTH:%Y-%m}" in page.text
    assert 'href="/reports/partners"' in client.get("/dashboard").text
    web_login(client, office["duta"])
    assert 'href="/reports/partners"' not in client.get("/dashboard").text


def test_the_files_hold_the_rows_and_a_total_and_are_audited(client, db, office):
    web_login(client, office["cabang"])
    response = client.get(f"/reports/partners.csv?month={MONTH:%Y-%m}")
    assert response.status_code == 200
    assert (
        f"laporan-mitra-{office['cabang'].branch_code.lower()}-{MONTH:%Y-%m}.csv"
        in response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mitra", "Bulan", "Pembayaran", "Jumlah pembayaran (Rp)"]
    assert rows[1][:2] == ["Bank Desa", f"{MONTH:%m/%Y}"]
    assert rows[2] == ["Koperasi Maju", f"{MONTH:%m/%Y}", "2", "50400", "2", "30000", "1", "5000", "1", "7000", "1"]
    assert rows[3] == ["Total", f"{MONTH:%m/%Y}", "2", "50400", "3", "46800", "1", "5000", "1", "7000", "1"]
    book = load_workbook(io.BytesIO(client.get(f"/reports/partners.xlsx?month={MONTH:%Y-%m}").content))
    sheet = book.active
    assert sheet.max_row == 4 and sheet["A3"].value == "Koperasi Maju" and sheet["D3"].value == 50400
    assert sheet["B3"].value.date() == MONTH and sheet["E4"].value == 3
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert len(entries) == 2 and {e.object_id for e in entries} == {"partner_statements"}
    details = [json.loads(e.detail) for e in entries]
    assert {d["format"] for d in details} == {"csv", "xlsx"}
    assert all(d["rows"] == 2 and d["scope"] == f"branch:{office['cabang'].branch_code}" for d in details)


def test_the_same_statements_for_one_partner_or_three(db, office):
    def counted(who: str) -> tuple[int, int]:
        actor = actor_of(db, office[who])
        statements: list[str] = []

        def listener(_conn, _cursor, text, _params, _context, _many):
            statements.append(text)

        connection = db.connection()
        event.listen(connection, "before_cursor_execute", listener)
        try:
            rows = statement(db, actor, MONTH)
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        return len(rows), len(statements)

    # Payments and lines grouped by partner, then the partners' names: three statements, however many.
    assert counted("wilayah") == (3, 3)
    assert counted("other_cabang") == (1, 3)
