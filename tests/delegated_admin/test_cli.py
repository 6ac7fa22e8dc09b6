"""Delegated admin from the command line: GDAP end to end, security groups, DAP removal, customer users."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    yield Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runtime().engine.dispose()
    runtime.cache_clear()


GA = "ga@contoso.example"
AGENT = "agent@contoso.example"
CUSTOMER_ADMIN = "admin@fabrikam.example"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"


def _dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value


def _setup(cli: Cli) -> str:
    cli.run("db", "upgrade")
    cli.create_partner("Contoso", "contoso.example", GA)
    cli.run("users", "add", "--email", AGENT, "--role", "admin-agent", as_=GA)
    customer = _dict(
        cli.json(
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
            as_=GA,
        )
    )
    # the customer's admin takes over the account (a generated password cannot approve GDAP)
    generated = customer["userCredentials"]["password"]
    cli.run("users", "set-password", "--current", generated, "--new", "fabrikam's own passphrase", as_=CUSTOMER_ADMIN)
    return str(customer["id"])


def test_gdap_from_draft_to_termination(cli: Cli) -> None:
    cid = _setup(cli)
    group = _dict(cli.json("groups", "create", "--name", "Tier 1", as_=GA))
    gid = str(group["id"])
    members = _dict(cli.json("groups", "add-member", gid, "--user", AGENT, as_=GA))
    assert [m["userPrincipalName"] for m in members["members"]] == [AGENT]  # type: ignore[attr-defined]

    rel = _dict(
        cli.json(
            "gdap",
            "create",
            cid,
            "--name",
            "Tier 1 support",
            "--role",
            "User Administrator",
            "--role",
            HELPDESK_ADMIN,
            "--duration",
            "P365D",
            as_=AGENT,
        )
    )
    rid = str(rel["id"])
    assert rel["status"] == "created" and rel["duration"] == "P365D" and rel["autoExtendDuration"] == "PT0S"
    assert rel["customer"] == {"tenantId": cid, "displayName": "Fabrikam Srl"}
    assert rel["accessDetails"] == {
        "unifiedRoles": [{"roleDefinitionId": USER_ADMIN}, {"roleDefinitionId": HELPDESK_ADMIN}]
    }
    updated = _dict(cli.json("gdap", "update", rid, "--duration", "P180D", "--auto-extend", "P180D", as_=AGENT))
    assert (updated["duration"], updated["autoExtendDuration"]) == ("P180D", "P180D")
    assignment = _dict(cli.json("gdap", "assign", rid, "--group", gid, "--role", "helpdesk administrator", as_=GA))
    assert assignment["accessContainer"] == {
        "accessContainerId": gid,
        "accessContainerType": "securityGroup",
        "displayName": "Tier 1",
    }
    assert _dict(cli.json("gdap", "lock", rid, as_=GA))["status"] == "approvalPending"
    cli.run("gdap", "approve", rid, as_=GA, expect=5)  # only the customer approves
    approved = _dict(cli.json("gdap", "approve", rid, as_=CUSTOMER_ADMIN))
    assert approved["status"] == "active" and approved["endDateTime"] and approved["activatedDateTime"]

    listed = _dict(cli.json("gdap", "list", "--customer-id", cid, as_=GA))
    assert [r["id"] for r in listed["value"]] == [rid]  # type: ignore[attr-defined]
    assert _dict(cli.json("gdap", "show", rid, as_=CUSTOMER_ADMIN))["displayName"] == "Tier 1 support"
    table = cli.run("gdap", "list", as_=GA).stdout  # a Rich table by default (its width depends on the terminal)
    assert "Admin relationships" in table and "Tier" in table
    assignments = _dict(cli.json("gdap", "assignments", rid, as_=GA))
    assert [a["id"] for a in assignments["value"]] == [assignment["id"]]  # type: ignore[attr-defined]

    # GDAP wins over DAP for the agent: Helpdesk Administrator resets passwords but creates no user.
    refused = cli.run("customer-users", "create", cid, "--user-name", "anna", as_=AGENT, expect=5)
    assert "800215" in refused.stderr
    created = _dict(
        cli.json("customer-users", "create", cid, "--user-name", "anna", "--display-name", "Anna Rossi", as_=GA)
    )
    assert created["userPrincipalName"] == "anna@fabrikam.example"
    assert created["passwordProfile"]["password"]  # type: ignore[index]
    reset = _dict(cli.json("customer-users", "reset-password", cid, "--user", "anna@fabrikam.example", as_=AGENT))
    assert reset["passwordProfile"] != created["passwordProfile"]
    cli.run("customer-users", "reset-password", cid, "--user", CUSTOMER_ADMIN, as_=AGENT, expect=5)
    users = _dict(cli.json("customer-users", "list", cid, as_=AGENT))
    assert users["totalCount"] == 2

    cli.run("gdap", "unassign", str(assignment["id"]), as_=GA)
    terminated = _dict(cli.json("gdap", "terminate", rid, as_=CUSTOMER_ADMIN))
    assert terminated["status"] == "terminated"
    cli.run("gdap", "terminate", rid, as_=GA, expect=3)  # already terminated
    assert cli.json("gdap", "clock") == {"extended": 0, "expired": 0, "requestsExpired": 0}
    assert "0 extended" in cli.run("gdap", "clock").stdout

    out = cli.run("activity", "export", as_=GA).stdout
    ops = {row["operationType"] for row in csv.DictReader(io.StringIO(out))}
    assert {
        "create_security_group",
        "add_security_group_member",
        "create_granular_admin_relationship",
        "create_granular_admin_access_assignment",
        "lock_granular_admin_relationship_for_approval",
        "approve_granular_admin_relationship",
        "create_customer_user",
        "reset_customer_user_password",
        "delete_granular_admin_access_assignment",
        "terminate_granular_admin_relationship",
    } <= ops


def test_dap_removal_and_errors_from_the_command_line(cli: Cli) -> None:
    cid = _setup(cli)
    assert _dict(cli.json("customer-users", "list", cid, as_=AGENT))["totalCount"] == 1  # DAP
    removed = _dict(cli.json("dap", "remove", cid, "--partner-id", _partner_id(cli), as_=CUSTOMER_ADMIN))
    assert removed["allowDelegatedAccess"] is False and removed["relationshipToPartner"] == "reseller"
    assert "removed" in cli.run("dap", "remove", cid, as_=GA).stdout  # already off: no change
    cli.run("customer-users", "list", cid, as_=AGENT, expect=5)
    cli.run("customers", "get", cid, as_=GA)  # the reseller relationship stays

    bad_role = cli.run("gdap", "create", cid, "--name", "x", "--role", "Owner", as_=GA, expect=3)
    assert "800200" in bad_role.stderr
    cli.run(
        "gdap",
        "create",
        cid,
        "--name",
        "x",
        "--role",
        "Global Administrator",
        "--auto-extend",
        "P180D",
        as_=GA,
        expect=3,
    )
    missing = cli.run("--lang", "it", "gdap", "show", "00000000-0000-0000-0000-000000000000", as_=GA, expect=4)
    assert "non è stata trovata" in missing.stderr
    cli.run("groups", "create", "--name", "Tier 1", as_=GA)
    cli.run("groups", "create", "--name", "tier 1", as_=GA, expect=6)
    assert "Tier" in cli.run("groups", "list", as_=GA).stdout
    roles = cli.json("gdap", "roles")
    assert isinstance(roles, list) and len(roles) == 96
    assert "--as" in cli.run("gdap", "create", "--help").stdout


def _partner_id(cli: Cli) -> str:
    partners = cli.json("partners", "list", as_=CUSTOMER_ADMIN)
    assert isinstance(partners, list)
    return str(partners[0]["partnerId"])


def test_a_customer_admin_with_the_generated_password_cannot_approve_until_setting_their_own(cli: Cli) -> None:
    """F1 through the CLI: the generated password the partner saw cannot approve GDAP; `users set-password`
    checks the current password and replaces it."""
    cli.run("db", "upgrade")
    cli.create_partner("Contoso", "contoso.example", GA)
    customer = _dict(
        cli.json(
            "customers",
            "create",
            "--company-name",
            "Fabrikam Srl",
            "--domain",
            "fabrikam.example",
            "--country",
            "IT",
            as_=GA,
        )
    )
    rid = _dict(
        cli.json("gdap", "create", str(customer["id"]), "--name", "Ops", "--role", "User Administrator", as_=GA)
    )["id"]
    cli.run("gdap", "lock", str(rid), as_=GA)
    refused = cli.run("gdap", "approve", str(rid), as_=CUSTOMER_ADMIN, expect=5)
    assert "800508" in refused.stderr + refused.stdout
    generated = _dict(customer["userCredentials"])["password"]
    wrong = cli.run(
        "users",
        "set-password",
        "--current",
        "not-it",
        "--new",
        "fabrikam's own passphrase",
        as_=CUSTOMER_ADMIN,
        expect=3,
    )
    assert "800501" in wrong.stderr + wrong.stdout
    cli.run(
        "users", "set-password", "--current", str(generated), "--new", "fabrikam's own passphrase", as_=CUSTOMER_ADMIN
    )
    assert _dict(cli.json("gdap", "approve", str(rid), as_=CUSTOMER_ADMIN))["status"] == "active"
