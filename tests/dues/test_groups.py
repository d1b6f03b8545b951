"""Who pays, and group payments: one transfer, every member's own receipt, no cash custody, the
branch's confirmation."""

import datetime as dt

import pytest
from sqlmodel import func, select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.dues import custody, groups
from app.dues import deposits as dues_deposits
from app.dues.models import GroupPayment, GroupReceipt, HeldCash, Payment
from tests.factories import VILLAGE_B, actor_of, api_headers, make_member, make_payment, web_login

D = dt.date


def _pay(db, user, members, **fields):
    fields.setdefault("payer", "sponsor")
    fields.setdefault("payer_name", "CSR PT Sawit Makmur")
    fields.setdefault("months", 3)
    fields.setdefault("reference", "BRI-TRF-77")
    return groups.record_group_payment(
        db,
        actor_of(db, user),
        fields.pop("payer"),
        fields.pop("payer_name"),
        [m.id for m in members],
        fields.pop("months"),
        fields.pop("reference"),
        **fields,
    )


@pytest.fixture
def members(db, duta, member):
    return [member, make_member(db, duta, status="approved", full_name="Ani Lestari")]


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------- who pays, on a single payment


def test_a_payment_is_the_members_own_unless_told(db, duta, member, fixed_today):
    payment = make_payment(db, duta, member)
    assert (payment.payer, payment.payer_name) == ("self", None)


def test_a_sponsor_must_be_named(db, duta, member, fixed_today):
    with pytest.raises(Invalid) as refused:
        make_payment(db, duta, member, payer="sponsor", payer_name="  ")
    assert set(refused.value.errors) == {"payer_name"}
    assert _count(db, Payment) == 0
    named = make_payment(db, duta, member, payer="sponsor", payer_name=" Koperasi  Nelayan Maju ")
    assert (named.payer, named.payer_name) == ("sponsor", "Koperasi Nelayan Maju")


def test_the_village_budget_is_the_members_village_unless_named(db, duta, member, fixed_today):
    payment = make_payment(db, duta, member, payer="apbdes")
    assert payment.payer_name == "APBDes Medan Senembah"


def test_an_unknown_payer_and_a_long_name_are_refused(db, duta, member, fixed_today):
    with pytest.raises(Invalid) as unknown:
        make_payment(db, duta, member, payer="bupati")
    assert set(unknown.value.errors) == {"payer"}
    with pytest.raises(Invalid) as long:
        make_payment(db, duta, member, payer="sponsor", payer_name="x" * 121)
    assert set(long.value.errors) == {"payer_name"}


def test_the_member_paying_keeps_no_sponsor_name(db, duta, member, fixed_today):
    assert make_payment(db, duta, member, payer="self", payer_name="typed before").payer_name is None


