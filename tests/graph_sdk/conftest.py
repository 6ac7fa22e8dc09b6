"""A live partnerhub for Microsoft's Graph SDK: uvicorn in a thread on a free port of 127.0.0.1, over a fresh
migrated database with committed data (SQLite and PostgreSQL), partners and customers made through the
services, and a `GraphServiceClient` pointed at it with a partnerhub bearer token (plain http on loopback)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as SDK_OPTIONS
from msgraph_core import GraphClientFactory
from sqlalchemy import Engine, select

from partnerhub.auth.models import User
from partnerhub.auth.service import actor_for_email, actor_for_user, create_token
from partnerhub.db import transaction
from partnerhub.http.app import create_app
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.conftest import DatabaseFactory
from tests.factories import PartnerWorld, make_customer, make_partner, take_over

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(url: str, data_dir: Path, *, trusted_proxies: str = "") -> Iterator[str]:
    """The whole app (no job worker) served by uvicorn on a free port, as `partnerhub serve` runs it (uvicorn's
    own proxy headers off; the app believes forwarded headers only from `trusted_proxies`); yields its base URL."""
    port = _free_port()
    base_url = f"http://{HOST}:{port}"
    runtime = Runtime(Settings(database_url=url, data_dir=data_dir, secret_key="test", trusted_proxies=trusted_proxies))
    app = create_app(runtime, start_worker=False)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=HOST,
            port=port,
            log_level="warning",
            ws="none",
            lifespan="on",
            access_log=False,
            proxy_headers=False,
        )
    )
    thread = threading.Thread(target=server.run, name="graph-sdk-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as answer:  # noqa: S310 (our own server)
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not answer /healthz within 20 seconds")
        time.sleep(0.05)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        runtime.engine.dispose()


@dataclass
class Live:
    base_url: str
    engine: Engine
    one_time: dict[str, tuple[str, str]] = field(default_factory=dict)  # customer id → (admin e-mail, password)

    def partner(self) -> tuple[PartnerWorld, str]:
        """A partner (one user per role) and its Global admin's bearer token."""
        with transaction(self.engine) as session:
            world = make_partner(session)
            return world, create_token(session, world.admin).token

    def customer(self, partner: PartnerWorld, *, own_password: bool = True, **kwargs: Any) -> tuple[str, str]:
        """A customer of `partner` and its Global admin's bearer token (by default the admin has set their own
        password, as approving GDAP requires)."""
        with transaction(self.engine) as session:
            created = make_customer(session, partner.admin, own_password=own_password, **kwargs)
            if not own_password:  # the operator's shell issues its token, as `partnerhub token create --as` does
                self.one_time[created.customer.id] = (created.admin.email, created.password)
                return created.customer.id, create_token(session, actor_for_email(session, created.admin.email)).token
            return created.customer.id, create_token(session, actor_for_user(session, created.admin)).token

    def take_over(self, customer_id: str) -> str:
        """The customer's Global admin signs in and sets their own password (which ends their old tokens); a
        new bearer token of theirs."""
        email, password = self.one_time.pop(customer_id)
        with transaction(self.engine) as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            take_over(session, user, password)
            return create_token(session, actor_for_user(session, user)).token


@pytest.fixture
def live(db_factory: DatabaseFactory, fresh_engine: Engine, tmp_path: Path) -> Iterator[Live]:
    with serving(db_factory.url_of(fresh_engine), tmp_path) as base_url:
        yield Live(base_url, fresh_engine)


class StaticToken(AccessTokenProvider):
    """A partnerhub bearer token, given to the SDK as an access token for the local server only."""

    def __init__(self, token: str, host: str) -> None:
        self.token = token
        self.validator = AllowedHostsValidator([host])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        return self.token if self.validator.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self.validator


class GraphClients:
    """Graph SDK clients pointed at the live partnerhub's /v1, one per bearer token; `aclose()` (in the same
    event loop) closes their HTTP connections."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.transports: list[httpx.AsyncHTTPTransport] = []

    def __call__(self, token: str) -> GraphServiceClient:
        # the SDK's own middleware (retry, redirect, telemetry...) over a transport kept here to be closed: the
        # middleware's transport does not close the one it wraps
        transport = httpx.AsyncHTTPTransport()
        self.transports.append(transport)
        http = GraphClientFactory.create_with_default_middleware(
            client=httpx.AsyncClient(transport=transport, timeout=30), options=SDK_OPTIONS
        )
        host = urlsplit(self.base_url).hostname or HOST
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token, host)), client=http)
        adapter.base_url = f"{self.base_url}/v1"
        return GraphServiceClient(request_adapter=adapter)

    async def aclose(self) -> None:
        for transport in self.transports:
            await transport.aclose()


@pytest.fixture
def graph_client(live: Live) -> GraphClients:
    return GraphClients(live.base_url)
