"""`partnerhub users reset-mfa` follows the rule the web's reset pages follow (one service, `reset_user_mfa`):
a Global admin resets the users of its own tenant; the operator resets Global admins, not their users; a factor
that is not set up has nothing to reset. The server's shell may reset its own user's factor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from partnerhub.auth.models import User
from partnerhub.cli.acting import runtime
from partnerhub.db import read_session
from tests.accounts import Accounts
from tests.cli.test_seed_flow import Cli

GA = "ga@contoso.example"
AGENT = "agent@contoso.example"
OPS = "ops@platform.example"


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    """A partner (Contoso, which requires MFA) with a Global admin and a sales agent, both with an
    authenticator, and an operator account."""
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runner.create_partner("Contoso", "contoso.example", GA)
    runner.run("users", "add", "--email", AGENT, "--role", "sales-agent", as_=GA)
    runner.run("operator", "create-operator", "--email", OPS)
    accounts = Accounts(fresh_engine)
    for email in (GA, AGENT, OPS):
        accounts.own_password(email)
        accounts.enrolled(email)
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def _has_mfa(engine: Engine, email: str) -> bool:
    with read_session(engine) as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user.has_mfa


def test_the_operator_resets_a_global_admin_and_not_their_users(cli: Cli, fresh_engine: Engine) -> None:
    refused = cli.run("users", "reset-mfa", "--email", AGENT, as_=OPS, expect=5)
    assert "800512" in refused.stderr and _has_mfa(fresh_engine, AGENT)
    cli.run("users", "reset-mfa", "--email", GA, as_=OPS)
    assert not _has_mfa(fresh_engine, GA)
    again = cli.run("users", "reset-mfa", "--email", GA, as_=OPS, expect=3)
    assert "800510" in again.stderr  # nothing left to reset


def test_a_global_admin_resets_its_users_and_the_shell_its_own(cli: Cli, fresh_engine: Engine) -> None:
    cli.run("users", "reset-mfa", "--email", AGENT, as_=GA)
    assert not _has_mfa(fresh_engine, AGENT)
    cli.run("users", "reset-mfa", "--email", OPS, as_=OPS)  # an operator who lost the phone, at the server
    assert not _has_mfa(fresh_engine, OPS)
