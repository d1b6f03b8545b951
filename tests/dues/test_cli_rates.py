"""`duta rates`: list the rates and add occupation discounts (operator CLI, own SQLite database)."""

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

import app.core.db as core_db
from app.cli import app as cli
from app.core import migrate
from app.core.audit import AuditEntry
from app.core.config import get_settings
from app.rates.models import RateDiscount

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'rates.sqlite3'}"
    migrate.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    previous = core_db._engine
    core_db._engine = None
    yield url
    if core_db._engine is not None:
        core_db._engine.dispose()
    core_db._engine = previous
    get_settings.cache_clear()


def run(*args):
    return runner.invoke(cli, list(args))


def test_rates_list_shows_the_seeded_rate_and_no_discount(cli_db):
    result = run("rates", "list")
    assert result.exit_code == 0, result.output
    assert "JKK 1%" in result.output and "JKM 6800" in result.output and "JHT 2%" in result.output
    assert "no discounts" in result.output


def test_discount_add_then_listed_and_audited(cli_db):
    result = run(
        "rates",
        "discount",
        "add",
        "--occupation",
        "nelayan",
        "--from",
        "2027-01",
        "--to",
        "2027-06",
        "--jkk-off",
        "50",
        "--jkm-off",
        "50",
        "--note",
        "musim paceklik",
    )
    assert result.exit_code == 0, result.output
    assert "nelayan 2027-01..2027-06" in run("rates", "list").output
    with Session(core_db.get_engine()) as session:
        discount = session.exec(select(RateDiscount)).one()
        assert (discount.jkk_percent_off, discount.jkm_percent_off, discount.note) == (50, 50, "musim paceklik")
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "discount_added")).one().actor_name == "cli"


@pytest.mark.parametrize(
    "args, field",
    [
        (["--occupation", "astronot", "--from", "2027-01", "--to", "2027-02", "--jkk-off", "50"], "occupation"),
        (["--occupation", "nelayan", "--from", "2027-05", "--to", "2027-02", "--jkk-off", "50"], "to"),
        (["--occupation", "nelayan", "--from", "Jan", "--to", "2027-02", "--jkk-off", "50"], "from"),
        (["--occupation", "nelayan", "--from", "2027-01", "--to", "2027-02", "--jkk-off", "150"], "jkk_off"),
        (["--occupation", "nelayan", "--from", "2027-01", "--to", "2027-02", "--jkm-off", "-5"], "jkm_off"),
        (["--occupation", "nelayan", "--from", "2027-01", "--to", "2027-02"], "jkk_off"),
    ],
)
def test_discount_add_validates(cli_db, args, field):
    result = run("rates", "discount", "add", *args)
    assert result.exit_code == 2
    assert f"error: {field}:" in result.output
    with Session(core_db.get_engine()) as session:
        assert session.exec(select(RateDiscount)).all() == []
