"""`partnerhub webhooks ...`: register (the secret printed once), show, test (sent at once with --now and
verified by the receiver), deliveries, redeliver, replay, rotate-secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli
from tests.webhooks.receiver import Receiver, running_receiver

GA = "ga@contoso.example"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    monkeypatch.setenv("PARTNERHUB_WEBHOOK_ALLOW_PRIVATE", "true")
    runner.create_partner("Contoso", "contoso.example", GA)
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def test_register_show_test_and_the_delivery_log(cli: Cli, receiver: Receiver) -> None:
    out = cli.run(
        "webhooks", "register", "--url", receiver.url, "--event", "Customer-Created", "--event", "order-created", as_=GA
    ).stdout
    secret = out.split("Signing secret (shown only now): ")[1].split()[0]
    assert secret.startswith("whsec_")
    shown = cli.run("webhooks", "show", as_=GA).stdout
    assert receiver.url in shown and "registration" in shown and secret not in shown
    result = cli.json("webhooks", "test", "--now", as_=GA)
    assert isinstance(result, dict) and result["status"] == "succeeded"
    assert result["results"][0]["responseCode"] == "204"
    [got] = receiver.wait_for(1)
    assert got.verified_with(secret)["EventName"] == "test-created"
    log = cli.json("webhooks", "deliveries", "--status", "succeeded", as_=GA)
    assert isinstance(log, list) and [d["eventName"] for d in log] == ["test-created"]
    again = cli.run("webhooks", "redeliver", log[0]["id"], as_=GA).stdout
    assert "will be sent again" in again
    assert "0 event(s) will be sent again." in cli.run("webhooks", "replay", "--since", "2020-01-01", as_=GA).stdout


def test_rotate_secret_prints_the_new_secret_once(cli: Cli, receiver: Receiver) -> None:
    cli.run("webhooks", "register", "--url", receiver.url, "--event", "order-created", as_=GA)
    rotated = cli.json("webhooks", "rotate-secret", as_=GA)
    assert isinstance(rotated, dict) and rotated["properties"]["signingSecret"].startswith("whsec_")
    assert rotated["properties"]["signingSecret"] not in cli.run("webhooks", "show", "--json", as_=GA).stdout


def test_unsafe_urls_and_unknown_events_are_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = cli.run("webhooks", "register", "--url", "file:///etc/passwd", "--event", "order-created", as_=GA, expect=3)
    assert "800706" in bad.stderr
    unknown = cli.run("webhooks", "register", "--url", "http://127.0.0.1:9/x", "--event", "nope", as_=GA, expect=3)
    assert "800704" in unknown.stderr
