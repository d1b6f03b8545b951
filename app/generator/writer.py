"""Rows kept per table and written through the session: Core INSERTs executed with a few thousand rows
at a time (executemany), parents before children, inside the caller's transaction.

The big tables' secondary indexes are dropped for the load and made again after it (and after the
roll-ups are rebuilt), from the models' own `Index` objects.
"""

from sqlalchemy import Index, func, insert, select
from sqlmodel import Session, SQLModel

from app.auth.models import User, UserVillage
from app.core.db import table_of
from app.dues.models import Deposit, Payment
from app.events.models import Event
from app.members.models import Member
from app.programme.models import StageChange, VillageOfficial

BATCH = 5_000
# The order of writing: a row's foreign keys point to rows written in an earlier place or flush.
ORDER: tuple[type[SQLModel], ...] = (User, UserVillage, Event, StageChange, Deposit, Member, Payment, VillageOfficial)
# Tables whose ids the generator gives itself (it links rows before writing them).
NUMBERED: tuple[type[SQLModel], ...] = (User, Event, StageChange, Deposit, Member, Payment)
# Tables whose non-unique indexes wait for the end of the load.
INDEXED_AFTER: tuple[type[SQLModel], ...] = (Deposit, Member, Payment)


class Writer:
    def __init__(self, session: Session):
        self.session = session
        self.rows: dict[type[SQLModel], list[dict]] = {model: [] for model in ORDER}
        # The next free id per table, after the rows already there.
        self.ids = {
            model: (session.execute(select(func.max(table_of(model).c.id))).scalar() or 0) + 1 for model in NUMBERED
        }

    def drop_indexes(self) -> list[Index]:
        """Drops the big tables' non-unique indexes (the migrations make the models' ones); returns them
        for `create_indexes`."""
        connection = self.session.connection()
        indexes = [
            index
            for model in INDEXED_AFTER
            for index in sorted(table_of(model).indexes, key=lambda index: index.name or "")
            if not index.unique
        ]
        for index in indexes:
            index.drop(bind=connection)
        return indexes

    def create_indexes(self, indexes: list[Index]) -> None:
        connection = self.session.connection()
        for index in indexes:
            index.create(bind=connection)

    def new_id(self, model: type[SQLModel]) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def add(self, model: type[SQLModel], row: dict) -> None:
        self.rows[model].append(row)

    def pending(self, model: type[SQLModel]) -> int:
        return len(self.rows[model])

    def flush(self) -> None:
        for model in ORDER:
            rows = self.rows[model]
            statement = insert(table_of(model))
            for start in range(0, len(rows), BATCH):
                self.session.execute(statement, rows[start : start + BATCH])
            self.rows[model] = []

    def continue_ids(self) -> None:
        """PostgreSQL: each id sequence continues after the ids given here (SQLite's rowids already do)."""
        bind = self.session.get_bind()
        if bind.dialect.name != "postgresql":
            return
        quote = bind.dialect.identifier_preparer.quote
        for model in NUMBERED:
            table = table_of(model)
            last = select(func.max(table.c.id)).scalar_subquery()
            # setval of NULL (an empty table) changes nothing.
            self.session.execute(select(func.setval(func.pg_get_serial_sequence(quote(table.name), "id"), last)))
