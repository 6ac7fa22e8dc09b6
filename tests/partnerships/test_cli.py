"""The indirect model from the command line: partnerships, a customer and an order for a reseller, and the
subscription's support contact, as a provider and a reseller would type them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli
from tests.factories import M365_BASIC


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    yield Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runtime().engine.dispose()
    runtime.cache_clear()


def _dict(value: object) -> dict[str, Any]:
    assert isinstance(value, dict)
    return value


def _partner(cli: Cli, name: str, kind: str, domain: str) -> dict[str, Any]:
    return _dict(
        cli.json(
            "operator",
            "create-partner",
            "--name",
            name,
            "--type",
            kind,
            "--domain",
            domain,
            "--admin-email",
            f"ga@{domain}",
        )
    )


def test_the_indirect_model_from_the_command_line(cli: Cli) -> None:
    cli.run("db", "upgrade")
    provider = _partner(cli, "Tailspin Distribution", "indirect-provider", "tailspin.example")
    reseller = _partner(cli, "Adatum Rivendita", "indirect-reseller", "adatum.example")
    direct = _partner(cli, "Contoso Direct", "direct", "contoso.example")
    pga, rga = provider["adminEmail"], reseller["adminEmail"]

    # Only an indirect reseller can be invited.
    refused = cli.run("partnerships", "invite", "--mpn-id", direct["mpnId"], as_=pga, expect=3)
    assert "800300" in refused.stderr and "Contoso Direct" in refused.stderr

    invited = _dict(cli.json("partnerships", "invite", "--mpn-id", reseller["mpnId"], as_=pga))
    assert invited["status"] == "invited" and invited["resellerId"] == reseller["partnerId"]
    pid = invited["id"]
    duplicate = cli.run("partnerships", "invite", "--reseller-id", reseller["partnerId"], as_=pga, expect=6)
    assert "800302" in duplicate.stderr

    providers = _dict(cli.json("partnerships", "list", "--providers", as_=rga))
    assert [(i["name"], i["state"], i["partnershipId"]) for i in providers["items"]] == [
        ("Tailspin Distribution", "Invited", pid)
    ]
    accepted = _dict(cli.json("partnerships", "accept", pid, as_=rga))
    assert accepted["status"] == "active" and accepted["acceptedAt"]
    resellers = _dict(cli.json("partnerships", "list", as_=pga))  # a provider lists its resellers by default
    assert [(i["id"], i["relationshipType"], i["state"]) for i in resellers["items"]] == [
        (reseller["partnerId"], "is_indirect_cloud_solution_provider_of", "Active")
    ]
    table = cli.run("partnerships", "list", "--resellers", as_=pga)
    assert "Adatum Rivendita" in table.stdout and pid in table.stdout

    # A customer for the reseller, and an order naming it as reseller of record.
    customer = _dict(
        cli.json(
            "customers",
            "create",
            "--company-name",
            "Wingtip Toys",
            "--domain",
            "wingtip.example",
            "--reseller-id",
            reseller["partnerId"],
            as_=pga,
        )
    )
    cid, customer_ga = customer["id"], customer["userCredentials"]["userName"]
    assert customer["associatedPartnerId"] == reseller["partnerId"]
    order = _dict(
        cli.json("orders", "create", cid, "--item", f"{M365_BASIC},3", "--reseller-mpn-id", reseller["mpnId"], as_=pga)
    )
    sid = order["lineItems"][0]["subscriptionId"]
    no_order = cli.run("orders", "create", cid, "--item", f"{M365_BASIC},1", as_=rga, expect=5)
    assert "800309" in no_order.stderr
    listed = _dict(cli.json("partnerships", "list", "--customer", cid, as_=pga))
    assert [i["id"] for i in listed["items"]] == [reseller["partnerId"]]

    # The support contact: the provider by default, then the reseller.
    contact = _dict(cli.json("support-contact", "get", cid, sid, as_=pga))
    assert (contact["supportTenantId"], contact["name"]) == (provider["partnerId"], "Tailspin Distribution")
    changed = _dict(cli.json("support-contact", "set", cid, sid, "--mpn-id", reseller["mpnId"], as_=pga))
    assert (changed["supportMpnId"], changed["name"]) == (reseller["mpnId"], "Adatum Rivendita")
    assert "Adatum Rivendita" in cli.run("support-contact", "get", cid, sid, as_=customer_ga).stdout
    available = _dict(cli.json("support-contact", "available", cid, as_=customer_ga))
    assert [i["name"] for i in available["items"]] == ["Adatum Rivendita", "Tailspin Distribution"]
    assert "Tailspin" in cli.run("support-contact", "available", cid, as_=pga).stdout
    activity = _dict(cli.json("activity", "list", "--operation", "update_subscription_support_contact", as_=pga))
    assert [(i["resourceId"], i["newValue"]["supportMpnId"]) for i in activity["items"]] == [(sid, reseller["mpnId"])]

    # The reseller ends the partnership; the customer stays with both, the support contact stays as it is.
    ended = _dict(cli.json("partnerships", "end", pid, as_=rga))
    assert ended["status"] == "ended" and ended["endedByPartnerId"] == reseller["partnerId"]
    again = cli.run("--lang", "it", "partnerships", "end", pid, as_=pga, expect=3)
    assert "800304" in again.stderr and "è già terminata" in again.stderr
    for ga in (pga, rga):
        assert [c["id"] for c in _dict(cli.json("customers", "list", as_=ga))["items"]] == [cid]
    assert _dict(cli.json("support-contact", "get", cid, sid, as_=pga))["name"] == "Adatum Rivendita"
    history = _dict(cli.json("partnerships", "list", "--providers", "--all", as_=rga))
    assert [i["state"] for i in history["items"]] == ["Ended"]
    both = cli.run("partnerships", "list", "--resellers", "--providers", as_=pga, expect=3)
    assert "--customer" in both.stderr
