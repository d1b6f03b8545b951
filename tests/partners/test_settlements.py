"""A partner's settlement file reconciled by the branch officer (issue 23, item 4)."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from sqlmodel import select
from stdnum import damm

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.errors import Conflict, Invalid, NotFound
from app.dues.models import Payment
from app.members.payment_code import payment_code
from app.partners import settlements
from app.partners.models import Settlement, SettlementLine
from tests.factories import VILLAGE_OTHER_BRANCH, actor_of, make_branch, make_member, make_user
from tests.members.helpers import error_fields
from tests.partners.test_partner_payments import pay

HEADER = "tanggal,kode,jumlah,referensi\n"


def _file(*lines: tuple) -> bytes:
    return (HEADER + "".join(",".join(str(cell) for cell in line) + "\n" for line in lines)).encode()


def _upload(db, cabang, partner, content: bytes, filename="setoran.csv", dry_run=False):
    return settlements.upload_settlement(db, actor_of(db, cabang), partner.id, filename, content, dry_run)


def _unknown_code() -> str:
    number = "26999999999"
    return number + damm.calc_check_digit(number)


def _payments(db) -> list[Payment]:
    return list(db.exec(select(Payment).order_by(Payment.id)).all())


def test_matched_lines_become_the_partners_payments(db, cabang, partner, member):
    day = today().isoformat()
    outcome = _upload(
        db,
        cabang,
        partner,
        _file((day, payment_code(member), 33_600, "KOP-1"), (day, payment_code(member), "Rp16.800", "KOP-2")),
    )
    assert (outcome.matched, outcome.created, outcome.unmatched) == (2, 2, [])
    payments = _payments(db)
    assert [(p.months, p.amount, p.channel, p.reference) for p in payments] == [
        (2, 33_600, "mitra", "KOP-1"),
        (1, 16_800, "mitra", "KOP-2"),
    ]
    assert all(p.partner_id == partner.id and p.holder_id is None and p.recorded_by_id == cabang.id for p in payments)
    db.refresh(member)
    assert member.covered_until is not None
    settlement = db.exec(select(Settlement)).one()
    assert (settlement.lines, settlement.matched, settlement.created, settlement.unmatched) == (2, 2, 2, 0)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "settlement_uploaded")).one()


def test_a_file_uploaded_again_creates_nothing_twice(db, cabang, partner, member):
    day = today().isoformat()
    content = _file((day, payment_code(member), 16_800, "KOP-1"), (day, _unknown_code(), 16_800, "KOP-2"))
    first = _upload(db, cabang, partner, content)
    again = _upload(db, cabang, partner, content)
    assert (first.matched, first.created, len(first.unmatched)) == (1, 1, 1)
    assert (again.matched, again.created, len(again.unmatched)) == (1, 0, 1)
    assert len(_payments(db)) == 1
    assert len(db.exec(select(SettlementLine)).all()) == 1


def test_a_payment_the_partner_sent_by_api_is_matched_not_paid_again(
    client, db, cabang, partner, member, partner_headers
):
    assert (
        pay(client, partner_headers, payment_code(member), months=1, amount=16_800, reference="KOP-9").status_code
        == 201
    )
    outcome = _upload(db, cabang, partner, _file((today().isoformat(), payment_code(member), 16_800, "KOP-9")))
    assert (outcome.matched, outcome.created, outcome.unmatched) == (1, 0, [])
    assert len(_payments(db)) == 1


def test_each_unmatched_line_says_why_and_waits(client, db, duta, cabang, partner, member, partner_headers):
    day = today().isoformat()
    dead = make_member(db, duta, status="approved", died_on=today() - dt.timedelta(days=3))
    code = payment_code(member)
    typo = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert pay(client, partner_headers, code, months=1, amount=16_800, reference="KOP-SEEN").status_code == 201
    content = _file(
        (day, _unknown_code(), 16_800, "L-UNKNOWN"),
        (day, typo, 16_800, "L-TYPO"),
        (day, code, 20_000, "L-AMOUNT"),
        (day, code, 16_800 * 13, "L-TOO-MANY"),
        (day, code, 33_600, "KOP-SEEN"),
        (day, payment_code(dead), 16_800, "L-DEAD"),
        ("2024-12-01", code, 16_800, "L-BEFORE"),
        (day, code, 16_800, "L-GOOD"),
    )
    outcome = _upload(db, cabang, partner, content)
    reasons = {line.reference: line.reason for line in outcome.unmatched}
    assert reasons == {
        "L-UNKNOWN": "unknown_code",
        "L-TYPO": "unknown_code",
        "L-AMOUNT": "wrong_amount",
        "L-TOO-MANY": "wrong_amount",
        "KOP-SEEN": "reference_seen",
        "L-DEAD": "not_approved",
        "L-BEFORE": "refused",
    }
    assert (outcome.matched, outcome.created) == (1, 1)
    details = {line.reference: line.detail for line in outcome.unmatched}
    assert "16.800" in details["L-AMOUNT"] and "KW-" in details["KOP-SEEN"]
    waiting = settlements.waiting_lines(db, actor_of(db, cabang))
    assert sorted(line.reference for line, _name in waiting) == sorted(reasons)
    assert {name for _line, name in waiting} == {partner.name}


def test_a_member_of_another_branch_is_an_unknown_code(db, cabang, partner):
    other = make_branch(db, regencies=("11.71",))
    far_duta = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code)
    far = make_member(db, far_duta, VILLAGE_OTHER_BRANCH, status="approved")
    outcome = _upload(db, cabang, partner, _file((today().isoformat(), payment_code(far), 16_800, "KOP-FAR")))
    assert [line.reason for line in outcome.unmatched] == ["unknown_code"] and _payments(db) == []


def test_a_dry_run_checks_every_line_and_keeps_nothing(db, cabang, partner, member):
    day = today().isoformat()
    outcome = _upload(
        db,
        cabang,
        partner,
        _file((day, payment_code(member), 16_800, "A"), (day, _unknown_code(), 1, "B")),
        dry_run=True,
    )
    assert (outcome.matched, outcome.created, [line.reason for line in outcome.unmatched]) == (1, 1, ["unknown_code"])
    assert outcome.unmatched[0].reference == "B" and outcome.dry_run
    assert _payments(db) == [] and db.exec(select(SettlementLine)).all() == []
    assert db.exec(select(Settlement)).all() == []


@pytest.mark.parametrize(
    "content, told",
    [
        (b"", "Pilih berkas"),
        (b"tanggal,kode,jumlah\n2026-01-01,1,2\n", "nama kolom"),
        (HEADER.encode(), "tidak memuat baris"),
        (_file(("kemarin", "260000000011", 16_800, "A")), "baris 2"),
        (_file(("2026-01-01", "", 16_800, "A")), "baris 2"),
        (_file(("2026-01-01", "260000000011", "16800.50", "A")), "baris 2"),
        (_file(("2026-01-01", "260000000011", 16_800, "")), "baris 2"),
        (_file(("2026-01-01", "260000000011", 16_800, "R" * 81)), "baris 2"),
        (_file(("2026-01-01", "260000000011", 10**13, "A")), "baris 2"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(db, cabang, partner, content, told):
    """Messages in Indonesian, the user's language."""
    with pytest.raises(Invalid) as refused:
        _upload(db, cabang, partner, content)
    assert told.lower() in refused.value.errors["file"].lower()
    assert _payments(db) == [] and db.exec(select(Settlement)).all() == []


