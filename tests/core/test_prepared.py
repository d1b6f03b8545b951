"""`core.db.Prepared`: hot-path statements run on the DBAPI cursor behave as SQLAlchemy's own execution
does (values and rows through the column types, errors, listeners), on both databases."""

import datetime as dt

import pytest
from sqlalchemy import bindparam, event, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.core.clock import utcnow
from app.core.db import Prepared, get_locked, insert_row, next_row_id, sent_together
from app.core.idempotency import IdempotencyKey
from app.core.sequences import Counter
from app.dues.models import Payment
from app.members.models import Member
from tests.factories import make_member, make_user

MEMBER = Member.__table__.c
_COVER = Prepared(
    update(Member.__table__).where(MEMBER.id == bindparam("member_id")).values(covered_until=bindparam("covered_until"))
)
_READ = Prepared(
    select(MEMBER.birth_date, MEMBER.jht, MEMBER.created_at, MEMBER.covered_until).where(
        MEMBER.id == bindparam("member_id")
    )
)
_BY_COVER = Prepared(select(MEMBER.id).where(MEMBER.covered_until == bindparam("month")).order_by(MEMBER.id).limit(5))


def test_values_and_rows_go_through_the_column_types(db):
    duta = make_user(db, "duta")
    member = make_member(db, duta, jht=True)
    _COVER.execute(db, {"member_id": member.id, "covered_until": dt.date(2026, 11, 1)})

    [(birth_date, jht, created_at, covered_until)] = _READ.execute(db, {"member_id": member.id})
    assert (birth_date, jht, covered_until) == (member.birth_date, True, dt.date(2026, 11, 1))
    assert isinstance(created_at, dt.datetime)
    # Stored as SQLAlchemy stores a date: its own queries find it (a literal LIMIT is a bind with a value).
    assert db.exec(select(Member.id).where(Member.covered_until == dt.date(2026, 11, 1))).all() == [member.id]
    assert _BY_COVER.execute(db, {"month": dt.date(2026, 11, 1)}) == [(member.id,)]


def test_many_rows_at_once(db):
    statement = Prepared(insert(Counter.__table__))
    assert statement.execute(db, [{"name": "uji-a", "value": 3}, {"name": "uji-b", "value": 4}]) == []
    assert statement.execute(db, []) == []  # nothing to write: no statement
    assert db.exec(select(Counter.value).where(Counter.name.in_(["uji-a", "uji-b"])).order_by(Counter.name)).all() == [
        3,
        4,
    ]


def test_a_database_error_is_raised_as_sqlalchemy_raises_it(db):
    duta = make_user(db, "duta")
    claim = Prepared(insert(IdempotencyKey.__table__))
    row = {"user_id": duta.id, "key": "uji", "action": "payment", "result_id": "1", "created_at": utcnow()}
    claim.execute(db, row)
    with pytest.raises(IntegrityError), db.begin_nested():  # PostgreSQL: the savepoint takes the failed statement
        claim.execute(db, row)


def _counter_values(db, names):
    return db.exec(select(Counter.value).where(Counter.name.in_(names)).order_by(Counter.name)).all()


def test_statements_sent_together_are_all_written_by_the_end_of_the_block(db):
    statement = Prepared(insert(Counter.__table__))
    names = ["uji-c", "uji-d", "uji-e"]
    seen = []
    connection = db.connection()
    listener = lambda _conn, _cursor, sql, *_rest: seen.append(sql)  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        with sent_together(db):
            statement.execute(db, {"name": "uji-c", "value": 5})
            statement.execute(db, [{"name": "uji-d", "value": 6}, {"name": "uji-e", "value": 7}])
            held_back = _counter_values(db, names)
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    inserts = [sql for sql in seen if "INSERT INTO counter" in sql]
    if db.get_bind().dialect.name == "postgresql":
        # Held back to the end, then one statement: each row its own WITH query, with its own values.
        assert held_back == []
        assert len(inserts) == 1 and inserts[0].startswith("WITH w0 AS (INSERT INTO counter")
    else:
        assert held_back == [5, 6, 7] and len(inserts) == 2  # one by one, the list of rows in one executemany
    assert _counter_values(db, names) == [5, 6, 7]


def test_nothing_is_sent_when_the_block_fails(db):
    statement = Prepared(insert(Counter.__table__))
    with pytest.raises(RuntimeError), sent_together(db):
        statement.execute(db, {"name": "uji-f", "value": 8})
        raise RuntimeError("the caller's own error")
    if db.get_bind().dialect.name == "postgresql":
        assert _counter_values(db, ["uji-f"]) == []
    statement.execute(db, {"name": "uji-g", "value": 9})  # outside a block again: written at once
    assert _counter_values(db, ["uji-g"]) == [9]


def test_a_statement_with_rows_sent_together_still_gives_them(db):
    duta = make_user(db, "duta")
    member = make_member(db, duta)
    with sent_together(db):
        _COVER.execute(db, {"member_id": member.id, "covered_until": dt.date(2027, 1, 1)})
        # Reads what the block wrote before it: the writes held back are sent first.
        assert _READ.execute(db, {"member_id": member.id})[0][3] == dt.date(2027, 1, 1)


def test_an_error_sent_together_is_raised_as_sqlalchemy_raises_it(db):
    duta = make_user(db, "duta")
    claim = Prepared(insert(IdempotencyKey.__table__))
    row = {"user_id": duta.id, "key": "uji", "action": "payment", "result_id": "1", "created_at": utcnow()}
    claim.execute(db, row)
    with pytest.raises(IntegrityError), db.begin_nested(), sent_together(db):
        claim.execute(db, row)
    # The savepoint took the failed statement: the session goes on.
    assert db.exec(select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.user_id == duta.id)).one() == 1


