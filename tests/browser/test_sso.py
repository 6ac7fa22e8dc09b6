"""Single sign-on in a real browser, in English and in Italian: the user types the e-mail, chooses *Sign in with
your organisation*, sees which organisation and provider will sign them in, signs in at the test provider
(npm's oidc-provider on 127.0.0.1) and comes back signed in; a provider that has not verified the e-mail gets a
clear refusal; the Global admin's *Single sign-on* page. Screenshots: screenshots/sso-*-<language>.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from partnerhub.auth.oidc import set_single_sign_on
from partnerhub.auth.service import add_partner_user
from partnerhub.auth.sign_in import set_mfa_policy
from partnerhub.db import transaction
from partnerhub.errors.sso import SsoEmailNotVerified
from tests.browser.conftest import Browsers, LiveSite, User, expect
from tests.factories import PartnerWorld
from tests.oidc.provider import ANNA, BEN, CLIENT_ID, CLIENT_SECRET, Provider, running_provider


@pytest.fixture(scope="module")
def provider(live_site: LiveSite) -> Iterator[Provider]:
    with running_provider(live_site.base_url + "/signin/oidc/callback") as running:
        yield running


@pytest.fixture(scope="module")
def tailspin(live_site: LiveSite, provider: Provider) -> PartnerWorld:
    """Tailspin Toys, its identity provider connected; Anna and Ben are its users (Ben's e-mail is not verified
    at the provider). The policy leaves multi-factor sign-in to each user."""
    partner = live_site.partner(name="Tailspin Toys", domain="tailspin.example")
    with transaction(live_site.engine) as session:
        for email in (ANNA, BEN):
            add_partner_user(session, partner.admin, email=email, roles=["sales-agent"])
        set_single_sign_on(
            session,
            partner.admin,
            tenant_id=partner.partner_id,
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            enabled=True,
            secret_key="test",
        )
        set_mfa_policy(session, partner.admin, required=False)
    return partner


def _to_the_provider(me: User, email: str, *, shots: bool) -> None:
    me.go("/signin")
    me.choose_language()
    me.page.get_by_label(me.t("E-mail address")).fill(email)
    if shots:
        me.shot("sso-01-sign-in")
    me.page.get_by_role("button", name=me.t("Sign in with your organisation")).click()
    expect(me.page.get_by_role("heading", name=me.t("Sign in with your organisation"))).to_be_visible()
    expect(
        me.page.get_by_text(
            me.t("{organisation} signs in its users with its own identity provider.", organisation="Tailspin Toys")
        )
    ).to_be_visible()
    if shots:
        me.shot("sso-02-continue")
    me.page.get_by_role("link", name=me.t("Continue to your identity provider")).click()


def _at_the_provider(me: User, login: str) -> None:
    """The provider's development pages (English only: they are the provider's, not partnerhub's)."""
    login_field = me.page.locator('input[name="login"]')
    expect(login_field).to_be_visible()
    login_field.fill(login)
    me.page.locator('input[name="password"]').fill("any password")
    me.page.get_by_role("button", name="Sign-in").click()
    me.page.get_by_role("button", name="Continue").click()


def test_a_user_signs_in_with_the_organisations_provider(
    browsers: Browsers, tailspin: PartnerWorld, language: str
) -> None:
    me = browsers.user(language)
    _to_the_provider(me, ANNA, shots=True)
    _at_the_provider(me, ANNA)
    expect(me.page.get_by_role("button", name=me.t("Sign out"))).to_be_visible()
    expect(me.page.locator("html")).to_have_attribute("lang", language)
    me.shot("sso-03-signed-in")
    me.nav("My account").click()
    expect(me.page.locator("#main").get_by_text(ANNA, exact=True)).to_be_visible()


def test_an_unverified_email_is_refused_clearly(browsers: Browsers, tailspin: PartnerWorld, language: str) -> None:
    me = browsers.user(language)
    _to_the_provider(me, ANNA, shots=False)
    _at_the_provider(me, BEN)
    expect(me.flash()).to_have_text(SsoEmailNotVerified().render(language))
    expect(me.page.get_by_role("heading", name=me.t("Sign in"))).to_be_visible()
    me.shot("sso-04-refused")


def test_the_global_admin_sees_the_single_sign_on_page(
    browsers: Browsers, tailspin: PartnerWorld, provider: Provider, language: str
) -> None:
    me = browsers.user(language)
    me.sign_in(tailspin.admin.email)
    me.nav("My account").click()
    me.page.get_by_role("link", name=me.t("Let your users sign in with your organisation's identity provider")).click()
    expect(me.page.get_by_role("heading", name=me.t("Single sign-on"), exact=True)).to_be_visible()
    expect(me.page.get_by_label(me.t("Issuer URL"))).to_have_value(provider.issuer)
    assert CLIENT_SECRET not in me.page.content()
    me.shot("sso-05-settings")