def test_an_xlsx_file_with_english_headers_in_another_order(db, cabang, partner, member):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Amount", "Code", "Date"])
    sheet.append(["X-1", 16_800, payment_code(member), dt.datetime.combine(today(), dt.time())])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = _upload(db, cabang, partner, buffer.getvalue(), filename="setoran.xlsx")
    assert (outcome.matched, outcome.created) == (1, 1)


def test_only_a_branch_officer_of_a_branch_the_partner_serves(db, duta, cabang, partner, member):
    content = _file((today().isoformat(), payment_code(member), 16_800, "A"))
    with pytest.raises(Exception) as refused:
        settlements.upload_settlement(db, actor_of(db, duta), partner.id, "f.csv", content)
    assert getattr(refused.value, "status_code", None) == 403
    other = make_branch(db, regencies=("11.71",))
    elsewhere = make_user(db, "cabang", branch_code=other.code)
    with pytest.raises(NotFound):
        _upload(db, elsewhere, partner, content)
    assert settlements.partners_of_branch(db, actor_of(db, elsewhere)) == []
    assert settlements.partners_of_branch(db, actor_of(db, cabang)) == [partner]


def _waiting_line(db, cabang, partner, code, amount=16_800, reference="W-1") -> SettlementLine:
    outcome = _upload(db, cabang, partner, _file((today().isoformat(), code, amount, reference)))
    (line,) = outcome.unmatched
    return line


def test_a_line_matched_by_hand_pays_the_member_named_once(db, cabang, partner, member):
    line = _waiting_line(db, cabang, partner, _unknown_code())
    actor = actor_of(db, cabang)
    payment = settlements.match_by_hand(db, actor, line.id, payment_code(member))
    assert (payment.member_id, payment.amount, payment.partner_id, payment.reference) == (
        member.id,
        16_800,
        partner.id,
        "W-1",
    )
    db.refresh(line)
    assert line.resolution == "matched" and line.payment_id == payment.id and line.resolved_by_id == cabang.id
    with pytest.raises(Conflict):
        settlements.match_by_hand(db, actor, line.id, payment_code(member))
    # The same file again: the line is matched, nothing paid twice.
    again = _upload(db, cabang, partner, _file((today().isoformat(), _unknown_code(), 16_800, "W-1")))
    assert (again.matched, again.created, again.unmatched) == (1, 0, [])
    assert len(_payments(db)) == 1
    assert settlements.waiting_lines(db, actor) == []


