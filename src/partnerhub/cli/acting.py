"""Who a command acts as and in which unit of work: the runtime, `--as`, and one transaction per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.errors import InvalidInput
from partnerhub.runtime import Runtime


class CliState:
    locale: str | None = None
    correlation_id: str | None = None


state = CliState()

AsOption = Annotated[
    str,
    typer.Option(
        "--as", envvar="PARTNERHUB_AS", help="Act as this user (e-mail). Env: PARTNERHUB_AS.", show_default=False
    ),
]


@cache
def runtime() -> Runtime:
    return Runtime.from_env()


def _with_locale(actor: Actor) -> Actor:
    if state.locale is None:
        state.locale = actor.locale
    return actor


@contextmanager
def acting(as_email: str, *, write: bool = True) -> Iterator[tuple[Session, Actor]]:
    """One transaction acting as the `--as` user: committed when the block succeeds."""
    if not as_email:
        raise InvalidInput(detail="say who acts with --as EMAIL (or PARTNERHUB_AS)")
    scope = transaction if write else read_session
    with scope(runtime().engine) as session:
        actor = _with_locale(actor_for_email(session, as_email))
        yield session, actor


@contextmanager
def as_system(*, write: bool = True) -> Iterator[tuple[Session, Actor]]:
    """One transaction as the operator's shell on the server (trusted like a database console)."""
    scope = transaction if write else read_session
    with scope(runtime().engine) as session:
        yield session, Actor.system(application="cli")
