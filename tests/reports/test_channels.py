"""Dues by channel and by partner, the share of dues without a duta's cash and members by who registered
them: hand-counted from the world of conftest.py with its partners (`partnered`)."""

import datetime as dt

import pytest
from sqlalchemy import event

from app.core.clock import today
from app.reports.counts import dues_by_channel, dues_by_partner, members_by_registration
from app.reports.scope import parse_scope
from app.reports.service import dashboard
from tests.factories import VILLAGE_A, actor_of, api_headers, web_login

MONTH = 16800


def this_year(amount: int, days_ago: int) -> int:
    """The world's cash payments were paid some days ago: in the first days of January, last year's."""
    return amount if (today() - dt.timedelta(days=days_ago)).year == today().year else 0


# The world's cash: a1 6 months 10 days ago, a2 1 month 3 days ago (both village A), b1 2 months 4 days ago.
CASH = {"a1": this_year(6 * MONTH, 10), "a2": this_year(MONTH, 3), "b1": this_year(2 * MONTH, 4)}


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def test_dues_by_channel_of_a_branch(db, world, partnered):
    data = dashboard(db, actor_of(db, world.cabang))
    channels = by(data["dues_by_channel"], "channel")
    assert list(channels) == ["tunai", "bank", "lainnya", "mitra"]  # every channel, zeros too
    cash = sum(CASH.values())
    paid_in_cash = sum(1 for amount in CASH.values() if amount)
    assert (channels["tunai"]["amount"], channels["tunai"]["payments"]) == (cash, paid_in_cash)
    assert (channels["bank"]["amount"], channels["bank"]["payments"]) == (4 * MONTH, 1)  # a3
    assert (channels["lainnya"]["amount"], channels["lainnya"]["percent"]) == (0, 0.0)
    # p1's two months and d1's one month; p1's voided month and the other branch's p2 are not counted.
    assert (channels["mitra"]["amount"], channels["mitra"]["payments"]) == (3 * MONTH, 2)
    total = cash + 4 * MONTH + 3 * MONTH
    assert channels["mitra"]["percent"] == round(100 * 3 * MONTH / total, 1)
    # Without a duta's cash: bank and partner, of all.
    assert data["dues_without_duta_cash"] == {
        "amount": 7 * MONTH,
        "total": total,
        "percent": round(100 * 7 * MONTH / total, 1),
    }


def test_dues_by_channel_of_the_region(db, world, partnered):
    data = dashboard(db, actor_of(db, world.wilayah), "region")
    channels = by(data["dues_by_channel"], "channel")
    assert channels["tunai"]["amount"] == sum(CASH.values())
    # a3, and the other branch's o1 (7 months) and o2 (3 months).
    assert (channels["bank"]["amount"], channels["bank"]["payments"]) == (14 * MONTH, 3)
    assert (channels["mitra"]["amount"], channels["mitra"]["payments"]) == (4 * MONTH, 3)
    assert data["dues_without_duta_cash"]["amount"] == 18 * MONTH
    assert data["dues_without_duta_cash"]["total"] == 18 * MONTH + sum(CASH.values())


def test_no_dues_no_share(db, world):
    """A year without payments (the dashboard read on a day three years ago): no share, no percents."""
    data = dashboard(db, actor_of(db, world.wilayah), "region", day=dt.date(today().year - 3, 6, 30))
    assert data["dues_without_duta_cash"] == {"amount": 0, "total": 0, "percent": None}
    assert {row["percent"] for row in data["dues_by_channel"]} == {None}


def test_dues_by_partner(db, world, partnered):
    region = dashboard(db, actor_of(db, world.wilayah), "region")["dues_by_partner"]
    assert [(row["name"], row["kind"], row["members"], row["payments"], row["amount"]) for row in region] == [
        # p1 and p2 registered (its submitted one is not a member); p1 2 months, d1 and p2 one each.
        ("Koperasi Maju Bersama", "koperasi", 2, 3, 4 * MONTH),
        # q1 registered, nothing taken.
        ("Bank Sejahtera", "bank", 1, 0, 0),
    ]
    assert region[0]["partner_id"] == partnered.koperasi.id
    branch = dashboard(db, actor_of(db, world.cabang))["dues_by_partner"]
    # The branch: p1 registered; p1's and d1's dues (d1 is a duta's member the partner took dues of).
    # The bank has no member and took no dues here: not listed.
    assert [(row["name"], row["members"], row["payments"], row["amount"]) for row in branch] == [
        ("Koperasi Maju Bersama", 1, 2, 3 * MONTH)
    ]


def test_members_by_registration(db, world, partnered):
    data = dashboard(db, actor_of(db, world.cabang))
    rows = by(data["members_by_registration"], "registered_by")
    assert list(rows) == ["duta", "office", "mitra"]
    # a1-a4 by duta_a, b1 and d1 by duta_b; f1 by the branch's file upload; p1 by the koperasi's client.
    assert {key: row["members"] for key, row in rows.items()} == {"duta": 6, "office": 1, "mitra": 1}
    assert {key: row["percent"] for key, row in rows.items()} == {"duta": 75.0, "office": 12.5, "mitra": 12.5}
    assert sum(row["members"] for row in rows.values()) == data["counts"]["approved"]
    region = dashboard(db, actor_of(db, world.wilayah), "region")
    rows = by(region["members_by_registration"], "registered_by")
    # The other branch adds o1, o2 (its duta), p2 (the koperasi) and q1 (the bank).
    assert {key: row["members"] for key, row in rows.items()} == {"duta": 8, "office": 1, "mitra": 3}
    # The partners' members are those the partner table lists.
    assert rows["mitra"]["members"] == sum(row["members"] for row in region["dues_by_partner"])


