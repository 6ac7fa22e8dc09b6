"""The web dashboard under test: one app per test (SQLite and PostgreSQL), bound to the test's rolled-back
connection to the shared database (or, for a test marked `committed`, over a committed throwaway database);
each signed-in user gets a client of its own (its own cookie jar), as a browser would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, Engine

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user, reset_user_password
from partnerhub.db import transaction
from partnerhub.http.app import create_app
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.accounts import Accounts
from tests.conftest import AppDatabase
from tests.factories import PartnerWorld, make_customer, make_partner

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """One browser: a cookie jar, the last page seen, and forms posted with that page's CSRF token."""

    client: TestClient
    email: str = ""
    last: Response | None = None

    def get(self, path: str, **kwargs: Any) -> Response:
        self.last = self.client.get(path, **kwargs)
        return self.last

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: str | None = None, follow: bool = True
    ) -> Response:
        """Submit a form as the page would: with the CSRF token of the last page (or `csrf` given)."""
        if csrf is None:
            assert self.last is not None, "open a page before posting its form"
            csrf = csrf_of(self.last.text)
        body = {"csrf_token": csrf, **(data or {})}
        self.last = self.client.post(path, data=body, follow_redirects=follow)
        return self.last

    def sign_in(self, email: str, password: str) -> Response:
        self.get("/signin")
        self.email = email
        return self.post("/signin", {"email": email, "password": password})


@dataclass
class Site:
    """`engine` is what the test sets up and reads data through, with `transaction()`/`read_session()`: the
    connection the app is bound to (in the test's rolled-back transaction), or a committed database's engine."""

    engine: Engine | Connection
    runtime: Runtime
    clients: list[TestClient] = field(default_factory=list)
    accounts: Accounts = field(init=False)

    def browser(self, *, language: str | None = None, address: str = "testclient") -> Browser:
        """A new browser; `address` is the client address the app sees (the sign-in limits count it)."""
        headers = {"Accept-Language": language} if language else {}
        client = TestClient(create_app(self.runtime, start_worker=False), headers=headers, client=(address, 50000))
        client.__enter__()
        self.clients.append(client)
        return Browser(client)

    def password_of(self, email: str) -> str:
        with transaction(self.engine) as session:
            return reset_user_password(session, Actor.system(), email=email)[1]

    def partner(self, **kwargs: Any) -> PartnerWorld:
        with transaction(self.engine) as session:
            return make_partner(session, **kwargs)

    def customer(self, partner: PartnerWorld, **kwargs: Any) -> tuple[str, str]:
        """A customer of `partner`: (customer id, its Global admin's e-mail)."""
        with transaction(self.engine) as session:
            created = make_customer(session, partner.admin, **kwargs)
            return created.customer.id, created.admin.email

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.engine)

    def own_password(self, email: str) -> str:
        return self.accounts.own_password(email)

    def password_only(self, partner: PartnerWorld) -> str:
        return self.accounts.password_only(partner)

    def enrolled(self, email: str) -> None:
        self.accounts.enrolled(email)

    def code_of(self, email: str) -> str:
        return self.accounts.code_of(email)

    @property
    def recovery_codes(self) -> dict[str, list[str]]:
        return self.accounts.recovery_codes

    def signed_in(self, email: str, *, language: str | None = None) -> Browser:
        """A browser signed in as `email` the way the user would: their own password, then their code."""
        password = self.own_password(email)
        self.enrolled(email)
        browser = self.browser(language=language)
        page = browser.sign_in(email, password)
        if page.url.path == "/signin/code":
            page = browser.post("/signin/code", {"code": self.code_of(email)})
        assert page.status_code == 200 and not page.url.path.startswith("/signin"), page.text
        return browser

    def actor(self, email: str) -> Actor:
        from partnerhub.auth.service import actor_for_email

        with transaction(self.engine) as session:
            return actor_for_email(session, email)


@pytest.fixture
def make_site(app_database: AppDatabase, tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Build the dashboard over the test's database (see `AppDatabase`), with Settings overrides."""
    sites: list[Site] = []

    def build(**overrides: Any) -> Site:
        settings = Settings(
            database_url=app_database.url,
            data_dir=tmp_path,
            secret_key="test",
            base_url="http://testserver",
            **overrides,
        )
        site = Site(app_database.setup, Runtime(settings, bind=app_database.bind))
        sites.append(site)
        return site

    yield build
    for site in sites:
        for client in site.clients:
            client.__exit__(None, None, None)
        site.runtime.dispose()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


__all__ = ["Browser", "Site", "actor_for_user", "csrf_of"]
