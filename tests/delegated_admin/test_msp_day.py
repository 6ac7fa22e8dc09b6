"""README's "An MSP's day", step by step from the command line: a template, a bulk request for the customers in
a file, each customer's approval (the template's group gets its roles at once), the 30-day warning mail
through a real SMTP server, and a renewal without Global Administrator that extends itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.auth.actor import Actor
from partnerhub.cli.acting import runtime
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import transaction
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import enqueue, run_pending
from tests.cli.test_seed_flow import Cli
from tests.mail.conftest import SmtpServer, running_smtp_server

GA = "ga@contoso.example"
CUSTOMERS = (("Fabrikam Srl", "fabrikam.example", "it"), ("Tailspin Toys", "tailspin.example", "en"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def cli(
    fresh_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    smtp_server: SmtpServer,
) -> Iterator[Cli]:
    monkeypatch.setenv("PARTNERHUB_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("PARTNERHUB_MAIL_FROM", "partnerhub@contoso.example")
    yield Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runtime().engine.dispose()
    runtime.cache_clear()


def _dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value


def _as_the_scheduler_does(engine: Engine, kind: str) -> None:
    """`partnerhub serve` (or `worker`) runs the housekeeping kinds on their schedule; here, once, now."""
    with transaction(engine) as session:
        enqueue(session, Actor.system("scheduler"), kind=kind, payload={})
    run_pending(engine, registry=REGISTRY, kinds=[kind])


def test_an_msps_day(cli: Cli, fresh_engine: Engine, tmp_path: Path, smtp_server: SmtpServer) -> None:
    cli.create_partner("Contoso", "contoso.example", GA)
    customer_ids, admins = [], []
    for name, domain, language in CUSTOMERS:
        made = _dict(
            cli.json("customers", "create", "--company-name", name, "--domain", domain, "--language", language, as_=GA)
        )
        customer_ids.append(str(made["id"]))
        admins.append(f"admin@{domain}")
        password = _dict(made["userCredentials"])["password"]
        cli.run(
            "users", "set-password", "--current", str(password), "--new", f"{domain}'s own passphrase", as_=admins[-1]
        )

    # 1. a template: the roles, a short duration (so today's example reaches its warning), one group's roles
    cli.run("groups", "create", "--name", "Helpdesk tier 1", as_=GA)
    cli.run(
        "gdap",
        "templates",
        "create",
        "--name",
        "Standard MSP",
        "--duration",
        "P20D",
        "--role",
        "Helpdesk Administrator",
        "--role",
        "Global Reader",
        "--group",
        "Helpdesk tier 1=Helpdesk Administrator,Global Reader",
        as_=GA,
    )

    # 2. a bulk request for the customers in a file
    listing = tmp_path / "customers.txt"
    listing.write_text("# our managed customers\n" + "\n".join(customer_ids) + "\n")
    job = _dict(
        cli.json("gdap", "bulk", "request", "--template", "Standard MSP", "--file", str(listing), "--yes", as_=GA)
    )
    assert (job["succeeded"], job["failed"]) == (2, 0)
    requested = [str(_dict(_dict(item)["result"])["adminRelationshipId"]) for item in job["items"]]  # type: ignore[attr-defined]

    # 3. each customer's Global admin approves: the template's group has its roles at once
    for relationship_id, admin in zip(requested, admins, strict=True):
        approved = _dict(cli.json("gdap", "approve", relationship_id, as_=admin))
        assert approved["status"] == "expiring"  # active, but within 30 days of its end with no auto-extend
        [assignment] = _dict(cli.json("gdap", "assignments", relationship_id, as_=GA))["value"]  # type: ignore[misc]
        assert assignment["status"] == "active" and len(assignment["accessDetails"]["unifiedRoles"]) == 2

    # 4. 20 days with no auto-extend: expiring, and the 30-day warning mail reaches the Global admin
    expiring = _dict(cli.json("gdap", "list", "--status", "expiring", as_=GA))["value"]
    assert sorted(r["id"] for r in expiring) == sorted(requested)  # type: ignore[attr-defined]
    _as_the_scheduler_does(fresh_engine, "gdap-expiry-warnings")
    _as_the_scheduler_does(fresh_engine, "send-mail")
    subjects = sorted(m.subject for m in smtp_server.received)
    assert subjects == [
        f"GDAP relationship with {name} ends on {(utc_now() + timedelta(days=20)).strftime('%Y-%m-%d')}"
        for name, _, _ in sorted(CUSTOMERS)
    ]
    assert all(m.rcpt_tos == [GA] for m in smtp_server.received)

    # 5. a renewal: without Global Administrator, extending itself every 180 days, approved by the customer
    renewal = _dict(cli.json("gdap", "renew", requested[0], as_=GA))
    assert renewal["status"] == "approvalPending" and renewal["autoExtendDuration"] == "P180D"
    assert _dict(cli.json("gdap", "approve", str(renewal["id"]), as_=admins[0]))["status"] == "active"
    with frozen_at(utc_now() + timedelta(days=25)):  # the old one has ended; the renewal stays
        listed = _dict(cli.json("gdap", "list", as_=GA))["value"]
    statuses = {r["id"]: r["status"] for r in listed}  # type: ignore[attr-defined]
    assert statuses[renewal["id"]] == "active" and statuses[requested[0]] == "expired"
