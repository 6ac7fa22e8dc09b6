"""Real-browser tests: Debian's Chromium, driven by Playwright for Python, walks the dashboard of a live server
(uvicorn in a thread, one per test module, with its job worker) over a fresh migrated SQLite database, in
English and in Italian; screenshots of the key pages go to `screenshots/` at the repository root.

Chromium is found with `shutil.which("chromium")` (`make browser` installs Debian's package). Without it the
tests are skipped loudly off CI; under CI=true they fail."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import Engine

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import reset_user_password
from partnerhub.catalog.service import load_default_catalog
from partnerhub.db import create_db_engine, transaction
from partnerhub.http.app import create_app
from partnerhub.locale import catalog, gettext
from partnerhub.migrations import upgrade
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.accounts import Accounts
from tests.factories import M365_BASIC, PartnerWorld, buy, make_customer, make_partner

CHROMIUM = shutil.which("chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parents[1] / "screenshots"
LANGUAGES = ("en", "it")
BROWSER_LOCALE = {"en": "en-US", "it": "it-IT"}
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)  # a shared, busy test machine must not turn a slow page into a failure
NO_CHROMIUM = "Chromium NOT FOUND (shutil.which('chromium') is None; `make browser` installs Debian's chromium)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Off CI, a missing Chromium marks this folder's tests skipped (loudly); under CI=true nothing is
    marked, so the `chromium` fixture fails them."""
    skip = pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason=f"{NO_CHROMIUM}: SKIPPED")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CHROMIUM is None:
        outcome = "they FAILED (CI=true)" if IN_CI else "they were SKIPPED"
        terminalreporter.write_sep("!", f"{NO_CHROMIUM}: real-browser tests: {outcome}", red=True, bold=True)


# --- the live server -------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveSite:
    """A running partnerhub and the way to seed it through the services."""

    base_url: str
    engine: Engine
    _accounts: Accounts | None = None

    def partner(self, **kwargs: Any) -> PartnerWorld:
        with transaction(self.engine) as session:
            return make_partner(session, **kwargs)

    def customer(self, partner: PartnerWorld, **kwargs: Any) -> tuple[str, str]:
        """A customer of `partner`: (customer id, its Global admin's e-mail)."""
        with transaction(self.engine) as session:
            created = make_customer(session, partner.admin, **kwargs)
            return created.customer.id, created.admin.email

    def buy(
        self,
        partner: PartnerWorld,
        customer_id: str,
        offer_id: str = M365_BASIC,
        *,
        quantity: int = 5,
        friendly_name: str | None = None,
        parent_id: str | None = None,
    ) -> str:
        """One subscription bought by `partner` for the customer: its id."""
        with transaction(self.engine) as session:
            return buy(
                session,
                partner.admin,
                customer_id,
                offer_id,
                quantity,
                friendly_name=friendly_name,
                parent_id=parent_id,
            ).id

    def password_of(self, email: str) -> str:
        """A new generated (one-time) password, as an admin's reset gives."""
        with transaction(self.engine) as session:
            return reset_user_password(session, Actor.system(), email=email)[1]

    @property
    def accounts(self) -> Accounts:
        if self._accounts is None:
            self._accounts = Accounts(self.engine)
        return self._accounts


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built by the migrations, with the default catalog: each live server starts from a copy."""
    path = tmp_path_factory.mktemp("browser-template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        load_default_catalog(session, Actor.system())
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def live_site(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """A fresh migrated SQLite database and the whole app (worker included) on a free port of 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("live")
    shutil.copy(migrated_template, tmp / "partnerhub.db")
    url = f"sqlite:///{tmp / 'partnerhub.db'}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    runtime = Runtime(
        Settings(
            database_url=url,
            data_dir=tmp,
            secret_key="test",
            base_url=base_url,
            sign_in_attempts_per_minute=0,
            webhook_allow_private=True,
        )
    )
    app = create_app(runtime, start_worker=True)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
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
        yield LiveSite(base_url, runtime.engine)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        runtime.engine.dispose()


