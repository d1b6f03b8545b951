"""No one can edit or delete audit entries: no endpoint offers it, and the database refuses it."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core import audit
from app.main import app
from tests.factories import api_headers


def _latest_entry(db) -> int:
    return db.execute(text("SELECT max(id) FROM audit_entry")).scalar_one()


def test_no_route_changes_the_log():
    for route in app.routes:
        if "audit" in getattr(route, "path", ""):
            assert route.methods <= {"GET", "HEAD"}, route.path


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_writing_methods_are_refused(client, db, people, method):
    audit.record(db, people.actor(people.admin), "export", "village", "12.07.02.2001")
    db.commit()
    entry_id = _latest_entry(db)
    headers = api_headers(client, people.admin)
    for path in ("/api/v1/audit", f"/api/v1/audit/{entry_id}"):
        response = client.request(method.upper(), path, headers=headers, json={"action": "x"})
        assert response.status_code in (404, 405)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'rewritten' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
    ],
)
def test_database_refuses_update_and_delete(db, people, statement):
    audit.record(db, people.actor(people.admin), "login", "user", people.admin.id)
    db.commit()
    entry_id = _latest_entry(db)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement), {"id": entry_id})
    db.expire_all()
    assert db.execute(text("SELECT action FROM audit_entry WHERE id = :id"), {"id": entry_id}).scalar_one() == "login"


def test_inserting_still_works(db, people):
    before = db.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
    audit.record(db, people.actor(people.admin), "login", "user", people.admin.id)
    db.commit()
    assert db.execute(text("SELECT count(*) FROM audit_entry")).scalar_one() == before + 1


def test_the_one_change_allowed_is_a_folded_entry_counting_up(db, people):
    """`times` of an entry of `record_repeats` may grow; every other column, and every other change, is
    refused. A column added to audit_entry without adding it to the SQLite trigger fails here."""
    import datetime as dt

    from sqlalchemy import update

    from app.core.audit import AuditEntry

    for _ in range(2):
        audit.record_repeats(db, None, "login_locked", "user", "ghost", actor_name="ghost", ip="10.0.0.1")
    db.commit()
    entry_id = _latest_entry(db)
    changes = {
        "id": entry_id + 1_000_000,
        "at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        "actor_id": people.admin.id,
        "actor_name": "someone",
        "action": "login",
        "object_type": "branch",
        "object_id": "other",
        "detail": "{}",
        "fold_key": "f" * 64,
    }
    assert set(changes) | {"times"} == set(AuditEntry.__table__.columns.keys())
    grow = AuditEntry.times + 1
    for column, value in changes.items():
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values({column: value, "times": grow}))
    for times in (AuditEntry.times - 1, AuditEntry.times, None):
        with pytest.raises(DBAPIError), db.begin_nested():
            db.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(times=times))
    with db.begin_nested():
        db.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(times=grow))
    assert db.execute(text("SELECT times FROM audit_entry WHERE id = :id"), {"id": entry_id}).scalar_one() == 3

    audit.record(db, people.actor(people.admin), "login", "user", people.admin.id)
    db.commit()
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():  # an ordinary entry: no change
        db.execute(update(AuditEntry).where(AuditEntry.id == _latest_entry(db)).values(times=grow))