def test_listeners_see_the_statement(db):
    seen = []
    connection = db.connection()
    listener = lambda _conn, _cursor, statement, *_rest: seen.append(statement)  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        _BY_COVER.execute(db, {"month": dt.date(2026, 11, 1)})
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    assert len(seen) == 1 and seen[0].startswith("SELECT member.id")


def test_insert_row_gives_the_columns_left_out_their_model_defaults(db):
    duta = make_user(db, "duta")
    member = make_member(db, duta)
    payment = insert_row(
        db,
        Payment,
        {
            "receipt_number": "KW-UJI-000001",
            "member_id": member.id,
            "months": 1,
            "monthly_amount": 16_800,
            "amount": 16_800,
            "channel": "tunai",
            "reference": None,
            "paid_on": dt.date(2026, 11, 2),
            "cover_from": dt.date(2026, 11, 1),
            "cover_to": dt.date(2026, 11, 1),
            "recorded_by_id": duta.id,
            "holder_id": duta.id,
        },
    )
    assert payment.status == "valid" and isinstance(payment.recorded_at, dt.datetime)
    assert payment.paid_on == dt.date(2026, 11, 2)
    assert db.get(Payment, payment.id) is payment
    # Written in the form SQLAlchemy writes (SQLite: its own text format of an aware datetime), so the
    # ORM reads back the same moment.
    assert db.exec(select(Payment.recorded_at).where(Payment.id == payment.id)).one() == payment.recorded_at


def test_insert_row_with_its_key_given_writes_every_column_and_returns_nothing(db):
    duta = make_user(db, "duta")
    member = make_member(db, duta)
    postgres = db.get_bind().dialect.name == "postgresql"
    payment_id = db.execute(select(next_row_id(Payment.__table__))).scalar() if postgres else 10**6
    values = {
        "receipt_number": "KW-UJI-000002",
        "member_id": member.id,
        "months": 1,
        "monthly_amount": 16_800,
        "amount": 16_800,
        "channel": "tunai",
        "reference": None,
        "paid_on": dt.date(2026, 11, 2),
        "cover_from": dt.date(2026, 11, 1),
        "cover_to": dt.date(2026, 11, 1),
        "recorded_by_id": duta.id,
        "holder_id": duta.id,
    }
    with sent_together(db):
        payment = insert_row(db, Payment, dict(values, id=payment_id))
        written = db.exec(select(func.count()).select_from(Payment).where(Payment.id == payment_id)).one()
    assert written == (0 if postgres else 1)  # PostgreSQL: held back with the block's other writes
    assert payment.id == payment_id and db.get(Payment, payment_id) is payment
    assert (payment.status, payment.deposit_id, payment.voided_at) == ("valid", None, None)
    recorded_at = payment.recorded_at
    db.refresh(payment)  # the row holds what the object held
    assert (payment.receipt_number, payment.recorded_at, payment.deposit_id) == ("KW-UJI-000002", recorded_at, None)
    # The database's own numbering goes on after it (PostgreSQL: the id was the serial's next one).
    later = insert_row(db, Payment, dict(values, receipt_number="KW-UJI-000003"))
    assert later.id > payment_id


def test_insert_row_with_its_key_given_refuses_to_guess_a_database_default(db):
    from app.core.audit import AuditEntry

    duta = make_user(db, "duta")
    values = {
        "at": utcnow(),
        "actor_id": duta.id,
        "actor_name": duta.username,
        "action": "uji",
        "object_type": "uji",
        "object_id": "1",
    }
    with pytest.raises(TypeError, match="detail"):
        insert_row(db, AuditEntry, dict(values, id=10**6))
    assert insert_row(db, AuditEntry, values).detail == "{}"  # without the key: RETURNING gives it


def test_get_locked_brings_the_sessions_copy_up_to_date(db):
    duta = make_user(db, "duta")
    member = make_member(db, duta)
    # Changed behind the session's back (as a concurrent request's commit would): the copy still says None.
    _COVER.execute(db, {"member_id": member.id, "covered_until": dt.date(2026, 12, 1)})
    assert member.covered_until is None

    locked = get_locked(db, Member, member.id)
    assert locked is member and member.covered_until == dt.date(2026, 12, 1)
    assert not db.is_modified(member)
    assert get_locked(db, Member, -1) is None


def test_get_locked_loads_a_row_the_session_does_not_hold(db):
    duta = make_user(db, "duta")
    member_id = make_member(db, duta, covered_until=dt.date(2026, 10, 1)).id
    db.expunge_all()

    locked = get_locked(db, Member, member_id)
    assert locked.covered_until == dt.date(2026, 10, 1) and locked in db
    assert db.get(Member, member_id) is locked
    locked.phone = "+6281200000000"
    db.flush()  # a persistent object: the change is an UPDATE of that row
    assert db.exec(select(Member.phone).where(Member.id == member_id)).one() == "+6281200000000"


def test_the_column_types_rules_hold(db):
    """Values pass through the column types as in SQLAlchemy's own execution: a naive datetime is
    refused (the columns keep aware UTC times), not stored as the driver would write it."""
    duta = make_user(db, "duta")
    claim = Prepared(insert(IdempotencyKey.__table__))
    with pytest.raises(ValueError, match="timezone"):
        claim.execute(
            db,
            {
                "user_id": duta.id,
                "key": "uji",
                "action": "payment",
                "result_id": "1",
                "created_at": dt.datetime(2026, 12, 1, 12, 0),
            },
        )
