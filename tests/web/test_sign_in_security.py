"""Sign-in security in the browser (issue 12): a generated password works for one sign-in, which sets the
user's own (F1); the enrolment the partner's policy requires, with a QR code drawn here; the code step that
opens no session until the code is right; My account's password change ending the other sessions (F3); the
tenant's MFA policy."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from partnerhub.auth.models import User, WebSession
from partnerhub.db import read_session
from tests.factories import OWN_PASSWORD
from tests.web.conftest import Browser, Site

NEW_PASSWORD = "my very own passphrase"


def _key_on(page_text: str) -> str:
    found = re.search(r'<code class="secret" id="mfa-key">([A-Z2-7 ]+)</code>', page_text)
    assert found, "the page shows no set-up key"
    return found.group(1).replace(" ", "")


def _sessions_of(site: Site, email: str) -> int:
    with read_session(site.engine) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        return len(session.scalars(select(WebSession.id).where(WebSession.user_id == user_id)).all())


def test_a_first_sign_in_sets_a_password_then_sets_up_mfa_and_only_then_signs_in(site: Site) -> None:
    partner = site.partner(name="Contoso")
    email = partner.admin.email
    generated = site.password_of(email)
    browser = site.browser()
    page = browser.sign_in(email, generated)
    assert page.url.path == "/signin/password" and "<h1>Set your own password</h1>" in page.text
    assert browser.get("/account").url.path == "/signin"  # no session yet
    assert _sessions_of(site, email) == 0
    browser.get("/signin/password?next=/")
    page = browser.post(
        "/signin/password",
        {"current_password": generated, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert page.url.path == "/signin/mfa-setup", page.text
    assert '<img src="data:image/svg+xml' in page.text  # the QR code is drawn here, not by a service
    key = _key_on(page.text)
    assert _sessions_of(site, email) == 0
    page = browser.post("/signin/mfa-setup", {"code": pyotp.TOTP(key).now()})
    assert "<h1>Your recovery codes</h1>" in page.text
    codes = re.findall(r'<li><code class="secret">([0-9a-f]{8}-[0-9a-f]{8})</code></li>', page.text)
    assert len(codes) == 10
    account = browser.get("/account")
    assert account.url.path == "/account" and "Recovery codes left: 10." in account.text
    # the generated password works no more
    again = site.browser().sign_in(email, generated)
    assert "The e-mail address or the password is not correct." in again.text


def test_the_generated_password_alone_never_opens_a_session(site: Site) -> None:
    partner = site.partner()
    email = partner.sales_agent.email
    browser = site.browser()
    browser.sign_in(email, site.password_of(email))
    for path in ("/account", "/customers", "/users"):
        assert browser.get(path).url.path == "/signin"
    assert 'action="/signin"' in browser.get("/").text  # the visitor's start page
    assert _sessions_of(site, email) == 0


def test_a_wrong_code_opens_no_session_and_a_right_one_does(site: Site) -> None:
    partner = site.partner()
    email = partner.admin_agent.email
    site.own_password(email)
    site.enrolled(email)
    browser = site.browser()
    page = browser.sign_in(email, OWN_PASSWORD)
    assert page.url.path == "/signin/code" and "<h1>Enter your code</h1>" in page.text
    page = browser.post("/signin/code", {"code": "12345x"})
    assert page.status_code == 400 and "The code is not correct, has expired or was already used." in page.text
    assert browser.get("/account").url.path == "/signin" and _sessions_of(site, email) == 0
    browser.get("/signin/code")
    page = browser.post("/signin/code", {"code": site.code_of(email)})
    assert page.url.path == "/" and "<h1>Dashboard</h1>" in page.text


def test_a_recovery_code_signs_in_once(site: Site) -> None:
    partner = site.partner()
    email = partner.admin_agent.email
    site.own_password(email)
    site.enrolled(email)
    code = site.recovery_codes[email.lower()][0]
    browser = site.browser()
    browser.sign_in(email, OWN_PASSWORD)
    assert browser.post("/signin/code", {"code": code}).url.path == "/"
    other = site.browser()
    other.sign_in(email, OWN_PASSWORD)
    assert other.post("/signin/code", {"code": code}).status_code == 400


def test_changing_my_password_ends_my_other_sessions_but_not_this_one(site: Site) -> None:
    partner = site.partner()
    email = partner.admin_agent.email
    here = site.signed_in(email)
    elsewhere = site.signed_in(email)
    here.get("/account")
    page = here.post(
        "/account/password",
        {"current_password": OWN_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert page.url.path == "/account"
    assert "Your password was changed. Your other sessions and your API tokens have ended." in page.text
    assert here.get("/account").url.path == "/account"
    assert elsewhere.get("/account").url.path == "/signin"


def test_a_password_change_is_refused_beside_its_field(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin_agent.email)
    browser.get("/account")
    page = browser.post(
        "/account/password",
        {"current_password": "wrong", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert page.status_code == 400 and 'id="f-current_password-error">The current password is not correct.' in page.text
    page = browser.post(
        "/account/password", {"current_password": OWN_PASSWORD, "new_password": "short", "new_password_again": "short"}
    )
    assert page.status_code == 400 and "A password needs at least 12 characters" in page.text


def test_a_user_sets_up_mfa_on_my_account(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    page = browser.get("/account")
    assert "Every user of your organisation must sign in with multi-factor authentication." in page.text
    # the partner's policy is on from the start: its Global admin turns it off, and a user opts in alone
    page = browser.post("/account/mfa-policy", {"require_mfa": "off"})
    assert "Multi-factor sign-in is now each user&#39;s choice in your organisation." in page.text
    agent = site.signed_in(partner.sales_agent.email)
    page = agent.get("/account")
    assert "Off: a password alone signs in to your account." in page.text
    assert 'action="/account/mfa-policy"' not in page.text  # only the Global admin sets the policy
    page = agent.post("/account/mfa/start", {})
    assert page.url.path == "/account/mfa"
    key = _key_on(page.text)
    page = agent.post("/account/mfa", {"code": pyotp.TOTP(key).now()})
    assert "<h1>Your recovery codes</h1>" in page.text
    assert "On since" in agent.get("/account").text


def test_only_the_global_admin_sets_the_policy(site: Site) -> None:
    partner = site.partner()
    agent = site.signed_in(partner.admin_agent.email)
    agent.get("/account")
    assert agent.post("/account/mfa-policy", {"require_mfa": "off"}).status_code == 403


def test_the_steps_speak_italian(site: Site) -> None:
    partner = site.partner()
    email = partner.helpdesk_agent.email
    browser: Browser = site.browser(language="it")
    page = browser.sign_in(email, site.password_of(email))
    assert "<h1>Imposta la tua password</h1>" in page.text
