"""`core.idempotency`: a claim that takes other values in its own statement takes them only when the
key is claimed (a payment's receipt number and row id: a repeated request takes no number)."""

import pytest
from sqlalchemy import BigInteger, literal, text

from app.core.idempotency import PENDING, claim, claim_taking, claiming
from app.core.sequences import next_value_of
from tests.factories import make_user


def test_a_key_is_claimed_once(db):
    duta = make_user(db, "duta")
    assert claim(db, duta.id, "uji-1", "payment", PENDING) is True
    savepoint = db.begin_nested()  # PostgreSQL: the failed statement spoils the savepoint, not the test
    assert claim(db, duta.id, "uji-1", "payment", PENDING) is False
    savepoint.rollback()


def test_a_claim_gives_its_values(db):
    duta = make_user(db, "duta")
    statement = claiming(literal(7, BigInteger), literal(8, BigInteger))
    assert claim_taking(db, statement, duta.id, "uji-2", "payment", PENDING) == (7, 8)
    savepoint = db.begin_nested()
    assert claim_taking(db, statement, duta.id, "uji-2", "payment", PENDING) is None
    savepoint.rollback()


# Sequences are PostgreSQL's (SQLite takes the number after the claim, a statement later).
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_refused_claim_takes_no_number(db):
    duta = make_user(db, "duta")
    db.execute(text("CREATE SEQUENCE uji_claim_numbers"))  # gone with the test's transaction
    statement = claiming(next_value_of("sequence"))
    numbers = {"sequence": "uji_claim_numbers"}
    assert claim_taking(db, statement, duta.id, "uji-3", "payment", PENDING, **numbers) == (1,)
    for _ in range(2):
        savepoint = db.begin_nested()
        assert claim_taking(db, statement, duta.id, "uji-3", "payment", PENDING, **numbers) is None
        savepoint.rollback()
    assert claim_taking(db, statement, duta.id, "uji-4", "payment", PENDING, **numbers) == (2,)
    # Before the counter's first use its sequence does not exist: NULL, not an error.
    assert claim_taking(
        db, claiming(next_value_of("sequence")), duta.id, "uji-5", "payment", PENDING, sequence="counter_uji_belum_ada"
    ) == (None,)
