"""Issue 15 §3 and §6 from the command line: a note when suspending, `subscriptions get` showing every
suspension reason with whose it is, and the activity log's AuditService filters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli
from tests.factories import M365_BASIC, M365_E3

GA = "ga@contoso.example"


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    """A migrated database with a partner (Contoso) and two of its customers."""
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runner.create_partner("Contoso", "contoso.example", GA)
    runner.run(
        "customers",
        "create",
        "--company-name",
        "Fabrikam Srl",
        "--domain",
        "fabrikam.example",
        "--language",
        "it",
        "--country",
        "IT",
        as_=GA,
    )
    runner.run("customers", "create", "--company-name", "Northwind Traders", "--domain", "northwind.example", as_=GA)
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def _customer_id(cli: Cli, name: str) -> str:
    listed = cli.json("customers", "list", as_=GA)
    assert isinstance(listed, dict)
    return next(str(c["id"]) for c in listed["items"] if c["companyProfile"]["companyName"] == name)


def test_suspend_with_a_note_and_get_shows_each_reason_with_whose_it_is(cli: Cli) -> None:
    cid = _customer_id(cli, "Fabrikam Srl")
    order = cli.json("orders", "create", cid, "--item", f"{M365_E3},10,Sede di Milano", as_=GA)
    assert isinstance(order, dict)
    sid = order["lineItems"][0]["subscriptionId"]

    done = cli.run("subscriptions", "suspend", cid, sid, "--note", "Fattura 42 non pagata", as_=GA)
    assert "suspended" in done.stdout and "ResellerInitiated" in done.stdout

    shown = cli.run("subscriptions", "get", cid, sid, as_=GA).stdout
    assert "Suspension reasons" in shown
    assert "ResellerInitiated" in shown and "Fattura 42 non pagata" in shown and GA in shown
    data = cli.json("subscriptions", "get", cid, sid, as_=GA)
    assert isinstance(data, dict)
    assert data["suspensionReasons"] == ["ResellerInitiated"]
    [detail] = data["suspensions"]
    assert (detail["reason"], detail["initiatedBy"], detail["note"]) == (
        "ResellerInitiated",
        GA,
        "Fattura 42 non pagata",
    )

    cli.run("subscriptions", "reactivate", cid, sid, as_=GA)
    again = cli.json("subscriptions", "get", cid, sid, as_=GA)
    assert isinstance(again, dict) and (again["status"], again["suspensions"]) == ("active", [])


def test_activity_filters_with_substring_starts_with_and_paging(cli: Cli) -> None:
    fabrikam = _customer_id(cli, "Fabrikam Srl")
    northwind = _customer_id(cli, "Northwind Traders")
    cli.run("orders", "create", fabrikam, "--item", f"{M365_BASIC},1", as_=GA)
    cli.run("orders", "create", northwind, "--item", f"{M365_BASIC},1", as_=GA)

    by_name = cli.json(
        "activity", "list", "--field", "CustomerName", "--operator", "substring", "--value", "WIND", as_=GA
    )
    assert isinstance(by_name, dict)
    assert by_name["items"] and {r["customerName"] for r in by_name["items"]} == {"Northwind Traders"}

    by_op = cli.json(
        "activity", "list", "--field", "OperationType", "--operator", "starts_with", "--value", "create_", as_=GA
    )
    assert isinstance(by_op, dict)
    assert {r["operationType"] for r in by_op["items"]} == {"create_order"}

    first = cli.json("activity", "list", "--size", "1", as_=GA)
    assert isinstance(first, dict) and len(first["items"]) == 1 and first["continuationToken"]
    second = cli.json("activity", "list", "--size", "1", "--continuation", first["continuationToken"], as_=GA)
    assert isinstance(second, dict) and len(second["items"]) == 1
    assert second["items"][0]["id"] != first["items"][0]["id"]

    table = cli.run("activity", "list", "--field", "CustomerId", "--value", fabrikam, as_=GA).stdout
    assert "Fabrikam Srl" in table and "Northwind Traders" not in table