# --- the browser -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Per module: while Playwright's sync API is alive, the main thread counts as running its event loop
    (asyncio.run() would refuse), so it must not outlive the browser tests of a pytest process."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright's own browser download is not used)."""
    if CHROMIUM is None:
        pytest.fail(f"{NO_CHROMIUM}: under CI=true a missing browser fails the run")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
    yield browser
    browser.close()


@dataclass
class User:
    """One person at one browser (its own context: cookies, language): a page and the words of its language."""

    page: Page
    language: str
    site: LiveSite
    email: str = ""

    def t(self, msgid: str, **params: Any) -> str:
        """What the page says for `msgid` in this user's language (the catalogs are the source); the Italian
        walk also proves that every text it looks for is translated."""
        if self.language != "en" and msgid not in catalog(self.language):
            pytest.fail(f"no {self.language} translation of {msgid!r}")
        text = gettext(msgid, self.language)
        return text.format(**params) if params else text

    def go(self, path: str) -> Page:
        self.page.goto(self.site.base_url + path)
        return self.page

    def choose_language(self) -> None:
        """Press this language's button of the switch in the top bar (remembered in a cookie)."""
        button = self.page.locator(f'form.language-switch button[name="language"][value="{self.language}"]')
        button.click()
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)

    def sign_in(self, email: str, *, shot: str | None = None) -> None:
        """Sign in on /signin through its labelled fields, in this user's language."""
        self.go("/signin")
        self.choose_language()
        self.submit_sign_in(email, shot=shot)

    def submit_sign_in(self, email: str, *, shot: str | None = None) -> None:
        """Fill in the sign-in form on the page shown now and submit it, with the user's own password and,
        where the tenant requires it, the code of the user's authenticator."""
        self.email = email
        accounts = self.site.accounts
        password = accounts.own_password(email)
        accounts.enrolled(email)
        expect(self.page.get_by_role("heading", name=self.t("Sign in"))).to_be_visible()
        self.page.get_by_label(self.t("E-mail address")).fill(email)
        self.page.get_by_label(self.t("Password")).fill(password)
        if shot:
            self.shot(shot)
        self.page.get_by_role("button", name=self.t("Sign in"), exact=True).click()
        code_step = self.page.get_by_role("heading", name=self.t("Enter your code"))
        signed_in = self.page.get_by_role("button", name=self.t("Sign out"))
        expect(code_step.or_(signed_in)).to_be_visible()
        if code_step.is_visible():
            self.page.get_by_label(self.t("Code")).fill(accounts.code_of(email))
            self.page.get_by_role("button", name=self.t("Verify")).click()
        expect(signed_in).to_be_visible()

    def nav(self, msgid: str) -> Locator:
        """A link of the main menu."""
        return self.page.get_by_role("navigation", name=self.t("Main menu")).get_by_role(
            "link", name=self.t(msgid), exact=True
        )

    def flash(self) -> Locator:
        return self.page.locator(".flash")

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """A screenshot of the page as it is now: screenshots/<name>-<language>.png."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.language}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def has_no_horizontal_overflow(self) -> bool:
        return bool(
            self.page.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth"
                " && document.body.scrollWidth <= window.innerWidth"
            )
        )


@dataclass
class Browsers:
    """Opens one browser context per user (separate cookie jars, as two people on two machines)."""

    chromium: Browser
    site: LiveSite
    contexts: list[BrowserContext] = field(default_factory=list)

    def user(self, language: str, *, viewport: ViewportSize = DESKTOP) -> User:
        context = self.chromium.new_context(locale=BROWSER_LOCALE[language], viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return User(context.new_page(), language, self.site)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsers(chromium: Browser, live_site: LiveSite) -> Iterator[Browsers]:
    opened = Browsers(chromium, live_site)
    yield opened
    opened.close()


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


__all__ = ["LANGUAGES", "PHONE", "SCREENSHOTS", "Browsers", "LiveSite", "User", "expect"]
