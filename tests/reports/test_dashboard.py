"""Dashboards agree with the hand-counted world of conftest.py (and with the member list's filters)."""

import datetime as dt

from app.auth.service import load_actor
from app.core.clock import add_months, month_start, today
from app.members.service import status_counts
from app.reports.areas import sort_rows
from app.reports.service import dashboard
from tests.factories import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER_BRANCH, api_headers
from tests.reports.conftest import make_payment, month


def actor_of(db, user):
    return load_actor(db, user.id, user.credentials_version)


def in_year(*ks: int) -> int:
    """How many of these relative months fall in this calendar year (year boundaries move the answer)."""
    return sum(1 for k in ks if month(k).year == today().year)


def test_region_counts_by_hand(db, world):
    data = dashboard(db, actor_of(db, world.wilayah), "region")
    counts = data["counts"]
    assert data["scope"] == "region"
    assert {
        k: counts[k]
        for k in ("submitted", "approved", "rejected", "draft", "aktif", "jatuh_tempo", "nonaktif", "new_this_month")
    } == {
        "submitted": 2,
        "approved": 7,
        "rejected": 1,
        "draft": 1,
        "aktif": 3,  # a1, b1, o1
        "jatuh_tempo": 1,  # a2
        "nonaktif": 3,  # a3, a4 (never paid: its only payment is void), o2
        "new_this_month": 2,  # a2, b1
    }
    # first covered: a1 k-3, a2 k0, a3 k-4, b1 k0, o1 k-1, o2 k-8
    assert counts["new_this_year"] == in_year(-3, 0, -4, 0, -1, -8)
    assert data["villages_by_stage"] == {
        "calon": 1,
        "sosialisasi": 1,
        "duta": 0,
        "perangkat_terlindungi": 0,
        "diresmikan": 1,
    }
    assert data["coverage"] == {"aktif": 3, "estimate": 350, "villages_with_estimate": 3, "percent": 0.9}


def test_counts_agree_with_the_member_list_filters(db, world):
    """The same numbers as `status_counts`, the members list's own count, for every role."""
    for user, scope in ((world.wilayah, "region"), (world.cabang, None), (world.duta_a, None)):
        actor = actor_of(db, user)
        counts = dashboard(db, actor, scope)["counts"]
        listed = status_counts(db, actor)
        assert {k: counts[k] for k in listed} == listed


def test_branch_and_village_counts(db, world):
    cabang = actor_of(db, world.cabang)
    data = dashboard(db, cabang)
    assert data["scope"] == f"branch:{world.branch.code}"
    c = data["counts"]
    assert (c["submitted"], c["approved"], c["aktif"], c["jatuh_tempo"], c["nonaktif"], c["new_this_month"]) == (
        2,
        5,
        2,
        1,
        2,
        2,
    )
    assert data["coverage"]["percent"] == round(100 * 2 / 150, 1)
    villages = {row["code"]: row for row in data["tables"]["village"]}
    assert set(villages) == {VILLAGE_A, VILLAGE_B}
    a, b = villages[VILLAGE_A], villages[VILLAGE_B]
    assert (a["submitted"], a["approved"], a["aktif"], a["jatuh_tempo"], a["nonaktif"]) == (1, 4, 1, 1, 2)
    assert (b["submitted"], b["approved"], b["aktif"], b["jatuh_tempo"], b["nonaktif"]) == (1, 1, 1, 0, 0)
    assert a["stage"] == "diresmikan" and a["coverage"] == 1.0 and b["coverage"] == 2.0

    village = dashboard(db, actor_of(db, world.duta_a))
    assert village["scope"] == f"village:{VILLAGE_A}"
    assert village["counts"]["aktif"] == 1 and village["counts"]["draft"] == 1
    assert village["tables"] == {}


def test_region_tables_by_province_and_branch(db, world):
    data = dashboard(db, actor_of(db, world.wilayah), "region")
    provinces = {row["code"]: row for row in data["tables"]["province"]}
    assert (provinces["12"]["approved"], provinces["12"]["aktif"], provinces["12"]["estimate"]) == (5, 2, 150)
    assert (provinces["11"]["approved"], provinces["11"]["aktif"], provinces["11"]["nonaktif"]) == (2, 1, 1)
    branches = {row["code"]: row for row in data["tables"]["branch"]}
    assert branches[world.branch.code]["aktif"] == 2 and branches[world.branch.code]["diresmikan"] == 1
    assert branches[world.other_branch.code]["aktif"] == 1
    assert branches[world.other_branch.code]["coverage"] == 0.5
    # Drill down: province 12 lists its branch, not the other one.
    province = dashboard(db, actor_of(db, world.wilayah), "province:12")
    assert [row["code"] for row in province["tables"]["branch"] if row["code"]] == [world.branch.code]
    assert province["counts"]["approved"] == 5
    assert [p["scope"] for p in province["parents"]] == ["region"]


