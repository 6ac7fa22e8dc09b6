"""The relationship lifecycle from the command line (issue 15 §1, §2): the customer's Global admin lists the
requests addressed to it and declines one; both sides filter on every status; the customer ends a partner's
reseller relationship (`partners end`), refused while subscriptions are active; the partner's history says who
ended it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli
from tests.factories import M365_BASIC

GA = "ga@contoso.example"
CUSTOMER_ADMIN = "admin@fabrikam.example"


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    """A partner (Contoso) and its customer (Fabrikam, whose Global admin is admin@fabrikam.example)."""
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
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def _customer_id(cli: Cli) -> str:
    listed: Any = cli.json("customers", "list", as_=GA)
    [customer] = listed["items"]
    return str(customer["id"])


def _partner_id(cli: Cli) -> str:
    partners: Any = cli.json("partners", "list", as_=CUSTOMER_ADMIN)
    [partner] = partners
    return str(partner["partnerId"])


def test_the_customer_lists_its_inbox_and_declines(cli: Cli) -> None:
    customer_id = _customer_id(cli)
    created: Any = cli.json("invitations", "create", "--customer-id", customer_id, "--delegated-admin", as_=GA)
    inbox: Any = cli.json("invitations", "list", as_=CUSTOMER_ADMIN)
    [item] = inbox
    assert (item["id"], item["partnerName"], item["status"], item["includeDelegatedAdmin"]) == (
        created["id"],
        "Contoso",
        "sent",
        True,
    )
    assert created["code"] not in str(inbox)
    table = cli.run("invitations", "list", as_=CUSTOMER_ADMIN).stdout
    assert "Contoso" in table and created["id"] in table and "invitations decline" in table

    declined = cli.run("invitations", "decline", created["id"], as_=CUSTOMER_ADMIN)
    assert "You declined the request of Contoso" in declined.stdout
    assert cli.json("invitations", "list", as_=CUSTOMER_ADMIN) == []
    seen: Any = cli.json("invitations", "list", "--status", "declined", as_=CUSTOMER_ADMIN)
    assert [i["id"] for i in seen] == [created["id"]]
    sent: Any = cli.json("invitations", "list", "--status", "DECLINED", as_=GA)
    assert [(i["id"], i["status"]) for i in sent] == [(created["id"], "declined")]
    again = cli.run("invitations", "accept", created["code"], as_=CUSTOMER_ADMIN, expect=3)
    assert "800117" in again.stderr


def test_decline_answers_json_and_refuses_a_partner_user(cli: Cli) -> None:
    created: Any = cli.json("invitations", "create", as_=GA)
    refused = cli.run("invitations", "decline", created["code"], as_=GA, expect=5)
    assert "800119" in refused.stderr
    answer: Any = cli.json("invitations", "decline", created["code"], as_=CUSTOMER_ADMIN)
    assert (answer["id"], answer["status"], answer["partnerName"]) == (created["id"], "declined", "Contoso")


def test_an_unknown_status_is_refused(cli: Cli) -> None:
    refused = cli.run("invitations", "list", "--status", "active", as_=GA, expect=3)
    assert "sent, accepted, declined, expired, revoked" in refused.stderr


def test_the_customer_ends_the_relationship_once_nothing_is_active(cli: Cli) -> None:
    customer_id, partner_id = _customer_id(cli), _partner_id(cli)
    order: Any = cli.json("orders", "create", customer_id, "--item", f"{M365_BASIC},2", as_=GA)
    subscription_id = order["lineItems"][0]["subscriptionId"]
    blocked = cli.run("partners", "end", partner_id, "--yes", as_=CUSTOMER_ADMIN, expect=3)
    assert "800100" in blocked.stderr and subscription_id in blocked.stderr
    cli.run("subscriptions", "suspend", customer_id, subscription_id, as_=GA)
    no_confirmation = cli.run("partners", "end", partner_id, as_=CUSTOMER_ADMIN, expect=3)
    assert "--yes" in no_confirmation.stderr

    ended = cli.run("partners", "end", partner_id, "--yes", as_=CUSTOMER_ADMIN)
    assert "The reseller relationship with Contoso has ended." in ended.stdout
    assert cli.json("partners", "list", as_=CUSTOMER_ADMIN) == []
    cli.run("customers", "get", customer_id, as_=GA, expect=4)
    history: Any = cli.json("customers", "history", customer_id, as_=GA)
    [episode] = history
    assert (episode["status"], episode["removedBy"]) == ("removed", "customer")
    assert "customer" in cli.run("customers", "history", customer_id, as_=GA).stdout
    records: Any = cli.json("activity", "list", "--operation", "remove_partner_customer_relationship", as_=GA)
    [record] = records["items"]
    assert record["userPrincipalName"] == CUSTOMER_ADMIN and record["newValue"]["initiatedBy"] == "customer"


def test_ending_as_json_and_for_an_unknown_partner(cli: Cli) -> None:
    partner_id = _partner_id(cli)
    cli.run("partners", "end", "11111111-1111-4111-8111-111111111111", "--yes", as_=CUSTOMER_ADMIN, expect=4)
    cli.run("partners", "end", partner_id, "--yes", as_=GA, expect=5)  # a partner user: not this way
    answer: Any = cli.json("partners", "end", partner_id, "--yes", as_=CUSTOMER_ADMIN)
    assert (answer["partnerId"], answer["relationshipToPartner"], answer["removedBy"]) == (
        partner_id,
        "none",
        "customer",
    )
