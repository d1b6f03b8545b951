"""`core.idempotency`: a key is claimed once; its result is found again."""

from app.core.idempotency import PENDING, claim, find, settle
from tests.factories import make_user


def test_a_key_is_claimed_once(db):
    duta = make_user(db, "duta")
    assert claim(db, duta.id, "uji-1", "payment", PENDING) is True
    savepoint = db.begin_nested()  # PostgreSQL: the failed statement spoils the savepoint, not the test
    assert claim(db, duta.id, "uji-1", "payment", PENDING) is False
    savepoint.rollback()


def test_a_settled_key_gives_its_result(db):
    duta = make_user(db, "duta")
    assert find(db, duta.id, "uji-2", "payment") is None
    claim(db, duta.id, "uji-2", "payment", PENDING)
    settle(db, duta.id, "uji-2", "KW-2026-000001")
    assert find(db, duta.id, "uji-2", "payment") == "KW-2026-000001"
