"""The dashboard issues a fixed number of SQL statements, however many villages it covers (no N+1)."""

from contextlib import contextmanager

from sqlalchemy import event
from sqlmodel import select

from app.regions.models import Village
from tests.factories import make_member, web_login
from tests.reports.conftest import make_payment


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
    villages = db.exec(select(Village).where(Village.regency_code == "12.07").order_by(Village.code).offset(10)
                       .limit(30)).all()
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
