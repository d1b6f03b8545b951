"""Every SQLite connection the app opens: WAL (readers beside the writer), foreign keys enforced, and
commits synced to disk (synchronous=FULL: 2), so a recorded payment survives a power cut."""

from sqlalchemy import text

from app.core.db import make_engine


def test_sqlite_connections_are_durable_and_checked(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    finally:
        engine.dispose()
