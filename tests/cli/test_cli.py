"""The `duta` command line against its own temporary SQLite database (DATABASE_URL in the environment)."""

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

import app.core.db as core_db
from app.auth.models import User, UserVillage
from app.cli import app as cli
from app.core.config import get_settings
from app.regions.models import Regency

runner = CliRunner()


def _use_database(monkeypatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    if core_db._engine is not None:
        core_db._engine.dispose()
    core_db._engine = None


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    """One migrated database with the regions loaded, shared by this module's tests (in order)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite3'}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_database(monkeypatch, url)
        yield url
        if core_db._engine is not None:
            core_db._engine.dispose()
        core_db._engine = None
    get_settings.cache_clear()


def run(*args, input: str | None = None):
    return runner.invoke(cli, list(args), input=input)


def test_db_upgrade_and_regions_load(cli_db):
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "head" in result.output
    result = run("regions", "load")
    assert result.exit_code == 0, result.output
    assert "2 provinces" in result.output
    assert "56 regencies, 745 districts, 12610 villages (13413 new)" in result.output
    again = run("regions", "load")
    assert again.exit_code == 0
    assert "(0 new)" in again.output


def test_regions_villages_prints_code_and_name(cli_db):
    result = run("regions", "villages", "12.07.02")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 26
    assert "12.07.02.2001 Medan Senembah" in lines
    assert all(line.startswith("12.07.02.") and " " in line for line in lines)
    assert len(run("regions", "villages", "11").output.strip().splitlines()) == 6500


@pytest.mark.parametrize("code", ["1", "99", "12.07.99", "xx"])
def test_regions_villages_bad_code(cli_db, code):
    result = run("regions", "villages", code)
    assert result.exit_code == 2
    assert "error" in result.output


def test_branch_add(cli_db):
    result = run("branch", "add", "LBP", "Kantor Cabang Lubuk Pakam", "--regency", "12.07", "--regency", "12.18")
    assert result.exit_code == 0, result.output
    with Session(core_db.get_engine()) as session:
        assert session.get(Regency, "12.07").branch_code == "LBP"
        assert session.get(Regency, "12.18").branch_code == "LBP"


def test_branch_add_bad_regency(cli_db):
    result = run("branch", "add", "XYZ", "Kantor Salah", "--regency", "99.99")
    assert result.exit_code == 2
    assert "99.99" in result.output


def test_branch_add_taken_regency(cli_db):
    result = run("branch", "add", "OTHER", "Kantor Lain", "--regency", "12.07")
    assert result.exit_code == 2
    assert "12.07" in result.output
    with Session(core_db.get_engine()) as session:
        assert session.get(Regency, "12.07").branch_code == "LBP"


def test_user_add_with_password_from_stdin(cli_db):
    result = run(
        "user",
        "add",
        "duta.senembah",
        "--role",
        "duta",
        "--village",
        "12.07.02.2001",
        "--branch",
        "LBP",
        "--password-stdin",
        input="a-good-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "duta.senembah" in result.output
    with Session(core_db.get_engine()) as session:
        user = session.exec(select(User).where(User.username == "duta.senembah")).one()
        assert user.role == "duta"
        assert user.password_hash != "a-good-password"
        codes = session.exec(select(UserVillage.village_code).where(UserVillage.user_id == user.id)).all()
        assert codes == ["12.07.02.2001"]
    # The password read from stdin logs in.
    from app.auth.service import authenticate

    with Session(core_db.get_engine()) as session:
        assert authenticate(session, "duta.senembah", "a-good-password", "127.0.0.1").id == user.id


def test_user_add_unknown_role(cli_db):
    result = run("user", "add", "someone", "--role", "raja", "--password-stdin", input="a-good-password\n")
    assert result.exit_code == 2


def test_user_add_existing_username(cli_db):
    result = run("user", "add", "duta.senembah", "--role", "wilayah", "--password-stdin", input="a-good-password\n")
    assert result.exit_code == 2
    assert "username" in result.output


def test_user_add_bad_village(cli_db):
    result = run(
        "user",
        "add",
        "duta.nowhere",
        "--role",
        "duta",
        "--village",
        "12.07.02.9999",
        "--password-stdin",
        input="a-good-password\n",
    )
    assert result.exit_code == 2
    assert "12.07.02.9999" in result.output


def test_user_add_short_password(cli_db):
    result = run("user", "add", "wilayah.x", "--role", "wilayah", "--password-stdin", input="short\n")
    assert result.exit_code == 2
    assert "password" in result.output


def test_demo_if_empty_skips_a_database_with_accounts(cli_db):
    result = run("demo", "--if-empty")
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert run("demo").exit_code == 2


def test_demo_loads_into_an_empty_database(tmp_path, monkeypatch, cli_db):
    from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    _use_database(monkeypatch, f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        assert run("db", "upgrade").exit_code == 0
        result = run("demo", "--if-empty")
        assert result.exit_code == 0, result.output
        assert DEMO_PASSWORD in result.output
        for account in DEMO_ACCOUNTS:
            assert account.username in result.output
        with Session(core_db.get_engine()) as session:
            assert session.exec(select(func.count()).select_from(User)).one() >= len(DEMO_ACCOUNTS)
        again = run("demo", "--if-empty")
        assert again.exit_code == 0
        assert "not loaded" in again.output
    finally:
        core_db._engine.dispose()
        core_db._engine = None
        monkeypatch.setenv("DATABASE_URL", cli_db)
        get_settings.cache_clear()


def test_demo_with_generated_members(tmp_path, monkeypatch, cli_db):
    """`duta demo --members N` on a fresh database: the demo, then N generated members around it."""
    from app.auth.service import authenticate
    from app.demo import DEMO_ACCOUNTS, DEMO_MEMBERS, DEMO_PASSWORD
    from app.generator import GENERATED_PASSWORD, WILAYAH_USERNAME
    from app.members.models import Member

    _use_database(monkeypatch, f"sqlite:///{tmp_path / 'demo-members.sqlite3'}")
    try:
        assert run("db", "upgrade").exit_code == 0
        result = run("demo", "--members", "200")
        assert result.exit_code == 0, result.output
        assert "200 members" in result.output
        with Session(core_db.get_engine()) as session:
            assert session.exec(select(func.count()).select_from(Member)).one() == 200 + len(DEMO_MEMBERS)
            for account in DEMO_ACCOUNTS:
                assert authenticate(session, account.username, DEMO_PASSWORD, "127.0.0.1").username == account.username
            assert authenticate(session, WILAYAH_USERNAME, GENERATED_PASSWORD, "127.0.0.1").role == "wilayah"
            session.commit()
    finally:
        core_db._engine.dispose()
        core_db._engine = None
        monkeypatch.setenv("DATABASE_URL", cli_db)
        get_settings.cache_clear()
