"""`partnerhub bench`: run the benchmark on a scratch database and print its table (progress on stderr)."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from partnerhub.bench import BenchConfig, render_table, run_bench
from partnerhub.bench.scratch import DEFAULT_PG_ADMIN_DSN, PG_ADMIN_ENV
from partnerhub.cli.output import console, err_console


class ScaleChoice(StrEnum):
    TINY = "tiny"
    SMALL = "small"
    LARGE = "large"


class DatabaseChoice(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


def bench(
    scale: Annotated[
        ScaleChoice,
        typer.Option(
            help="Portfolio size. large: an indirect provider with 100,000 customers and 1,000,000 subscriptions "
            "plus 1,000 partners with 100 customers each; small: one tenth; tiny: a few hundred rows (CI)."
        ),
    ] = ScaleChoice.SMALL,
    database: Annotated[
        DatabaseChoice,
        typer.Option(
            help="sqlite: a temporary file; postgresql: a scratch database created on the --pg-dsn server and "
            "dropped at the end."
        ),
    ] = DatabaseChoice.SQLITE,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write the rows as JSON: {op, ms, floor_ms, ratio, target, ...} each.",
            dir_okay=False,
            writable=True,
        ),
    ] = None,
    pg_dsn: Annotated[
        str,
        typer.Option(
            "--pg-dsn",
            envvar=PG_ADMIN_ENV,
            help=f"Admin connection to the PostgreSQL server that hosts the scratch database. Env: {PG_ADMIN_ENV}.",
        ),
    ] = DEFAULT_PG_ADMIN_DSN,
    http: Annotated[bool, typer.Option("--http/--no-http", help="Run the HTTP load test.")] = True,
    growth: Annotated[bool, typer.Option("--growth/--no-growth", help="Run the growth section.")] = True,
) -> None:
    """Measure partnerhub against its floors: the same work by hand-written SQL on the same database (and,
    for HTTP, a bare ASGI app running that SQL), so the overhead shows as a ratio beside each target.

    Always on its own scratch database: never your data, never the test database."""
    started = time.perf_counter()
    with err_console.status("starting", spinner="dots") as status:

        def on_step(message: str) -> None:
            elapsed = time.perf_counter() - started
            err_console.log(f"[dim]{elapsed:6.1f}s[/] {message}", highlight=False)
            status.update(message)

        report = run_bench(
            BenchConfig(
                scale=scale.value,
                database=database.value,
                pg_admin_dsn=pg_dsn,
                http=http,
                growth=growth,
                on_step=on_step,
            )
        )
    render_table(report, console)
    if json_file is not None:
        report.write_json(json_file)
        err_console.print(f"JSON written to {json_file}")
