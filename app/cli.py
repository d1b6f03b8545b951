"""`duta`: the operator's command line."""

import sys

import typer
import uvicorn
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Role
from app.core import migrate
from app.core.db import get_engine
from app.core.errors import Invalid
from app.demo import DEMO_PASSWORD, database_is_empty, load_demo
from app.dues import custody
from app.dues.discounts import add_discount, rates_and_discounts
from app.dues.rollup import rebuild
from app.generator import generate as generate_region
from app.regions import service as regions_service

app = typer.Typer(
    help="Duta: Desa Sadar Jaminan Sosial Ketenagakerjaan", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
regions_app = typer.Typer(help="Reference geography", no_args_is_help=True)
branch_app = typer.Typer(help="Branch offices", no_args_is_help=True)
user_app = typer.Typer(help="Accounts", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(regions_app, name="regions")
app.add_typer(branch_app, name="branch")
app.add_typer(user_app, name="user")


def _fail(error: Invalid) -> None:
    for field, message in error.errors.items():
        typer.echo(f"error: {field}: {message}", err=True)
    raise typer.Exit(code=2)


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")):
    """Apply the Alembic migrations."""
    migrate.upgrade(revision=revision)
    typer.echo("database is at " + revision)


@regions_app.command("load")
def regions_load():
    """Load (or refresh) every province, regency, district and village of Aceh and Sumatera Utara."""
    with _session() as session:
        report = regions_service.load_regions(session)
    typer.echo(
        f"{report.provinces} provinces, {report.regencies} regencies, {report.districts} districts, "
        f"{report.villages} villages ({report.added} new)"
    )


@regions_app.command("villages")
def regions_villages(code: str):
    """List the villages under a province, regency or district code: one `code name` line each."""
    with _session() as session:
        try:
            villages = regions_service.villages_under(session, code)
        except Invalid as error:
            _fail(error)
    if not villages:
        typer.echo(f"error: no villages under {code}", err=True)
        raise typer.Exit(code=2)
    for village in villages:
        typer.echo(f"{village.code} {village.name}")


@branch_app.command("add")
def branch_add(
    code: str,
    name: str,
    regency: list[str] = typer.Option(..., "--regency", help="A regency code the branch covers (repeat)"),
):
    """Create a branch office covering one or more regencies."""
    with _session() as session:
        try:
            branch = regions_service.add_branch(session, code, name, regency)
            session.commit()
        except Invalid as error:
            _fail(error)
    typer.echo(f"branch {branch.code} covers {', '.join(regency)}")


@user_app.command("add")
def user_add(
    username: str,
    role: Role = typer.Option(..., "--role"),
    village: list[str] = typer.Option([], "--village", help="A village code (duta; repeat)"),
    branch: str | None = typer.Option(None, "--branch"),
    full_name: str = typer.Option("", "--name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input"),
):
    """Create an account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        try:
            user = auth_service.create_user(
                session, None, username, password, role.value, full_name, branch_code=branch, village_codes=village
            )
        except Invalid as error:
            _fail(error)
    typer.echo(f"user {user.username} ({user.role}) created")


rates_app = typer.Typer(help="Contribution rates and occupation discounts", no_args_is_help=True)
discount_app = typer.Typer(help="Time-limited discounts for an occupation group", no_args_is_help=True)
app.add_typer(rates_app, name="rates")
rates_app.add_typer(discount_app, name="discount")


@rates_app.command("list")
def rates_list():
    """Show the rate rows (with their effective month) and every occupation discount."""
    with _session() as session:
        rates, discounts = rates_and_discounts(session)
    for rate in rates:
        typer.echo(
            f"rate from {rate.effective_from:%Y-%m}: JKK {rate.jkk_basis_points / 100:g}%, JKM {rate.jkm_amount}, "
            f"JHT {rate.jht_basis_points / 100:g}%, minimum income {rate.minimum_income}"
        )
    if not discounts:
        typer.echo("no discounts")
    for d in discounts:
        typer.echo(
            f"discount #{d.id} {d.occupation} {d.first_month:%Y-%m}..{d.last_month:%Y-%m}: "
            f"JKK -{d.jkk_percent_off}%, JKM -{d.jkm_percent_off}%" + (f" ({d.note})" if d.note else "")
        )


@discount_app.command("add")
def rates_discount_add(
    occupation: str = typer.Option(..., "--occupation"),
    first: str = typer.Option(..., "--from", help="First month, YYYY-MM"),
    last: str = typer.Option(..., "--to", help="Last month, YYYY-MM"),
    jkk_off: int = typer.Option(0, "--jkk-off", help="Percent off JKK (0-100)"),
    jkm_off: int = typer.Option(0, "--jkm-off", help="Percent off JKM (0-100)"),
    note: str = typer.Option("", "--note"),
):
    """Add a discount on JKK/JKM for an occupation group in a range of months (by a payment's month)."""
    with _session() as session:
        try:
            discount = add_discount(session, None, occupation, first, last, jkk_off, jkm_off, note)
        except Invalid as error:
            _fail(error)
    typer.echo(f"discount #{discount.id} added: {occupation} {first}..{last} JKK -{jkk_off}% JKM -{jkm_off}%")


@app.command("demo")
def demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when the database has accounts"),
    members: int = typer.Option(0, "--members", help="Then generate this many members with 24 months of history"),
    seed: int = typer.Option(2026, "--seed", help="Seed of the generated data (with --members)"),
):
    """Load demo branches, accounts of every role and the region's targets."""
    with _session() as session:
        if not database_is_empty(session):
            if if_empty:
                typer.echo("database has data: demo not loaded")
                return
            typer.echo("error: the demo loads only into an empty database", err=True)
            raise typer.Exit(code=2)
        accounts = load_demo(session)
    typer.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for account in accounts:
        typer.echo(f"  {account.username:<22} {account.role}")
    if members > 0:
        generate(members=members, seed=seed)


@app.command("generate")
def generate(
    members: int = typer.Option(..., "--members", help="How many members (spread over every village)"),
    seed: int = typer.Option(2026, "--seed"),
):
    """Fill a database with a realistic region: members, payments, deposits, events, stages and targets
    (around data already there, such as the demo's; once per database)."""
    try:
        report = generate_region(get_engine(), members, seed=seed, progress=typer.echo)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    for line in report.lines():
        typer.echo(line)


rollup_app = typer.Typer(help="Dashboard roll-ups", no_args_is_help=True)
app.add_typer(rollup_app, name="rollup")


@rollup_app.command("rebuild")
def rollup_rebuild():
    """Recompute the monthly roll-up (village_month, regency_month), the running dues totals (village_dues,
    regency_dues) and the cash held per duta (cash_held) from the members and payments."""
    with _session() as session:
        rows = rebuild(session)
        held = custody.rebuild(session)
    typer.echo(f"roll-up rebuilt: {rows} village-month rows, {held} cash-held rows")


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, reload: bool = False):
    """Serve the app with uvicorn."""
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, reload=reload, proxy_headers=True)


if __name__ == "__main__":
    app()
