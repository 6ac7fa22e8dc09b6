"""`partnerhub db ...`: create or migrate the database."""

from __future__ import annotations

import typer

from partnerhub.catalog.service import load_default_catalog
from partnerhub.cli.acting import as_system, runtime
from partnerhub.cli.output import console
from partnerhub.migrations import current_revision, upgrade

db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema and load the default catalog (idempotent)."""
    rt = runtime()
    upgrade(rt.engine)
    with as_system() as (session, actor):
        created, updated = load_default_catalog(session, actor)
    url = rt.engine.url.render_as_string(hide_password=True)
    console.print(f"Database [bold]{url}[/] is at revision {current_revision(rt.engine)}.")
    if created or updated:
        console.print(f"Default catalog: {created} offers added, {updated} updated.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision."""
    typer.echo(current_revision(runtime().engine) or "(empty database: run partnerhub db upgrade)")
