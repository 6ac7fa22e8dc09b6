"""The world of the single sign-on tests: Tailspin Toys (tailspin.example) with its own identity provider (the
test provider of tests/oidc) and its users Anna, Marco and Ben; Wingtip (wingtip.example), another partner,
with its user Nadia. And a person walking the flow: partnerhub's sign-in page, the provider's pages, back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from httpx2 import Response
from sqlalchemy import select

from partnerhub.auth.models import User
from partnerhub.auth.oidc import set_single_sign_on
from partnerhub.auth.service import add_partner_user
from partnerhub.auth.sign_in import set_mfa_policy
from partnerhub.db import transaction
from tests.factories import PartnerWorld
from tests.oidc.provider import (
    ANNA,
    BEN,
    CLIENT_ID,
    CLIENT_SECRET,
    MARCO,
    NADIA,
    Provider,
    person_at_provider,
    running_provider,
)
from tests.web.conftest import Browser, Site

CALLBACK = "http://testserver/signin/oidc/callback"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """One provider for the web tests of a test process (its client's redirect URI: the test site's)."""
    with running_provider(CALLBACK) as provider:
        yield provider


@dataclass
class SsoWorld:
    site: Site
    provider: Provider
    tailspin: PartnerWorld
    wingtip: PartnerWorld
    one_time: dict[str, str]  # the generated password each new user was given

    def configure(self, *, enabled: bool = True, require_mfa: bool | None = None) -> None:
        with transaction(self.site.engine) as session:
            set_single_sign_on(
                session,
                self.tailspin.admin,
                tenant_id=self.tailspin.partner_id,
                issuer=self.provider.issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                enabled=enabled,
                secret_key="test",
            )
            if require_mfa is not None:
                set_mfa_policy(session, self.tailspin.admin, required=require_mfa)

    def user(self, email: str) -> User:
        with transaction(self.site.engine) as session:
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None
            session.expunge(user)
            return user


def make_sso_world(site: Site, provider: Provider) -> SsoWorld:
    tailspin = site.partner(name="Tailspin Toys", domain="tailspin.example")
    wingtip = site.partner(name="Wingtip", domain="wingtip.example")
    one_time: dict[str, str] = {}
    with transaction(site.engine) as session:
        for email in (ANNA, MARCO, BEN):
            one_time[email] = add_partner_user(session, tailspin.admin, email=email, roles=["sales-agent"])[1]
        one_time[NADIA] = add_partner_user(session, wingtip.admin, email=NADIA, roles=["sales-agent"])[1]
    return SsoWorld(site, provider, tailspin, wingtip, one_time)


@dataclass
class Walk:
    """What one single sign-on walk saw."""

    authorization_url: str
    callback_url: str
    final: Response

    @property
    def authorization_params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.authorization_url).query).items()}


def start_sso(browser: Browser, email: str) -> str:
    """From the sign-in page to the provider: the authorization URL partnerhub sends the browser to."""
    browser.get("/signin")
    chosen = browser.post("/signin/sso", {"email": email, "next": "/"}, follow=False)
    assert chosen.status_code == 303, chosen.text
    page = browser.get(chosen.headers["location"])
    assert page.status_code == 200
    start = page.text.split('class="button primary" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    sent = browser.get(start, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def walk_sso(browser: Browser, email: str, *, login: str | None = None, consent: bool = True) -> Walk:
    """Type `email` on partnerhub's sign-in page, sign in at the provider as `login` (the same by default),
    come back to the callback and follow partnerhub's redirects."""
    authorization_url = start_sso(browser, email)
    with person_at_provider() as person:
        callback = person.sign_in(authorization_url, login or email, consent=consent)
    final = browser.get(callback)
    return Walk(authorization_url, callback, final)
