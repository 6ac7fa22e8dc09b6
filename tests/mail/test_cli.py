"""Mail from the command line: `invitations create --email-to` sends the invitation's e-mail through the outbox,
`operator mail` lists what was sent, what waits (and why: no mail server) and what failed, and `--send` sends
what is due now; `gdap list` shows and filters the `expiring` status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.auth.service import actor_for_email, actor_for_user
from partnerhub.cli.acting import runtime
from partnerhub.db import transaction
from partnerhub.delegated_admin.roles import USER_ADMINISTRATOR
from tests.cli.test_seed_flow import Cli
from tests.delegated_admin.conftest import active_gdap
from tests.factories import make_customer
from tests.mail.conftest import SmtpServer

GA = "ga@contoso.example"
TO = "admin@fabrikam.example"


def _cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runner.create_partner("Contoso", "contoso.example", GA)
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


@pytest.fixture
def cli_with_smtp(
    fresh_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    smtp_server: SmtpServer,
) -> Iterator[Cli]:
    monkeypatch.setenv("PARTNERHUB_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("PARTNERHUB_MAIL_FROM", "partnerhub@contoso.example")
    yield from _cli(fresh_engine, tmp_path, monkeypatch, capsys)


@pytest.fixture
def cli_without_smtp(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    monkeypatch.delenv("PARTNERHUB_SMTP_URL", raising=False)
    yield from _cli(fresh_engine, tmp_path, monkeypatch, capsys)


def test_email_to_sends_the_invitation_and_the_operator_sees_it_sent(
    cli_with_smtp: Cli, smtp_server: SmtpServer
) -> None:
    created = cli_with_smtp.json("invitations", "create", "--language", "it", "--email-to", TO, as_=GA)
    assert isinstance(created, dict) and created["emailSentTo"] == TO

    listed = cli_with_smtp.json("operator", "mail", "--send")
    assert isinstance(listed, dict) and listed["smtp"] == "configured"
    assert listed["sent"] == {"sent": 1, "failed": 0, "retrying": 0}
    [mail] = listed["value"]
    assert (mail["to"], mail["kind"], mail["status"], mail["language"]) == (TO, "invitation", "sent", "it")
    [got] = smtp_server.received
    assert got.rcpt_tos == [TO] and created["url"] in got.body

    table = cli_with_smtp.run("operator", "mail").stdout
    assert TO in table and "sent" in table and "SMTP: configured" in table


def test_a_wrong_address_changes_nothing(cli_with_smtp: Cli) -> None:
    refused = cli_with_smtp.run("invitations", "create", "--email-to", "not-an-address", as_=GA, expect=3)
    assert "800761" in refused.stderr
    assert cli_with_smtp.json("invitations", "list", as_=GA) == []
    assert cli_with_smtp.json("operator", "mail")["value"] == []  # type: ignore[index]


def test_without_a_mail_server_email_to_is_refused_and_nothing_is_made(cli_without_smtp: Cli) -> None:
    refused = cli_without_smtp.run("invitations", "create", "--email-to", TO, as_=GA, expect=3)
    assert "PARTNERHUB_SMTP_URL" in refused.stderr
    assert cli_without_smtp.json("invitations", "list", as_=GA) == []
    listed = cli_without_smtp.json("operator", "mail", "--send")
    assert listed == {"smtp": "notConfigured", "value": [], "sent": {"sent": 0, "failed": 0, "notConfigured": 0}}
    assert "SMTP: not configured" in cli_without_smtp.run("operator", "mail").stdout


def test_gdap_list_shows_and_filters_the_expiring_status(cli_without_smtp: Cli, fresh_engine: Engine) -> None:
    with transaction(fresh_engine) as session:
        partner = actor_for_email(session, GA)
        customer = make_customer(session, partner, name="Fabrikam")
        customer_admin = actor_for_user(session, customer.admin)
        for days in (20, 200):
            active_gdap(
                session,
                partner,
                customer_admin,
                customer_id=customer.customer.id,
                roles=[USER_ADMINISTRATOR],
                duration_days=days,
            )
    listed = cli_without_smtp.json("gdap", "list", as_=GA)
    assert isinstance(listed, dict)
    assert sorted(r["status"] for r in listed["value"]) == ["active", "expiring"]
    expiring = cli_without_smtp.json("gdap", "list", "--status", "expiring", as_=GA)
    assert isinstance(expiring, dict) and [r["duration"] for r in expiring["value"]] == ["P20D"]
    assert "expiring" in cli_without_smtp.run("gdap", "list", as_=GA).stdout