def test_a_hand_match_keeps_the_payment_rules(db, cabang, partner, member, client, partner_headers):
    actor = actor_of(db, cabang)
    wrong = _waiting_line(db, cabang, partner, payment_code(member), amount=20_000, reference="W-AMOUNT")
    with pytest.raises(Conflict) as refused:
        settlements.match_by_hand(db, actor, wrong.id, payment_code(member))
    assert "16.800" in str(refused.value.message)
    with pytest.raises(Invalid):
        settlements.match_by_hand(db, actor, wrong.id, "12")
    assert (
        pay(client, partner_headers, payment_code(member), months=1, amount=16_800, reference="W-SEEN").status_code
        == 201
    )
    seen = _waiting_line(db, cabang, partner, payment_code(member), amount=33_600, reference="W-SEEN")
    with pytest.raises(Conflict):
        settlements.match_by_hand(db, actor, seen.id, payment_code(member))
    assert len(_payments(db)) == 1


def test_closing_a_line_refunded_or_set_aside(db, cabang, partner):
    actor = actor_of(db, cabang)
    refunded = _waiting_line(db, cabang, partner, _unknown_code(), reference="R-1")
    aside = _waiting_line(db, cabang, partner, _unknown_code(), reference="S-1")
    settlements.close_line(db, actor, refunded.id, "refunded", "")
    with pytest.raises(Invalid) as refused:
        settlements.close_line(db, actor, aside.id, "set_aside", "  ")
    assert "note" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        settlements.close_line(db, actor, aside.id, "hapus", "x")
    assert "resolution" in refused.value.errors
    settlements.close_line(db, actor, aside.id, "set_aside", "Baris uji coba dari bank")
    db.refresh(refunded)
    db.refresh(aside)
    assert (refunded.resolution, aside.resolution, aside.note) == ("refunded", "set_aside", "Baris uji coba dari bank")
    with pytest.raises(Conflict):
        settlements.close_line(db, actor, aside.id, "refunded", "")
    assert _payments(db) == []
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "settlement_line_resolved")).all()) == 2


def test_another_branchs_line_is_not_found(db, cabang, partner):
    line = _waiting_line(db, cabang, partner, _unknown_code())
    other = make_branch(db, regencies=("11.71",))
    elsewhere = actor_of(db, make_user(db, "cabang", branch_code=other.code))
    for attempt in (
        lambda: settlements.get_line(db, elsewhere, line.id),
        lambda: settlements.close_line(db, elsewhere, line.id, "refunded", ""),
        lambda: settlements.match_by_hand(db, elsewhere, line.id, _unknown_code()),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert settlements.waiting_lines(db, elsewhere) == [] and settlements.waiting_count(db, elsewhere) == 0
    assert settlements.waiting_count(db, actor_of(db, cabang)) == 1


def test_the_api_upload_answers_matched_unmatched_and_created(client, db, cabang, partner, member):
    from tests.factories import api_headers

    headers = api_headers(client, cabang)
    content = _file(
        (today().isoformat(), payment_code(member), 16_800, "API-1"),
        (today().isoformat(), _unknown_code(), 16_800, "API-2"),
    )
    url = f"/api/v1/partners/{partner.id}/settlements"
    dry = client.post(url, files={"file": ("s.csv", content, "text/csv")}, data={"dry_run": "true"}, headers=headers)
    assert dry.status_code == 200, dry.text
    assert dry.json()["created"] == 1 and dry.json()["dry_run"] and _payments(db) == []
    response = client.post(url, files={"file": ("s.csv", content, "text/csv")}, headers=headers)
    body = response.json()
    assert (body["matched"], body["created"]) == (1, 1)
    assert [(line["line"], line["reason"], line["reference"]) for line in body["unmatched"]] == [
        (3, "unknown_code", "API-2")
    ]
    line_id = body["unmatched"][0]["id"]
    assert [line["id"] for line in client.get("/api/v1/settlements/lines", headers=headers).json()] == [line_id]
    refused = client.post(f"/api/v1/settlements/lines/{line_id}/set-aside", json={"note": ""}, headers=headers)
    assert refused.status_code == 422 and "note" in error_fields(refused)
    matched = client.post(
        f"/api/v1/settlements/lines/{line_id}/match", json={"code": payment_code(member)}, headers=headers
    )
    assert matched.status_code == 201 and matched.json()["amount"] == 16_800
    bad = client.post(url, files={"file": ("s.csv", b"a,b\n1,2\n", "text/csv")}, headers=headers)
    assert bad.status_code == 422 and "file" in error_fields(bad)
    assert (
        client.post(
            "/api/v1/partners/999999/settlements", files={"file": ("s.csv", content, "text/csv")}, headers=headers
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("16800", 16_800),
        ("16.800", 16_800),
        ("Rp16.800", 16_800),
        ("16,800", 16_800),
        ("16800.00", 16_800),
        ("16.800,00", 16_800),
        ("16,800.00", 16_800),
        ("16800.50", None),
        ("16800.5", None),
        ("enam belas ribu", None),
        ("", None),
    ],
)
def test_an_amount_is_read_as_a_bank_writes_it(typed, amount):
    assert settlements.settled_amount(typed) == amount
