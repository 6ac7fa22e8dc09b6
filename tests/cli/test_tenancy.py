"""Issue 12 from the command line: the operator's verified domains of a partner (F5), users added only in
them, and a shared customer's billing profile under its etag (F4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from tests.activity import activity
from tests.cli.test_seed_flow import Cli

GA = "ga@contoso.example"


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runner.create_partner("Contoso", "contoso.onmicrosoft.example", GA)
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def _partner_id(cli: Cli) -> str:
    partners = cli.json("operator", "list-partners")
    assert isinstance(partners, list)
    return str(partners[0]["partnerId"])


def test_the_operator_lists_adds_and_removes_verified_domains(cli: Cli, fresh_engine: Engine) -> None:
    pid = _partner_id(cli)
    assert cli.json("operator", "domains", "list", pid) == [
        {"domain": "contoso.example", "partnerId": pid},
        {"domain": "contoso.onmicrosoft.example", "partnerId": pid},
    ]

    refused = cli.run("users", "add", "--email", "luca@contoso.it", "--role", "sales-agent", as_=GA, expect=3)
    assert "error 800180" in refused.stderr and "contoso.example, contoso.onmicrosoft.example" in refused.stderr

    added = cli.run("operator", "domains", "add", pid, "Contoso.IT")
    assert "contoso.it is now a verified domain of Contoso" in added.stdout
    cli.run("users", "add", "--email", "luca@contoso.it", "--role", "sales-agent", as_=GA)
    table = cli.run("operator", "domains", "list", pid).stdout
    assert "contoso.it" in table and "contoso.example" in table

    removed = cli.run("operator", "domains", "remove", pid, "contoso.it")
    assert "contoso.it is no longer a verified domain of Contoso" in removed.stdout
    assert [r.resource_id for r in activity(fresh_engine, resource_type="partner_domain", partner_id=pid)] == [
        "contoso.it",
        "contoso.it",
    ]


def test_domain_refusals_have_their_codes_and_speak_italian(cli: Cli) -> None:
    pid = _partner_id(cli)
    cli.run("customers", "create", "--company-name", "Fabrikam", "--domain", "fabrikam.example", as_=GA)
    taken = cli.run("operator", "domains", "add", pid, "fabrikam.example", expect=6)
    assert "error 800181" in taken.stderr
    cli.run("operator", "domains", "remove", pid, "contoso.example")
    last = cli.run("--lang", "it", "operator", "domains", "remove", pid, "contoso.onmicrosoft.example", expect=3)
    assert "error 800183" in last.stderr and "è l'ultimo dominio verificato del partner" in last.stderr
    assert "error 630" in cli.run("operator", "domains", "remove", pid, "nowhere.example", expect=4).stderr
