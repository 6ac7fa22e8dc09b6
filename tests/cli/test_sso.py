"""`partnerhub sso set/show/disable`: the operator connects a tenant's identity provider from the server's
shell. The client secret comes from a hidden prompt or standard input, is stored encrypted and never printed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli

SECRET = "cli-secret-Zq9-never-printed"
ISSUER = "https://login.tailspin.example"


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runner.create_partner("Tailspin Toys", "tailspin.example", "ga@tailspin.example")
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def test_the_operator_sets_shows_and_disables_single_sign_on(
    cli: Cli, fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "800530" in cli.run("sso", "show", "--domain", "tailspin.example", expect=4).stderr
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    set_out = cli.run(
        "sso",
        "set",
        "--domain",
        "tailspin.example",
        "--issuer",
        ISSUER,
        "--client-id",
        "partnerhub",
        "--client-secret-stdin",
    )
    assert "on" in set_out.stdout and SECRET not in set_out.stdout + set_out.stderr
    shown = cli.json("sso", "show", "--domain", "tailspin.example")
    assert shown == {
        **shown,
        "issuer": ISSUER,
        "clientId": "partnerhub",
        "enabled": True,
        "hasClientSecret": True,
        "redirectUri": "http://127.0.0.1:8000/signin/oidc/callback",
    }
    assert SECRET not in str(shown)
    off = cli.json("sso", "disable", "--domain", "tailspin.example")
    assert isinstance(off, dict) and off["enabled"] is False
    with fresh_engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM tenant_single_sign_on")) for v in row)
        records = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT operation_type FROM activity_records WHERE operation_type = 'update_tenant_single_sign_on'"
                )
            )
        ]
    assert SECRET not in stored and records == ["update_tenant_single_sign_on"] * 2
    # an unknown domain, and an http:// issuer off this machine, are refused
    assert cli.run("sso", "disable", "--domain", "nobody.example", expect=4).stderr
    bad = cli.run(
        "sso",
        "set",
        "--domain",
        "tailspin.example",
        "--issuer",
        "http://idp.example",
        "--client-id",
        "x",
        "--keep-secret",
        expect=3,
    )
    assert "800527" in bad.stderr