def test_payer_is_on_every_payment_in_the_api(client, db, duta, member, fixed_today):
    headers = api_headers(client, duta)
    made = client.post(
        f"/api/v1/members/{member.id}/payments",
        json={"months": 1, "channel": "tunai", "payer": "sponsor", "payer_name": "CSR Bank Sumut"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert (made.json()["payer"], made.json()["payer_name"]) == ("sponsor", "CSR Bank Sumut")
    listed = client.get(f"/api/v1/members/{member.id}/payments", headers=headers).json()
    assert [p["payer"] for p in listed] == ["sponsor"]
    refused = client.post(
        f"/api/v1/members/{member.id}/payments", json={"months": 1, "channel": "tunai", "payer": "x"}, headers=headers
    )
    assert refused.status_code == 422


def test_the_pay_form_sends_the_payer(client, db, duta, member, fixed_today):
    token = web_login(client, duta)
    page = client.get(f"/members/{member.id}/pay")
    assert 'name="payer" value="apbdes"' in page.text
    form = {"csrf_token": token, "months": "1", "channel": "tunai", "amount": "16800"}
    refused = client.post(f"/members/{member.id}/pay", data={**form, "payer": "sponsor", "payer_name": ""})
    assert refused.status_code == 422 and 'id="payer_name-error"' in refused.text
    assert 'value="sponsor" checked' in refused.text
    done = client.post(
        f"/members/{member.id}/pay",
        data={**form, "payer": "apbdes", "payer_name": "Dana Desa 2026"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    receipt = client.get(done.headers["location"])
    assert "Dana Desa 2026" in receipt.text


# ---------------------------------------------------------------- group payments


def test_a_group_pays_each_member_and_holds_no_cash(db, duta, members, fixed_today):
    recorded = _pay(db, duta, members)
    group = recorded.group
    assert group.number.startswith("KG-2026-")
    assert (group.months, group.total, group.status) == (3, 2 * 3 * 16800, "submitted")
    assert len(recorded.receipts) == 2
    for payment, _member in recorded.receipts:
        assert (payment.channel, payment.reference, payment.holder_id) == ("bank", "BRI-TRF-77", None)
        assert (payment.payer, payment.payer_name, payment.amount) == ("sponsor", "CSR PT Sawit Makmur", 50400)
        assert not custody.is_held(payment)
    assert _count(db, GroupReceipt) == 2
    # Not in the duta's cash custody: nothing held, nothing to hand in.
    assert db.exec(select(func.sum(HeldCash.total))).one() in (None, 0)
    assert custody.compute(db) == {}
    with pytest.raises(Invalid):  # a duta cannot hand in as cash what came by transfer
        dues_deposits.create_deposit(db, actor_of(db, duta), [recorded.receipts[0][0].receipt_number])
    # Cover counts from recording, as for any bank payment.
    for member in members:
        db.refresh(member)
        assert member.covered_until == D(2027, 1, 1)


def test_one_bad_member_refuses_the_whole_group_naming_it(db, duta, members, fixed_today):
    pending = make_member(db, duta, status="submitted", full_name="Joko Belum Disetujui")
    with pytest.raises(Invalid) as refused:
        _pay(db, duta, [*members, pending])
    assert "Joko Belum Disetujui" in refused.value.errors["member_ids"]
    assert "Budi Santoso" not in refused.value.errors["member_ids"]
    assert (_count(db, GroupPayment), _count(db, Payment)) == (0, 0)


def test_the_single_payments_rules_apply_to_each_member(db, duta, members, fixed_today):
    make_payment(db, duta, members[1], months=12)  # Ani: paid a year ahead already
    with pytest.raises(Invalid) as refused:
        _pay(db, duta, members, months=3)
    assert refused.value.errors["member_ids"].count(";") == 0
    assert "Ani Lestari" in refused.value.errors["member_ids"]
    assert _count(db, GroupPayment) == 0
    late = make_member(
        db, duta, status="approved", full_name="Baru Daftar", created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    )
    with pytest.raises(Invalid) as early:
        _pay(db, duta, [members[0], late], paid_on=D(2026, 11, 1))
    assert "Baru Daftar" in early.value.errors["member_ids"]


def test_the_transfers_amount_must_be_the_members_dues(client, db, duta, members, fixed_today):
    with pytest.raises(Conflict) as refused:
        _pay(db, duta, members, months=3, amount="50.400")  # one member's three months, not two members'
    assert refused.value.field == "amount" and "Rp100.800" in refused.value.message
    assert _count(db, Payment) == 0
    with pytest.raises(Invalid) as garbled:
        _pay(db, duta, members, amount="seratus")
    assert set(garbled.value.errors) == {"amount"}
    assert _pay(db, duta, members, months=3, amount="100800").group.total == 100800


def test_terms_are_checked_once_for_the_group(db, duta, members, fixed_today):
    with pytest.raises(Invalid) as refused:
        _pay(db, duta, members, payer="sponsor", payer_name="", reference="", months=13)
    assert set(refused.value.errors) == {"payer_name", "reference", "months"}
    with pytest.raises(Invalid) as nobody:
        _pay(db, duta, [])
    assert set(nobody.value.errors) == {"member_ids"}


def test_members_of_two_villages_are_refused(db, duta, cabang, members, fixed_today):
    elsewhere = make_member(db, duta, village_code=VILLAGE_B, status="approved")
    with pytest.raises(Invalid) as refused:
        _pay(db, cabang, [*members, elsewhere])
    assert set(refused.value.errors) == {"member_ids"}


def test_a_member_outside_the_actors_area_is_404(db, duta, duta_b, members, fixed_today):
    theirs = make_member(db, duta_b, village_code=VILLAGE_B, status="approved")
    with pytest.raises(NotFound):
        _pay(db, duta, [*members, theirs])
    assert _count(db, Payment) == 0


def test_only_duta_and_cabang_record_a_group(db, members, fixed_today):
    from tests.factories import make_user

    with pytest.raises(Forbidden):
        _pay(db, make_user(db, "wilayah"), members)


def test_the_same_key_answers_the_same_group_and_refuses_another(db, duta, members, fixed_today):
    first = _pay(db, duta, members, idempotency_key="grp-1")
    again = _pay(db, duta, list(reversed(members)), idempotency_key="grp-1")
    assert again.replayed and again.group.number == first.group.number
    assert {p.receipt_number for p, _m in again.receipts} == {p.receipt_number for p, _m in first.receipts}
    with pytest.raises(Invalid) as other:
        _pay(db, duta, members, months=2, idempotency_key="grp-1")
    assert set(other.value.errors) == {"idempotency_key"}
    assert (_count(db, GroupPayment), _count(db, Payment)) == (1, 2)


def test_the_branch_confirms_a_group_once_and_it_is_audited(db, duta, cabang, other_cabang, members, fixed_today):
    number = _pay(db, duta, members).group.number
    with pytest.raises(Forbidden):
        groups.confirm_group(db, actor_of(db, duta), number)
    with pytest.raises(NotFound):
        groups.confirm_group(db, actor_of(db, other_cabang), number)
    waiting = groups.list_groups(db, actor_of(db, cabang), status="submitted")
    assert [g.number for g, _user in waiting] == [number]
    confirmed = groups.confirm_group(db, actor_of(db, cabang), number)
    assert (confirmed.status, confirmed.confirmed_by_id) == ("confirmed", cabang.id)
    with pytest.raises(Conflict):
        groups.confirm_group(db, actor_of(db, cabang), number)
    assert groups.list_groups(db, actor_of(db, cabang), status="submitted") == []
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_id == number)).all()
    assert sorted(actions) == ["group_payment_confirmed", "group_payment_recorded"]


# ---------------------------------------------------------------- the API and the pages


def test_group_payment_api_contract(client, db, duta, cabang, members, fixed_today):
    body = {
        "payer": "apbdes",
        "payer_name": None,
        "member_ids": [m.id for m in members],
        "months": 2,
        "reference": "BSI-0099",
        "paid_on": "2026-11-20",
    }
    headers = {**api_headers(client, duta), "Idempotency-Key": "grp-api-1"}
    made = client.post("/api/v1/group-payments", json=body, headers=headers)
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["group_receipt_number"].startswith("KG-") and answer["total"] == 2 * 2 * 16800
    assert answer["payer_name"] == "APBDes Medan Senembah"
    assert [r["payer"] for r in answer["receipts"]] == ["apbdes", "apbdes"]
    again = client.post("/api/v1/group-payments", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == answer and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/group-payments", json={**body, "months": 1}, headers=headers)
    assert other.status_code == 422 and other.json()["detail"][0]["loc"][-1] == "idempotency_key"
    number = answer["group_receipt_number"]
    cabang_headers = api_headers(client, cabang)
    listed = client.get("/api/v1/group-payments?status=submitted", headers=cabang_headers).json()
    assert [g["group_receipt_number"] for g in listed["items"]] == [number]
    confirmed = client.post(f"/api/v1/group-payments/{number}/confirm", headers=cabang_headers)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    too_many = client.post("/api/v1/group-payments", json={**body, "member_ids": list(range(1, 102))}, headers=headers)
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"][-1] == "member_ids"
    past_bound = client.post(
        "/api/v1/group-payments", json={**body, "member_ids": [2**40]}, headers=api_headers(client, duta)
    )
    assert past_bound.status_code == 422 and past_bound.json()["detail"][0]["loc"][-1] == "member_ids"


def test_group_form_refuses_with_messages_and_records(client, db, duta, members, fixed_today):
    token = web_login(client, duta)
    # A duta of one village sees its members straight away.
    assert "Ani Lestari" in client.get("/group-payments/new").text
    page = client.get("/group-payments/new?village_code=12.07.02.2001")
    assert page.status_code == 200 and 'name="member_ids"' in page.text and "Ani Lestari" in page.text
    form = {
        "csrf_token": token,
        "village_code": "12.07.02.2001",
        "member_ids": [str(members[0].id)],
        "months": "2",
        "payer": "sponsor",
        "payer_name": "",
        "reference": "MANDIRI-55",
        "paid_on": "2026-11-20",
        "idempotency_key": "grp-form-1",
    }
    refused = client.post("/group-payments", data=form)
    assert refused.status_code == 422 and 'id="payer_name-error"' in refused.text
    wrong = client.post("/group-payments", data={**form, "payer_name": "Koperasi Maju", "amount": "1000"})
    assert wrong.status_code == 409 and 'id="amount-error"' in wrong.text and 'value="1000"' in wrong.text
    assert 'value="MANDIRI-55"' in refused.text and f'value="{members[0].id}" checked' in refused.text
    done = client.post("/group-payments", data={**form, "payer_name": "Koperasi Maju"}, follow_redirects=False)
    assert done.status_code == 303
    twice = client.post("/group-payments", data={**form, "payer_name": "Koperasi Maju"}, follow_redirects=False)
    assert twice.headers["location"] == done.headers["location"]
    receipt = client.get(done.headers["location"])
    assert "Koperasi Maju" in receipt.text and "Budi Santoso" in receipt.text and "/receipts/KW-" in receipt.text
    pdf = client.get(done.headers["location"] + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Each member's own receipt names the payer and links back to the group receipt.
    number = done.headers["location"].rsplit("/", 1)[1]
    own = db.exec(select(Payment).where(Payment.member_id == members[0].id)).one()
    page = client.get(f"/receipts/{own.receipt_number}")
    assert f'href="/group-payments/{number}"' in page.text and "Koperasi Maju" in page.text
    assert client.get(f"/receipts/{own.receipt_number}.pdf").content.startswith(b"%PDF")
    assert _count(db, GroupPayment) == 1


def test_the_branch_confirms_from_its_deposits_page(client, db, duta, cabang, members, fixed_today):
    number = _pay(db, duta, members).group.number
    token = web_login(client, cabang)
    assert "1 pembayaran kolektif menunggu konfirmasi" in client.get("/").text
    assert number in client.get("/deposits").text
    assert "/confirm" in client.get(f"/group-payments/{number}").text
    done = client.post(f"/group-payments/{number}/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert number not in client.get("/deposits").text
    assert "pembayaran kolektif menunggu" not in client.get("/").text


# ---------------------------------------------------------------- dues split by payer


def test_dashboard_and_export_split_dues_by_payer(client, db, duta, cabang, branch, members):
    import csv
    import io

    from app.reports.payment_exports import PAYMENT_HEADERS

    make_payment(db, duta, members[0], months=1)  # the member's own cash, 16.800
    number = _pay(db, duta, members, months=2).group.number  # a sponsor, 2 x 2 x 16.800
    void = make_payment(db, cabang, members[1], months=1, channel="bank", payer="apbdes")
    from app.dues import service

    service.void_payment(db, actor_of(db, cabang), void.receipt_number, "salah catat")
    headers = api_headers(client, cabang)
    split = client.get(f"/api/v1/dashboard?scope=branch:{branch.code}", headers=headers).json()["dues_by_payer"]
    by_payer = {row["payer"]: row for row in split}
    assert list(by_payer) == ["self", "apbdes", "sponsor"]
    assert (by_payer["self"]["amount"], by_payer["self"]["payments"]) == (16800, 1)
    assert (by_payer["sponsor"]["amount"], by_payer["sponsor"]["payments"]) == (67200, 2)
    assert by_payer["apbdes"]["amount"] == 0  # voided: not dues
    assert by_payer["sponsor"]["percent"] == 80.0
    # Another branch's dashboard shows none of it.
    web_login(client, cabang)
    assert (
        "Dues this year by payer" in client.get("/dashboard").text
        or "menurut pembayar" in client.get("/dashboard").text
    )

    response = client.get(f"/api/v1/reports/payments.csv?scope=branch:{branch.code}", headers=headers)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == PAYMENT_HEADERS
    body = [dict(zip(PAYMENT_HEADERS, row, strict=True)) for row in rows[1:]]
    assert sorted(row["Pembayar"] for row in body) == ["APBDes (dana desa)", "Peserta sendiri", "Sponsor", "Sponsor"]
    sponsored = [row for row in body if row["Pembayar"] == "Sponsor"]
    assert {row["Nama pembayar"] for row in sponsored} == {"CSR PT Sawit Makmur"}
    assert {row["Kuitansi kolektif"] for row in sponsored} == {number}
    assert client.get(f"/reports/payments.xlsx?scope=branch:{branch.code}").content.startswith(b"PK")


def test_the_dashboard_split_is_one_query_in_sql(db, duta, cabang, branch, members):
    from sqlalchemy import event

    from app.reports.counts import dues_by_payer
    from app.reports.scope import parse_scope

    _pay(db, duta, members)
    actor = actor_of(db, cabang)
    scope = parse_scope(db, actor, f"branch:{branch.code}")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        rows = dues_by_payer(db, actor, scope, today())
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert sum(row["amount"] for row in rows) == 2 * 3 * 16800