def test_another_areas_channels_and_partners_are_not_counted(db, world, partnered):
    """The other branch's officer sees its own partner dues and members only; a duta its village's."""
    other = dashboard(db, actor_of(db, world.other_cabang))
    channels = by(other["dues_by_channel"], "channel")
    assert channels["tunai"]["amount"] == 0
    assert (channels["bank"]["amount"], channels["mitra"]["amount"]) == (10 * MONTH, MONTH)  # o1, o2; p2
    assert [(row["name"], row["members"], row["payments"], row["amount"]) for row in other["dues_by_partner"]] == [
        ("Koperasi Maju Bersama", 1, 1, MONTH),  # p2
        ("Bank Sejahtera", 1, 0, 0),  # q1
    ]
    assert {row["registered_by"]: row["members"] for row in other["members_by_registration"]} == {
        "duta": 2,
        "office": 0,
        "mitra": 2,
    }
    village = dashboard(db, actor_of(db, world.duta_a))
    assert village["scope"] == f"village:{VILLAGE_A}"
    channels = by(village["dues_by_channel"], "channel")
    assert (channels["bank"]["amount"], channels["mitra"]["amount"]) == (4 * MONTH, 2 * MONTH)  # a3; p1
    assert channels["tunai"]["amount"] == CASH["a1"] + CASH["a2"]
    assert [(row["name"], row["members"], row["amount"]) for row in village["dues_by_partner"]] == [
        ("Koperasi Maju Bersama", 1, 2 * MONTH)
    ]
    assert {row["registered_by"]: row["members"] for row in village["members_by_registration"]} == {
        "duta": 4,
        "office": 0,
        "mitra": 1,
    }
    # A village of the branch chosen by its officer: village B has d1's partner dues but no partner member.
    village_b = dashboard(db, actor_of(db, world.cabang), "village:12.07.02.2003")
    assert [(row["members"], row["payments"], row["amount"]) for row in village_b["dues_by_partner"]] == [(0, 1, MONTH)]


@pytest.mark.parametrize("aggregate", ["dues_by_channel", "dues_by_partner", "members_by_registration"])
def test_each_aggregate_is_one_grouped_query_of_the_members_or_payments(db, world, partnered, aggregate):
    actor = actor_of(db, world.wilayah)
    scope = parse_scope(db, actor, "region")
    statements: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    call = {
        "dues_by_channel": lambda: dues_by_channel(db, actor, scope, today()),
        "dues_by_partner": lambda: dues_by_partner(db, actor, scope, today()),
        "members_by_registration": lambda: members_by_registration(db, actor, scope, 12),
    }[aggregate]
    connection = db.connection()
    event.listen(connection, "before_cursor_execute", listener)
    try:
        rows = call()
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    assert rows
    # The registrations: the accounts other than a duta's first, then their members.
    assert len(statements) == (2 if aggregate == "members_by_registration" else 1), statements
    assert "GROUP BY" in statements[-1]


def test_the_dashboard_page_shows_the_tables(client, db, world, partnered):
    web_login(client, world.wilayah)
    html = client.get("/dashboard?scope=region").text
    for text in (
        "Iuran tahun ini menurut cara bayar",
        "Tanpa uang tunai lewat duta",
        'class="cards dues-by-channel"',
        "Bank atau agen",
        "Peserta menurut pendaftar",
        "Kantor (unggah berkas)",
        "Peserta dan iuran menurut mitra",
        "Koperasi Maju Bersama",
        "Bank Sejahtera",
        "Rp67.200",  # the koperasi's dues this year
    ):
        assert text in html, text
    assert 'style="' not in html
    # Village B: no partner member, but the dues the koperasi took for d1.
    web_login(client, world.duta_b)
    assert 'class="cards dues-by-partner"' in client.get("/dashboard").text


def test_the_dashboard_page_without_partners(client, world):
    web_login(client, world.cabang)
    html = client.get("/dashboard").text
    assert "Belum ada peserta yang didaftarkan mitra di sini" in html
    assert 'class="cards dues-by-partner"' not in html


def test_the_api_answers_the_new_fields(client, db, world, partnered):
    body = client.get("/api/v1/dashboard", headers=api_headers(client, world.cabang)).json()
    assert [row["channel"] for row in body["dues_by_channel"]] == ["tunai", "bank", "lainnya", "mitra"]
    assert set(body["dues_by_channel"][0]) == {"channel", "payments", "amount", "percent"}
    assert set(body["dues_without_duta_cash"]) == {"amount", "total", "percent"}
    assert body["dues_by_partner"] == [
        {
            "partner_id": partnered.koperasi.id,
            "name": "Koperasi Maju Bersama",
            "kind": "koperasi",
            "members": 1,
            "payments": 2,
            "amount": 3 * MONTH,
        }
    ]
    assert [row["registered_by"] for row in body["members_by_registration"]] == ["duta", "office", "mitra"]
    assert set(body["members_by_registration"][0]) == {"registered_by", "members", "percent"}
