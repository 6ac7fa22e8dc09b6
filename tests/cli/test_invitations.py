"""Invitation codes from the command line (F10): a code is printed once, by the command that makes it;
`invitations resend` makes a new one and ends the old; `invitations rotate-link` replaces the reusable link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from partnerhub.cli.acting import runtime
from tests.cli.test_seed_flow import Cli

GA = "ga@contoso.example"
CUSTOMER_ADMIN = "admin@fabrikam.example"


@pytest.fixture
def cli(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    """A migrated database with a partner (Contoso) and a customer of another partner (Fabrikam)."""
    runner = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    runner.create_partner("Contoso", "contoso.example", GA)
    runner.create_partner("Litware", "litware.example", "ga@litware.example")
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
        as_="ga@litware.example",
    )
    yield runner
    runtime().engine.dispose()
    runtime.cache_clear()


def _dump(engine: Engine) -> str:
    with engine.connect() as conn:
        return " ".join(
            str(v)
            for table in ("relationship_requests", "partners")
            for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            for v in row
        )


def test_the_code_is_printed_once_and_resend_makes_a_new_one(cli: Cli, fresh_engine: Engine) -> None:
    first = cli.json("invitations", "create", "--delegated-admin", as_=GA)
    assert isinstance(first, dict) and first["url"].endswith(first["code"])
    assert first["code"] not in _dump(fresh_engine)
    listed = cli.run("invitations", "list", as_=GA)
    assert first["code"] not in listed.stdout
    assert "partnerhub invitations resend" in listed.stdout
    listed_json = cli.json("invitations", "list", as_=GA)
    assert isinstance(listed_json, list) and "code" not in listed_json[0]

    again = cli.json("invitations", "resend", first["id"], as_=GA)
    assert isinstance(again, dict) and set(again) == set(first)
    assert again["code"] != first["code"] and again["url"].endswith(again["code"])
    old = cli.run("invitations", "accept", first["code"], as_=CUSTOMER_ADMIN, expect=3)
    assert "800111" in old.stderr
    accepted = cli.json("invitations", "accept", again["code"], as_=CUSTOMER_ADMIN)
    assert isinstance(accepted, dict) and accepted["allowDelegatedAccess"] is True
    statuses = {i["id"]: i["status"] for i in cli.json("invitations", "list", as_=GA)}  # type: ignore[union-attr]
    assert statuses == {first["id"]: "revoked", again["id"]: "accepted"}


def test_resend_prints_the_link_and_the_email_as_create_does(cli: Cli) -> None:
    first = cli.json("invitations", "create", "--language", "it", as_=GA)
    assert isinstance(first, dict)
    shown = cli.run("invitations", "resend", first["id"], "--days", "7", as_=GA)
    assert "http://127.0.0.1:8000/invitations/" in shown.stdout and "Gentile cliente" in shown.stdout
    assert "The old link no longer works." in shown.stdout


def test_rotate_link_replaces_the_reusable_link(cli: Cli, fresh_engine: Engine) -> None:
    old = cli.run("invitations", "link", as_=GA).stdout.strip()
    assert old == cli.run("invitations", "link", as_=GA).stdout.strip()
    assert old.rsplit("/", 1)[1] not in _dump(fresh_engine)
    rotated = cli.json("invitations", "rotate-link", "--yes", as_=GA)
    assert isinstance(rotated, dict) and set(rotated) == {"url", "attributes"}
    new = rotated["url"]
    assert new != old and cli.run("invitations", "link", as_=GA).stdout.strip() == new
    gone = cli.run("invitations", "accept", old.rsplit("/", 1)[1], as_=CUSTOMER_ADMIN, expect=4)
    assert "605" in gone.stderr
    shown = cli.json("invitations", "show", new.rsplit("/", 1)[1], as_=CUSTOMER_ADMIN)
    assert isinstance(shown, dict) and shown["partnerName"] == "Contoso"
    cli.run("invitations", "accept", new.rsplit("/", 1)[1], as_=CUSTOMER_ADMIN)


def test_rotate_link_is_refused_to_a_customer_and_asks_for_confirmation(cli: Cli) -> None:
    before = cli.run("invitations", "link", as_=GA).stdout.strip()
    refused = cli.run("invitations", "rotate-link", "--yes", as_=CUSTOMER_ADMIN, expect=5)
    assert refused.stderr.startswith("error ")
    unconfirmed = cli.run("invitations", "rotate-link", as_=GA, expect=3)  # no terminal to confirm on
    assert "--yes" in unconfirmed.stderr
    assert cli.run("invitations", "link", as_=GA).stdout.strip() == before


def test_resend_and_revoke_take_the_etag_the_list_shows(cli: Cli) -> None:
    first = cli.json("invitations", "create", as_=GA)
    assert isinstance(first, dict)
    [listed] = cli.json("invitations", "list", as_=GA)  # type: ignore[misc]
    etag = listed["etag"]
    again = cli.json("invitations", "resend", first["id"], "--etag", etag, as_=GA)
    assert isinstance(again, dict) and again["code"] != first["code"]
    stale = cli.run("invitations", "revoke", first["id"], "--etag", etag, as_=GA, expect=3)
    assert "2055" in stale.stderr and "changed by someone else" in stale.stderr
    statuses = {i["id"]: (i["status"], i["etag"]) for i in cli.json("invitations", "list", as_=GA)}  # type: ignore[union-attr]
    assert statuses[first["id"]][0] == "revoked" and statuses[again["id"]][0] == "sent"
    revoked = cli.run("invitations", "revoke", again["id"], "--etag", statuses[again["id"]][1], as_=GA)
    assert f"Relationship request {again['id']} revoked." in revoked.stdout
