"""The HTTP API under test: one app per test (SQLite and PostgreSQL), bound to the test's rolled-back
connection to the shared database (or, for a test marked `committed`, over a committed throwaway database),
and partners, customers and bearer tokens made through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, Engine

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user, create_token
from partnerhub.db import transaction
from partnerhub.http.app import create_app
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.conftest import AppDatabase
from tests.factories import make_customer, make_partner

ROLES = ("admin", "admin_agent", "sales_agent", "helpdesk_agent")


@dataclass
class ApiPartner:
    partner_id: str
    mpn_id: str
    actors: dict[str, Actor]
    tokens: dict[str, str]

    @property
    def token(self) -> str:
        return self.tokens["admin"]


@dataclass
class Api:
    """`engine` is what the test sets up and reads data through, with `transaction()`/`read_session()`: the
    connection the app is bound to (in the test's rolled-back transaction), or a committed database's engine."""

    client: TestClient
    engine: Engine | Connection
    runtime: Runtime
    partners: list[ApiPartner] = field(default_factory=list)

    def partner(self, name: str | None = None, domain: str | None = None, partner_type: str = "direct") -> ApiPartner:
        """A partner with one user and one bearer token per role."""
        with transaction(self.engine) as session:
            world = make_partner(session, name=name, domain=domain, partner_type=partner_type)
            actors = {
                "admin": world.admin,
                "admin_agent": world.admin_agent,
                "sales_agent": world.sales_agent,
                "helpdesk_agent": world.helpdesk_agent,
            }
            tokens = {role: create_token(session, actor).token for role, actor in actors.items()}
        return ApiPartner(world.partner_id, world.mpn_id, actors, tokens)

    def customer(self, partner: ApiPartner, **kwargs: Any) -> tuple[str, str]:
        """A customer of `partner` made through the service: (customer id, its Global admin's token)."""
        with transaction(self.engine) as session:
            created = make_customer(session, partner.actors["admin"], **kwargs)
            admin = actor_for_user(session, created.admin)
            token = create_token(session, admin).token
            return created.customer.id, token

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        content: str | bytes | None = None,
        params: dict[str, Any] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if content is not None:
            all_headers.setdefault("Content-Type", "application/json")
            return self.client.request(method, path, headers=all_headers, content=content, params=params)
        return self.client.request(method, path, headers=all_headers, json=json, params=params)


@pytest.fixture
def make_api(app_database: AppDatabase, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """Build the app over the test's database (see `AppDatabase`), with Settings overrides (e.g. a tiny rate
    limit)."""
    opened: list[tuple[TestClient, Runtime]] = []

    def build(**overrides: Any) -> Api:
        settings = Settings(
            database_url=app_database.url,
            data_dir=tmp_path,
            secret_key="test",
            base_url="https://partnerhub.example",
            **overrides,
        )
        runtime = Runtime(settings, bind=app_database.bind)
        client = TestClient(create_app(runtime, start_worker=False))
        client.__enter__()
        opened.append((client, runtime))
        return Api(client, app_database.setup, runtime)

    yield build
    for client, runtime in opened:
        client.__exit__(None, None, None)
        runtime.dispose()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
