"""Run Alembic from code (the CLI and the tests use the same migrations as production)."""

from alembic import command
from alembic.config import Config

from app.core.config import ROOT


def alembic_config(database_url: str | None = None, connection=None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    if database_url:
        config.attributes["database_url"] = database_url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
