"""The seed document end to end through the command line, as a partner would type it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from partnerhub.cli.main import main
from tests.factories import M365_BASIC, M365_E3, TEAMS_PHONE_ADDON


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


class Cli:
    """Runs `partnerhub ...` in this process (the same entry point as the console script), with the
    environment of a fresh database; `PARTNERHUB_AS` set per call as a user would."""

    def __init__(
        self, engine: Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        monkeypatch.setenv("PARTNERHUB_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("PARTNERHUB_DATA_DIR", str(data_dir))
        monkeypatch.setenv("PARTNERHUB_BASE_URL", "http://127.0.0.1:8000")
        monkeypatch.setenv("COLUMNS", "200")
        monkeypatch.delenv("PARTNERHUB_AS", raising=False)
        monkeypatch.delenv("PARTNERHUB_LANG", raising=False)
        if runtime.cache_info().currsize:  # a runtime left by an earlier test: close its connections
            runtime().engine.dispose()
        runtime.cache_clear()

    def run(self, *args: str, expect: int = 0, as_: str | None = None) -> Result:
        if as_:
            self.monkeypatch.setenv("PARTNERHUB_AS", as_)
        else:
            self.monkeypatch.delenv("PARTNERHUB_AS", raising=False)
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        assert code == expect, f"{args}: exit {code}\n{out}\n{err}"
        return Result(code, out, err)

    def create_partner(self, name: str, domain: str, admin_email: str, *, partner_type: str = "direct") -> Result:
        """`partnerhub operator create-partner`: a partner tenant and its Global admin."""
        return self.run(
            "operator",
            "create-partner",
            "--name",
            name,
            "--type",
            partner_type,
            "--domain",
            domain,
            "--admin-email",
            admin_email,
        )

    def json(self, *args: str, as_: str | None = None) -> object:
        return json.loads(self.run(*args, "--json", as_=as_).stdout)


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    yield Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runtime().engine.dispose()
    runtime.cache_clear()


def test_the_console_script_runs_as_a_real_process(fresh_engine: Engine, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
    }
    env.pop("PARTNERHUB_AS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "partnerhub.cli.main",
            "operator",
            "create-partner",
            "--name",
            "Contoso",
            "--type",
            "direct",
            "--domain",
            "contoso.example",
            "--admin-email",
            "ga@contoso.example",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) == {"partnerId", "mpnId", "adminEmail", "password"}
    proc = subprocess.run(
        [sys.executable, "-m", "partnerhub.cli.main", "customers", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2 and "--as" in proc.stderr  # a usage error names the missing option


def test_the_seed_document_from_the_command_line(cli: Cli) -> None:
    cli.run("db", "upgrade")
    partner = cli.json(
        "operator",
        "create-partner",
        "--name",
        "Contoso",
        "--type",
        "direct",
        "--domain",
        "contoso.example",
        "--admin-email",
        "ga@contoso.example",
    )
    assert isinstance(partner, dict) and set(partner) == {"partnerId", "mpnId", "adminEmail", "password"}
    ga = "ga@contoso.example"
    customer = cli.json(
        "customers",
        "create",
        "--company-name",
        "Fabrikam Srl",
        "--domain",
        "fabrikam.example",
        "--language",
        "it",
        "--culture",
        "it-IT",
        "--country",
        "IT",
        as_=ga,
    )
    assert isinstance(customer, dict)
    cid = customer["id"]
    assert customer["userCredentials"]["userName"] == "admin@fabrikam.example"
    order = cli.json(
        "orders", "create", cid, "--item", f"{M365_E3},10,Sede di Milano", "--item", f"{M365_BASIC},3", as_=ga
    )
    assert isinstance(order, dict)
    e3 = order["lineItems"][0]["subscriptionId"]
    basic = order["lineItems"][1]["subscriptionId"]
    addon = cli.json("orders", "create", cid, "--item", f"{TEAMS_PHONE_ADDON},10,,{e3}", as_=ga)
    assert isinstance(addon, dict)

    # While any subscription is active, removal is refused and the error names them.
    refused = cli.run("customers", "remove-relationship", cid, as_=ga, expect=3)
    assert "800100" in refused.stderr and e3 in refused.stderr and basic in refused.stderr
    check = cli.json("customers", "removal-check", cid, as_=ga)
    assert isinstance(check, dict) and check["canRemove"] is False and len(check["blocking"]) == 3

    # 1. Suspend any active subscriptions (the add-on follows its parent).
    cli.run("subscriptions", "suspend", cid, e3, as_=ga)
    cli.run("subscriptions", "suspend", cid, basic, as_=ga)
    subs = cli.json("subscriptions", "list", cid, as_=ga)
    assert isinstance(subs, dict) and {s["status"] for s in subs["items"]} == {"suspended"}

    # 2. Remove the relationship.
    done = cli.run("customers", "remove-relationship", cid, as_=ga)
    assert "No notice was sent to the customer" in done.stdout
    listed = cli.json("customers", "list", as_=ga)
    assert isinstance(listed, dict) and listed["items"] == []
    no_purchase = cli.run("orders", "create", cid, "--item", f"{M365_BASIC},1", as_=ga, expect=5)
    assert "20002" in no_purchase.stderr
    cli.run("customers", "get", cid, as_=ga, expect=4)

    # To re-establish the relationship, repeat the process of requesting a relationship.
    invitation = cli.json("invitations", "create", "--customer-id", cid, as_=ga)
    assert isinstance(invitation, dict)
    assert invitation["url"].endswith(invitation["code"]) and "Gentile cliente" in invitation["emailText"]
    accepted = cli.json("invitations", "accept", invitation["code"], as_="admin@fabrikam.example")
    assert accepted == {
        "partnerId": partner["partnerId"],
        "customerId": cid,
        "relationshipToPartner": "reseller",
        "allowDelegatedAccess": False,
    }
    listed = cli.json("customers", "list", as_=ga)
    assert isinstance(listed, dict) and [c["id"] for c in listed["items"]] == [cid]
    history = cli.json("customers", "history", cid, as_=ga)
    assert isinstance(history, list) and [h["status"] for h in history] == ["removed", "active"]

    # The activity log has every step, and exports as CSV.
    out = cli.run("activity", "export", as_=ga).stdout
    ops = [row["operationType"] for row in csv.DictReader(io.StringIO(out))]
    for op in (
        "add_customer",
        "create_order",
        "suspend_subscription",
        "remove_partner_customer_relationship",
        "create_relationship_request",
        "add_partner_customer_relationship",
    ):
        assert op in ops


def test_tokens_and_errors_in_italian(cli: Cli) -> None:
    cli.run("db", "upgrade")
    cli.create_partner("Contoso", "contoso.example", "ga@contoso.example", partner_type="indirect-provider")
    token = cli.json("token", "create", "--expires-days", "7", as_="ga@contoso.example")
    assert isinstance(token, dict) and set(token) == {"id", "token", "expiresAt"}
    assert token["token"].startswith("ph_")
    listed = cli.json("token", "list", as_="ga@contoso.example")
    assert isinstance(listed, list) and token["token"] not in json.dumps(listed)
    cli.run("token", "revoke", token["id"], as_="ga@contoso.example")
    missing = cli.run(
        "--lang", "it", "customers", "get", "00000000-0000-0000-0000-000000000000", as_="ga@contoso.example", expect=4
    )
    assert "non è stato trovato" in missing.stderr
    unknown = cli.run("customers", "list", as_="nobody@example.com", expect=7)
    assert "nobody@example.com" in unknown.stderr
    bad = cli.run(
        "operator",
        "create-partner",
        "--name",
        "X",
        "--type",
        "wholesaler",
        "--domain",
        "x.example",
        "--admin-email",
        "a@x.example",
        expect=3,
    )
    assert "unknown partner type" in bad.stderr


def test_partner_users_and_catalog_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli.run("db", "upgrade")
    cli.create_partner("Contoso", "contoso.example", "ga@contoso.example")
    ga = "ga@contoso.example"
    added = cli.json("users", "add", "--email", "sales@contoso.example", "--role", "sales-agent", as_=ga)
    assert isinstance(added, dict) and added["roles"] == ["sales-agent"] and added["password"]
    cli.json(
        "users",
        "set-roles",
        "--email",
        "sales@contoso.example",
        "--role",
        "sales-agent",
        "--role",
        "admin-agent",
        as_=ga,
    )
    users = cli.json("users", "list", as_=ga)
    assert isinstance(users, list)
    assert {u["email"]: u["roles"] for u in users}["sales@contoso.example"] == ["sales-agent", "admin-agent"]
    reset = cli.json("users", "reset-password", "--email", "sales@contoso.example", as_=ga)
    assert isinstance(reset, dict) and reset["password"] != added["password"]
    cli.run(
        "users", "add", "--email", "x@contoso.example", "--role", "global-admin", as_="sales@contoso.example", expect=5
    )

    catalog = tmp_path / "offers.csv"
    catalog.write_text("id,name,unitType,termDurations,billingCycles\nX-1,Backup Pro,Licenses,P1M|P1Y,monthly\n")
    assert cli.json("operator", "import-offers", str(catalog)) == {"created": 1, "updated": 0}
    offers = cli.json("offers", "list")
    assert isinstance(offers, list) and "Backup Pro" in [o["name"] for o in offers]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "Y", "name": "Y", "termDurations": ["P2Y"]}]')
    cli.run("operator", "import-offers", str(bad), expect=3)
