"""`core.idempotency`: a key is claimed once; its result is found again, for the same request only."""

import pytest

from app.core.errors import Invalid
from app.core.idempotency import (
    MAX_KEY_LENGTH,
    PENDING,
    IdempotencyKey,
    claim,
    clean_key,
    find,
    fingerprint,
    key_to_show_again,
    settle,
)
from tests.factories import make_user

PAYMENT = fingerprint("payment", {"member_id": 1, "months": 2})


def test_a_key_is_claimed_once(db):
    duta = make_user(db, "duta")
    assert claim(db, duta.id, "uji-1", "payment", PAYMENT, PENDING) is True
    savepoint = db.begin_nested()  # PostgreSQL: the failed statement spoils the savepoint, not the test
    assert claim(db, duta.id, "uji-1", "payment", PAYMENT, PENDING) is False
    savepoint.rollback()


def test_a_settled_key_gives_its_result(db):
    duta = make_user(db, "duta")
    assert find(db, duta.id, "uji-2", "payment", PAYMENT) is None
    claim(db, duta.id, "uji-2", "payment", PAYMENT, PENDING)
    settle(db, duta.id, "uji-2", "KW-2026-000001")
    assert find(db, duta.id, "uji-2", "payment", PAYMENT) == "KW-2026-000001"


def test_the_key_of_another_request_is_refused_beside_the_key(db):
    duta = make_user(db, "duta")
    claim(db, duta.id, "uji-3", "payment", PAYMENT, "KW-2026-000001")
    other = fingerprint("payment", {"member_id": 2, "months": 2})
    with pytest.raises(Invalid) as refused:
        find(db, duta.id, "uji-3", "payment", other)
    assert set(refused.value.errors) == {"idempotency_key"}
    with pytest.raises(Invalid):  # another action with the key is another request too
        find(db, duta.id, "uji-3", "deposit", PAYMENT)


def test_a_key_claimed_before_fingerprints_answers_its_action(db):
    """Rows from before migration 0008 have no fingerprint: a retry sent across the upgrade still finds
    its result rather than being refused (and recorded again by hand)."""
    duta = make_user(db, "duta")
    db.add(IdempotencyKey(user_id=duta.id, key="old", action="payment", result_id="KW-2026-000009"))
    db.commit()
    assert find(db, duta.id, "old", "payment", PAYMENT) == "KW-2026-000009"
    with pytest.raises(Invalid):
        find(db, duta.id, "old", "deposit", PAYMENT)


def test_the_fingerprint_follows_action_and_inputs_not_their_order():
    assert fingerprint("payment", {"a": 1, "b": "x"}) == fingerprint("payment", {"b": "x", "a": 1})
    assert fingerprint("payment", {"a": 1}) != fingerprint("deposit", {"a": 1})
    assert fingerprint("payment", {"a": 1}) != fingerprint("payment", {"a": 2})
    assert len(fingerprint("payment", {})) == 64


def test_a_long_key_is_refused_not_cut():
    assert clean_key("  k-1 ") == "k-1"
    assert clean_key("") is None and clean_key(None) is None
    assert clean_key("k" * MAX_KEY_LENGTH) == "k" * MAX_KEY_LENGTH
    with pytest.raises(Invalid) as refused:
        clean_key("k" * (MAX_KEY_LENGTH + 1))
    assert set(refused.value.errors) == {"idempotency_key"}


def test_a_refused_form_gets_a_new_key_only_when_the_key_was_refused():
    assert key_to_show_again("k-1", {"months": "…"}) == "k-1"
    assert key_to_show_again("k-1", {"idempotency_key": "…"}) not in ("k-1", "")
    assert key_to_show_again("", {}) != ""