def test_sorting_of_area_tables(db, world):
    rows = dashboard(db, actor_of(db, world.cabang), sort="-aktif")["tables"]["village"]
    assert [row["aktif"] for row in rows] == sorted((row["aktif"] for row in rows), reverse=True)
    rows = sort_rows(
        [
            {"code": "x", "name": "B", "coverage": None},
            {"code": "y", "name": "A", "coverage": 5.0},
            {"code": "z", "name": "C", "coverage": 1.0},
        ],
        "coverage",
    )
    assert [row["code"] for row in rows] == ["z", "y", "x"]  # no estimate: last
    assert [r["name"] for r in sort_rows(rows, "nonsense")] == ["A", "B", "C"]


def test_trend_by_hand(db, world):
    points = dashboard(db, actor_of(db, world.wilayah), "region")["trend"]
    assert len(points) == 12
    assert points[-1]["month"] == month_start(today()).strftime("%Y-%m")
    by_k = {k: points[11 + k] for k in range(-11, 1)}
    # covered: a1 -3..2, a2 0, a3 -4..-1, b1 0..1, o1 -1..5, o2 -8..-6 (a4's payment is void)
    expected_active = {0: 4, -1: 3, -2: 2, -3: 2, -4: 1, -5: 0, -6: 1, -7: 1, -8: 1, -9: 0, -10: 0, -11: 0}
    assert {k: p["active"] for k, p in by_k.items()} == expected_active
    expected_lapsed = dict.fromkeys(by_k, 0) | {0: 1, -5: 1}  # a3 this month, o2 five months ago
    assert {k: p["lapsed"] for k, p in by_k.items()} == expected_lapsed
    expected_new = dict.fromkeys(by_k, 0) | {0: 2, -1: 1, -3: 1, -4: 1, -8: 1}
    assert {k: p["new"] for k, p in by_k.items()} == expected_new
    assert by_k[0]["churn"] == 33.3  # 1 lapsed of 3 active last month
    assert by_k[-5]["churn"] == 100.0
    assert by_k[-9]["churn"] is None  # nobody active before: no rate
    # The current month's "active" in the trend is everyone covered this month: aktif + jatuh tempo.
    counts = dashboard(db, actor_of(db, world.wilayah), "region")["counts"]
    assert by_k[0]["active"] == counts["aktif"] + counts["jatuh_tempo"]


def test_trend_of_a_village(db, world):
    points = dashboard(db, actor_of(db, world.duta_a))["trend"]
    assert [p["active"] for p in points][-5:] == [1, 2, 2, 2, 2]  # a3 from -4, a1 from -3, a3 gone & a2 at 0
    assert points[-1]["lapsed"] == 1


def test_targets_progress(db, world):
    data = dashboard(db, actor_of(db, world.wilayah), "region")
    found = {(t["level"], t["code"], t["metric"]): t for t in data["targets"]}
    assert set(found) == {
        ("region", "", "new_members"),
        ("region", "", "active_members"),
        ("region", "", "villages_diresmikan"),
        ("province", "12", "active_members"),
        ("branch", world.branch.code, "new_members"),
    }
    new = in_year(-3, 0, -4, 0, -1, -8)
    assert found[("region", "", "new_members")] | {} == {
        "metric": "new_members",
        "level": "region",
        "code": "",
        "name": found[("region", "", "new_members")]["name"],
        "year": today().year,
        "target": 10,
        "actual": new,
        "percent": round(100 * new / 10, 1),
    }
    assert (found[("region", "", "active_members")]["actual"], found[("region", "", "active_members")]["percent"]) == (
        3,
        37.5,
    )
    assert found[("region", "", "villages_diresmikan")]["actual"] == 1
    assert (
        found[("province", "12", "active_members")]["actual"],
        found[("province", "12", "active_members")]["percent"],
    ) == (2, 50.0)
    assert found[("branch", world.branch.code, "new_members")]["actual"] == in_year(-3, 0, -4, 0)
    branch = dashboard(db, actor_of(db, world.cabang))
    village_target = [t for t in branch["targets"] if t["level"] == "village"]
    assert [(t["code"], t["actual"], t["percent"]) for t in village_target] == [(VILLAGE_A, 1, 50.0)]


def test_cash_held(db, world):
    cash = dashboard(db, actor_of(db, world.wilayah), "region")["cash_held"]
    # a1's cash (6 months, not deposited). b1's is in a submitted deposit: handed in, no longer held (the
    # dues domain's definition, the same as the duta's home); a2's is confirmed, a4's payment is void,
    # the other branch's were paid at the bank.
    assert cash["total"] == 16800 * 6
    assert cash["oldest_days"] == 10
    assert [(d["username"], d["total"], d["payments"], d["oldest_days"]) for d in cash["by_duta"]] == [
        (world.duta_a.username, 100800, 1, 10),
    ]
    village_b = dashboard(db, actor_of(db, world.duta_b))["cash_held"]
    assert village_b["total"] == 0 and village_b["by_duta"] == []


