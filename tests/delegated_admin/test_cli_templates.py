"""GDAP templates, requests from them, renewals and the operator's role catalog from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from partnerhub.delegated_admin.roles import builtin_catalog, install_catalog
from tests.cli.test_seed_flow import Cli
from tests.delegated_admin.test_cli import AGENT, CUSTOMER_ADMIN, GA, HELPDESK_ADMIN, _dict, _setup


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    yield Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runtime().engine.dispose()
    runtime.cache_clear()
    install_catalog(builtin_catalog())


def test_a_template_from_creation_to_renewal(cli: Cli) -> None:
    cid = _setup(cli)
    cli.run("groups", "create", "--name", "Tier 1", as_=GA)
    t = _dict(
        cli.json(
            "gdap",
            "templates",
            "create",
            "--name",
            "Standard MSP",
            "--role",
            "Helpdesk Administrator",
            "--role",
            "Global Reader",
            "--role",
            "Global Administrator",
            "--duration",
            "P365D",
            "--group",
            "Tier 1=Helpdesk Administrator, Global Reader",
            as_=AGENT,
        )
    )
    assert t["displayName"] == "Standard MSP" and len(t["accessAssignments"]) == 1  # type: ignore[arg-type]
    shown = cli.run("gdap", "templates", "show", "standard msp", as_=AGENT).stdout
    assert "Tier 1: Helpdesk Administrator, Global Reader" in shown
    assert "Standard MSP" in cli.run("gdap", "templates", "list", as_=GA).stdout
    cli.run("gdap", "templates", "update", "Standard MSP", "--auto-extend", "P180D", as_=GA, expect=3)

    rel = _dict(cli.json("gdap", "request", "--template", "Standard MSP", "--customer", cid, as_=AGENT))
    assert rel["status"] == "approvalPending"
    cli.run("gdap", "approve", str(rel["id"]), as_=CUSTOMER_ADMIN)
    assigned = _dict(cli.json("gdap", "assignments", str(rel["id"]), as_=GA))["value"]
    assert isinstance(assigned, list) and assigned[0]["accessContainer"]["displayName"] == "Tier 1"

    renewal = _dict(cli.json("gdap", "renew", str(rel["id"]), as_=AGENT))
    roles = [r["roleDefinitionId"] for r in renewal["accessDetails"]["unifiedRoles"]]  # type: ignore[index]
    assert renewal["autoExtendDuration"] == "P180D" and HELPDESK_ADMIN in roles and len(roles) == 2
    cli.run("gdap", "renew", str(rel["id"]), as_=AGENT, expect=6)
    cli.run("gdap", "templates", "delete", "Standard MSP", as_=GA)
    cli.run("gdap", "templates", "show", "Standard MSP", as_=GA, expect=4)


def test_the_operator_imports_roles_and_the_list_is_searchable(cli: Cli, tmp_path: Path) -> None:
    cli.run("db", "upgrade")
    found = cli.json("gdap", "roles", "--search", "exchange")
    assert isinstance(found, list) and {r["displayName"] for r in found} == {
        "Exchange Administrator",
        "Exchange Recipient Administrator",
    }
    path = tmp_path / "roles.json"
    path.write_text(
        json.dumps(
            [
                {
                    "roleDefinitionId": "0ec3f692-38d6-4d14-9e69-0377ca7797ad",
                    "displayName": "Viva Glint Tenant Administrator",
                }
            ]
        ),
        encoding="utf-8",
    )
    outcome = _dict(cli.json("operator", "gdap-roles", "import", str(path)))
    assert outcome["added"] == ["Viva Glint Tenant Administrator"]
    listed = cli.json("operator", "gdap-roles", "list")
    assert isinstance(listed, list) and "Viva Glint Tenant Administrator" in {r["displayName"] for r in listed}
    path.write_text("[{}]", encoding="utf-8")
    cli.run("operator", "gdap-roles", "import", str(path), expect=3)
