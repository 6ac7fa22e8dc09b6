"""`partnerhub demo`: fill the database with realistic demo data and print how to sign in."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from partnerhub.auth.actor import Actor
from partnerhub.catalog.service import load_default_catalog
from partnerhub.cli.acting import runtime
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.db import transaction
from partnerhub.demo import DEMO_PASSWORD, DemoResult, generate
from partnerhub.migrations import current_revision, upgrade


def demo(
    reset: Annotated[bool, typer.Option("--reset", help="Delete ALL data first, then generate again.")] = False,
    customers: Annotated[
        int, typer.Option("--customers", min=0, max=20000, help="How many demo customers the plan holds.")
    ] = 300,
    as_json: JsonOption = False,
) -> None:
    """Fill the database with demo data (idempotent: a re-run completes what is missing, adds nothing twice).

    Every demo account gets the well-known password printed at the end: DEMO ONLY, never on a real database.
    """
    rt = runtime()
    engine = rt.engine
    if current_revision(engine) is None:
        upgrade(engine)
        with transaction(engine) as session:
            load_default_catalog(session, Actor.system("demo"))
    result = generate(engine, customers=customers, reset=reset, progress=sys.stdout.isatty() and not as_json)
    if as_json:
        print_json(_as_dict(result))
        return
    _print_report(result, rt.settings.base_url)


def _as_dict(result: DemoResult) -> dict[str, Any]:
    return {
        **result.summary,
        "run": {"customersCreated": result.customers_created, "customersSkipped": result.customers_skipped},
        "accounts": [
            {"email": a.email, "role": a.role, "organisation": a.organisation, "password": a.password}
            for a in result.accounts
        ],
    }


def _print_report(result: DemoResult, base_url: str) -> None:
    s = result.summary
    console.print(f"Demo data: {result.customers_created} customers created, {result.customers_skipped} already there.")
    rows: list[tuple[str, str, int]] = [("Partners", k, v) for k, v in s["partners"]["byType"].items()]
    rows += [("Customers", k, v) for k, v in s["customers"]["byCountry"].items()]
    rows += [("Subscriptions", k, v) for k, v in s["subscriptions"]["byStatus"].items()]
    rows += [("Invitations", k, v) for k, v in s["invitations"]["byStatus"].items()]
    rows += [("Relationships", k, v) for k, v in s["relationships"].items()]
    rows += [("Partnerships", k, v) for k, v in s["partnerships"].items()]
    rows += [("GDAP relationships", k, v) for k, v in s["adminRelationships"].items()]
    print_table(
        "What the database holds",
        ["What", "Kind / status", "Count"],
        rows,
        caption=f"{s['partners']['total']} partners, {s['customers']['total']} customers, "
        f"{s['subscriptions']['total']} subscriptions",
    )
    table = Table(
        title="Sign in with",
        header_style="bold",
        caption=f"Web: {base_url}/  ·  API: {base_url}/docs  ·  token: partnerhub token create --as EMAIL",
    )
    for column in ("E-mail", "Role", "Organisation", "Password"):
        table.add_column(column, no_wrap=column in ("E-mail", "Password"))
    for a in result.accounts:
        table.add_row(a.email, a.role, a.organisation, a.password)
    # piped output is not cut to 80 columns: the e-mail addresses must stay copyable
    (console if console.is_terminal else Console(width=max(console.width, 140))).print(table)
    console.print(
        f"[bold yellow]Demo only:[/] every demo account has the password [bold]{DEMO_PASSWORD}[/], "
        "set again on each run. Never run `partnerhub demo` on a database with real users.",
        highlight=False,
    )
    console.print(
        "[bold yellow]Demo only:[/] these accounts are exempt from the sign-in rules of real accounts: "
        "their password is not one-time, and the demo organisations do not require multi-factor "
        "sign-in (each user may turn it on under My account). The operator account always requires "
        "it: at its first sign-in, scan the QR code with an authenticator app (or type the key shown) "
        "and keep the recovery codes.",
        highlight=False,
    )
    console.print(
        "Webhooks to a receiver on this machine or your network (http://127.0.0.1:…, 10.x, 192.168.x): "
        "start the service with PARTNERHUB_WEBHOOK_ALLOW_PRIVATE=true; otherwise endpoints must be "
        "https on public addresses.",
        highlight=False,
    )
