"""`partnerhub token ...`: API tokens for the HTTP API (shown once, stored as a hash)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.auth.service import (
    create_token,
    list_tokens,
    revoke_token,
)
from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, fmt_time, print_json, print_table

token_app = typer.Typer(help="API tokens for the HTTP API (shown once, stored as a hash).", no_args_is_help=True)


@token_app.command("create")
def token_create(
    as_: AsOption,
    expires_days: Annotated[int, typer.Option(help="Days until the token expires (1-730).")] = 90,
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "",
    json_: JsonOption = False,
) -> None:
    """Create an API token for a user; the token is printed once and stored only as a hash."""
    with acting(as_) as (session, actor):
        issued = create_token(session, actor, expires_days=expires_days, name=name)
    if json_:
        print_json({"id": issued.id, "token": issued.token, "expiresAt": issued.expires_at})
    else:
        console.print(f"API token {issued.id} (expires {fmt_time(issued.expires_at)}):")
        console.print(f"[bold]{issued.token}[/]")
        console.print("Use it as: Authorization: Bearer <token>. It is shown only now.")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id.")], as_: AsOption, json_: JsonOption = False
) -> None:
    """Revoke a token: it stops working at once."""
    with acting(as_) as (session, actor):
        row = revoke_token(session, actor, token_id=token_id)
    if json_:
        print_json({"id": row.id, "revokedAt": row.revoked_at})
    else:
        console.print(f"Token {row.id} revoked.")


@token_app.command("list")
def token_list(as_: AsOption, json_: JsonOption = False) -> None:
    """List your tokens (never their secret values)."""
    with acting(as_, write=False) as (session, actor):
        rows = list_tokens(session, actor)
    data: list[dict[str, Any]] = [
        {"id": r.id, "name": r.name, "createdAt": r.created_at, "expiresAt": r.expires_at, "revokedAt": r.revoked_at}
        for r in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "API tokens",
            ["Id", "Name", "Created", "Expires", "Revoked"],
            [
                (d["id"], d["name"], fmt_time(d["createdAt"]), fmt_time(d["expiresAt"]), fmt_time(d["revokedAt"]))
                for d in data
            ],
        )
