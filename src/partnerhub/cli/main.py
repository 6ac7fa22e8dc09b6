"""`partnerhub`: the root command, its groups, and the one place CLI errors become exit codes."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from partnerhub import __version__
from partnerhub.cli.acting import state
from partnerhub.cli.activity import activity_app
from partnerhub.cli.bench import bench
from partnerhub.cli.customers import customers_app
from partnerhub.cli.database import db_app
from partnerhub.cli.delegated_admin import customer_users_app, dap_app, gdap_app, groups_app
from partnerhub.cli.demo import demo
from partnerhub.cli.gdap_bulk import gdap_bulk_app
from partnerhub.cli.gdap_templates import gdap_roles_app
from partnerhub.cli.invitations import invitations_app, partners_app
from partnerhub.cli.jobs import jobs_app
from partnerhub.cli.offboarding import offboard_app
from partnerhub.cli.operator import offers_app, operator_app
from partnerhub.cli.orders import orders_app
from partnerhub.cli.output import err_console
from partnerhub.cli.partnerships import partnerships_app, support_contact_app
from partnerhub.cli.serve import serve, worker
from partnerhub.cli.sso import sso_app
from partnerhub.cli.subscriptions import subscriptions_app
from partnerhub.cli.tokens import token_app
from partnerhub.cli.users import users_app
from partnerhub.cli.webhooks import webhooks_app
from partnerhub.errors import DomainError, ErrorKind
from partnerhub.locale import normalize_locale

app = typer.Typer(
    name="partnerhub",
    help="partnerhub: partner ↔ customer relationships for cloud resellers, shaped like Partner Center.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Exit codes by error kind: documented in README ("Command line").
EXIT_CODES: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 3,
    ErrorKind.NOT_FOUND: 4,
    ErrorKind.FORBIDDEN: 5,
    ErrorKind.CONFLICT: 6,
    ErrorKind.UNAUTHENTICATED: 7,
    ErrorKind.UNAVAILABLE: 8,
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"partnerhub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    lang: Annotated[
        str | None,
        typer.Option("--lang", envvar="PARTNERHUB_LANG", help="Language of messages: en or it (default: the user's)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """partnerhub command line. Commands that act for a user take --as EMAIL (or PARTNERHUB_AS)."""
    if lang:
        state.locale = normalize_locale(lang)


app.add_typer(db_app, name="db")
app.add_typer(operator_app, name="operator")
operator_app.add_typer(gdap_roles_app, name="gdap-roles")
app.add_typer(offers_app, name="offers")
app.add_typer(token_app, name="token")
app.add_typer(users_app, name="users")
app.add_typer(customers_app, name="customers")
app.add_typer(invitations_app, name="invitations")
app.add_typer(partners_app, name="partners")
app.add_typer(subscriptions_app, name="subscriptions")
app.add_typer(orders_app, name="orders")
app.add_typer(activity_app, name="activity")
app.add_typer(jobs_app, name="jobs")
app.add_typer(offboard_app, name="offboard")
app.add_typer(gdap_app, name="gdap")
gdap_app.add_typer(gdap_bulk_app, name="bulk")
app.add_typer(groups_app, name="groups")
app.add_typer(dap_app, name="dap")
app.add_typer(customer_users_app, name="customer-users")
app.add_typer(partnerships_app, name="partnerships")
app.add_typer(support_contact_app, name="support-contact")
app.add_typer(sso_app, name="sso")
app.add_typer(webhooks_app, name="webhooks")
app.command("serve")(serve)
app.command("worker")(worker)
app.command("demo")(demo)
app.command("bench")(bench)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; domain errors print one clear line (in the user's
    language) and map to a documented non-zero code."""
    state.locale = None
    try:
        app(args=argv, prog_name="partnerhub")  # standalone: usage errors and --help exit through SystemExit
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except DomainError as exc:
        err_console.print(f"[red]error {exc.code}:[/] {exc.render(state.locale or 'en')}", highlight=False)
        for item in exc.data:
            err_console.print("  - " + ", ".join(f"{k}: {v}" for k, v in item.items()), highlight=False)
        return EXIT_CODES.get(exc.kind, 1)
    except (OperationalError, ProgrammingError) as exc:
        msg = str(exc.orig) if exc.orig else str(exc)
        if "no such table" in msg or "does not exist" in msg:
            err_console.print("[red]error 800150:[/] the database is not migrated; run: partnerhub db upgrade")
        else:
            err_console.print(f"[red]database error:[/] {msg.splitlines()[0]}", highlight=False)
        return EXIT_CODES[ErrorKind.UNAVAILABLE]


def run() -> None:
    """Console entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
