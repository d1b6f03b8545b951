from alembic import context
from sqlalchemy import event

import app.models  # noqa: F401  (registers every table)
from app.core.config import get_settings
from app.core.db import make_engine, metadata

config = context.config


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    if engine.dialect.name == "sqlite":
        # Batch mode alters a SQLite table by copying it and dropping the old one, which fails while
        # other tables' rows point to it and foreign keys are on: off for the migration's connections
        # (set at connect, after the app's pragmas; inside a transaction SQLite would ignore it).
        event.listen(engine, "connect", _foreign_keys_off)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _foreign_keys_off(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _run(connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite; it is a no-op wrapper on PostgreSQL.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
