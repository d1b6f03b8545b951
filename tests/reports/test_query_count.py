"""The dashboard issues a fixed number of SQL statements, however many villages it covers (no N+1)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.dues import deposits as dues_deposits
from app.rates import service as rates
from app.regions.models import Village
from tests.factories import make_member, web_login
from tests.reports.conftest import make_payment, month


@pytest.fixture(autouse=True)
def rates_kept(monkeypatch):
    """The rate tables are read again every REFRESH_SECONDS: whichever request came next would count
    their two statements, so here they stay loaded (read once, by the first request)."""
    monkeypatch.setattr(rates, "REFRESH_SECONDS", float("inf"))


@contextmanager
def counted(db):
    statements: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", listener)


def populate(db, world, villages):
    for i, village in enumerate(villages):
        village.stage = "calon" if i % 2 else "sosialisasi"
        village.estimated_informal_workers = 10 + i
        member = make_member(db, world.duta_a, village.code, "approved")
        make_payment(db, member, -2, 1, world.duta_a, holder=world.duta_a)
    db.commit()


def test_same_number_of_queries_for_3_and_30_villages(client, db, world):
    villages = db.exec(
        select(Village).where(Village.regency_code == "12.07").order_by(Village.code).offset(10).limit(30)
    ).all()
    web_login(client, world.cabang)
    url = f"/dashboard?scope=branch:{world.branch.code}"
    populate(db, world, villages[:3])
    client.get(url)  # warm-up
    with counted(db) as few:
        assert client.get(url).status_code == 200
    populate(db, world, villages[3:])
    with counted(db) as many:
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('href="/dashboard?scope=village%3A') >= 30
    assert len(few) > 5  # the listener sees the statements
    assert len(few) == len(many), (len(few), len(many))


def test_region_dashboard_query_count_does_not_grow(client, db, world):
    villages = db.exec(select(Village).where(Village.province_code == "11").order_by(Village.code).limit(20)).all()
    web_login(client, world.wilayah)
    client.get("/dashboard")
    with counted(db) as before:
        client.get("/dashboard")
    populate(db, world, villages)
    with counted(db) as after:
        client.get("/dashboard")
    assert len(before) == len(after)


def grow(db, world, rows: int) -> None:
    """`rows` more of everything the list pages show, through the services where they have one: members
    waiting and approved (with cash payments held and handed in), events, villages in the programme."""
    from app.core.clock import today
    from app.events.models import Event
    from tests.factories import VILLAGE_A, VILLAGE_B, actor_of
    from tests.factories import make_payment as pay

    villages = db.exec(
        select(Village)
        .where(Village.regency_code == "12.07", Village.stage.is_(None))
        .order_by(Village.code)
        .limit(rows)
    ).all()
    for i, village in enumerate(villages):
        for duta, code in ((world.duta_a, VILLAGE_A), (world.duta_b, VILLAGE_B)):
            make_member(db, duta, code, "submitted")
            member = make_member(db, duta, code, "approved", covered_until=month(0))
            held = pay(db, duta, member)
            handed_in = pay(db, duta, member)
            dues_deposits.create_deposit(db, actor_of(db, duta), [handed_in.receipt_number])
            assert held.holder_id == duta.id
        db.add(
            Event(
                kind="sosialisasi",
                title=f"Sosialisasi {i}",
                date=today(),
                place="Balai desa",
                village_code=VILLAGE_A,
                attendance=20,
                created_by_id=world.cabang.id,
            )
        )
        village.stage, village.estimated_informal_workers = "calon", 100 + i
    db.commit()


PAGES = [
    ("duta_a", "/"),
    ("duta_a", "/members"),
    ("duta_a", "/deposits"),
    ("duta_a", "/events"),
    ("cabang", "/"),
    ("cabang", "/approvals"),
    ("cabang", "/members"),
    ("cabang", "/deposits"),
    ("cabang", "/villages"),
    ("cabang", "/events"),
    ("cabang", "/dashboard"),
    ("cabang", "/users"),
    ("wilayah", "/"),
    ("wilayah", "/dashboard"),
    ("wilayah", "/villages"),
    ("wilayah", "/events"),
    ("wilayah", "/audit"),
    ("wilayah", "/members"),
]


def test_list_pages_issue_the_same_statements_for_few_and_many_rows(client, db, world):
    """Every page that lists rows: the statement count does not grow with the rows shown (no N+1)."""
    few: dict[tuple[str, str], int] = {}
    grow(db, world, 2)
    for who, path in PAGES:
        web_login(client, getattr(world, who))
        client.get(path)  # warm-up
        with counted(db) as statements:
            assert client.get(path).status_code == 200, (who, path)
        few[who, path] = len(statements)
        client.cookies.clear()
    grow(db, world, 6)
    grown = {}
    for who, path in PAGES:
        web_login(client, getattr(world, who))
        with counted(db) as statements:
            assert client.get(path).status_code == 200, (who, path)
        grown[who, path] = len(statements)
        client.cookies.clear()
    assert min(few.values()) > 2  # the listener sees the statements
    assert grown == few