def test_cash_held_agrees_with_the_duta_home_including_a_refund_due(db, world):
    """A rejected registration's cash (refund due) stays with the duta until refunded: the dashboard and
    the duta's home (dues domain) show the same total, whichever scope the dashboard is read at."""
    from app.dues.deposits import cash_context

    make_payment(
        db, world.members["a6"], 0, 0, world.duta_a, status="refund_due", holder=world.duta_a, paid_days_ago=20
    )
    home = cash_context(db, actor_of(db, world.duta_a))["cash_held"]
    home_total = sum(row.total for row in home)
    assert home_total == 16800 * 6 + 16800
    assert [(row.count, row.age_days) for row in home] == [(2, 20)]
    for user, scope in (
        (world.duta_a, None),
        (world.cabang, None),
        (world.wilayah, "region"),
        (world.wilayah, "province:12"),
        (world.wilayah, f"village:{VILLAGE_A}"),
    ):
        cash = dashboard(db, actor_of(db, user), scope)["cash_held"]
        assert cash["total"] == home_total, (user.username, scope)
        assert [(d["username"], d["total"], d["payments"], d["oldest_days"]) for d in cash["by_duta"]] == [
            (world.duta_a.username, home_total, 2, 20)
        ]


def test_event_yield(db, world):
    region = {e["kind"]: e for e in dashboard(db, actor_of(db, world.wilayah), "region")["event_yield"]}
    assert (
        region["sosialisasi"]["events"],
        region["sosialisasi"]["attendance"],
        region["sosialisasi"]["signups"],
        region["sosialisasi"]["aktif"],
    ) == (1, 40, 2, 1)
    assert (region["kemitraan"]["events"], region["kemitraan"]["signups"]) == (1, 1)
    assert (region["jemput_bola"]["events"], region["jemput_bola"]["signups"]) == (1, 1)
    assert (region["senam_bersama"]["events"], region["senam_bersama"]["per_event"]) == (0, None)
    assert region["sosialisasi"]["per_event"] == 2.0 and region["sosialisasi"]["per_100_attending"] == 5.0
    branch = {e["kind"]: e for e in dashboard(db, actor_of(db, world.cabang))["event_yield"]}
    assert (branch["kemitraan"]["events"], branch["jemput_bola"]["events"], branch["jemput_bola"]["signups"]) == (
        1,
        0,
        0,
    )


def test_api_dashboard_contract(client, db, world):
    response = client.get("/api/v1/dashboard", headers=api_headers(client, world.cabang))
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == f"branch:{world.branch.code}"
    for key in ("counts", "villages_by_stage", "targets", "cash_held", "coverage", "trend", "event_yield"):
        assert key in body
    assert body["counts"]["aktif"] == 2
    assert set(body["targets"][0]) >= {"metric", "level", "target", "actual", "percent"}
    assert set(body["cash_held"]) == {"total", "oldest_days", "by_duta"}
    village = client.get(f"/api/v1/dashboard?scope=village:{VILLAGE_B}", headers=api_headers(client, world.cabang))
    assert village.status_code == 200 and village.json()["counts"]["approved"] == 1


def test_dashboard_page_renders_every_part(client, db, world):
    from tests.factories import web_login

    web_login(client, world.wilayah)
    page = client.get("/dashboard?scope=region&sort=-aktif")
    assert page.status_code == 200
    html = page.text
    assert "<progress" in html and "<svg" in html
    assert 'style="' not in html
    assert "/dashboard?scope=province%3A12" in html  # drill-down link
    assert "/reports/members.xlsx?scope=region" in html
    assert "Rp100.800" in html  # cash held by duta_a
    branch = client.get(f"/dashboard?scope=branch:{world.branch.code}")
    assert branch.status_code == 200 and f"village%3A{VILLAGE_A.replace('.', '.')}" in branch.text
    village = client.get(f"/dashboard?scope=village:{VILLAGE_OTHER_BRANCH}")
    assert village.status_code == 200


def test_old_cover_before_the_window_is_not_in_the_trend(db, world):
    """A payment that ended 20 months ago touches no month of the chart."""
    from tests.factories import make_member
    from tests.reports.conftest import make_payment

    before = dashboard(db, actor_of(db, world.duta_a))["trend"]
    old = make_member(db, world.duta_a, VILLAGE_A, "approved", covered_until=month(-20), first_covered=month(-22))
    make_payment(db, old, -22, -20, world.duta_a, channel="bank")
    after = dashboard(db, actor_of(db, world.duta_a))["trend"]
    assert after == before
    assert after[0]["month"] == add_months(month_start(today()), -11).strftime("%Y-%m")
    assert dt.date.fromisoformat(after[0]["month"] + "-01") > month(-20)


def test_event_yield_follows_the_event_not_the_members_village(db, world):
    from tests.factories import make_member

    make_member(db, world.duta_b, VILLAGE_B, "submitted", event_id=world.events["sosialisasi"].id)
    branch = {e["kind"]: e for e in dashboard(db, actor_of(db, world.cabang))["event_yield"]}
    assert branch["sosialisasi"]["signups"] == 3  # a1, a2 and the new one from village B
    village_b = {e["kind"]: e for e in dashboard(db, actor_of(db, world.cabang), f"village:{VILLAGE_B}")["event_yield"]}
    assert village_b["sosialisasi"]["events"] == 0 and village_b["sosialisasi"]["signups"] == 0
