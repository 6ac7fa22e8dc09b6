"""My account's multi-factor sign-in (issue 12): new recovery codes after a code from the app (the old ones stop
working; the new ones are shown once, with a download and a print button), and turning multi-factor sign-in
off after a code or the password, only where the organisation does not require it and never for the operator.
Confirmations are counted like the codes of a sign-in."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from datetime import timedelta

import pyotp
from sqlalchemy import select

from partnerhub.auth.actor import Actor
from partnerhub.auth.attempts import window_of
from partnerhub.auth.models import RecoveryCode, User
from partnerhub.auth.service import actor_for_user
from partnerhub.auth.sign_in import confirm_mfa_enrolment, mfa_setup_key, set_mfa_policy
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from partnerhub.tenants.service import create_operator_account
from tests.activity import activity
from tests.factories import OWN_PASSWORD, PartnerWorld
from tests.web.conftest import Browser, Site

CODE = re.compile(r'<li><code class="secret">([0-9a-f]{8}-[0-9a-f]{8})</code></li>')
WRONG_CODE = "The code is not correct, has expired or was already used."
NEXT_CODE = timedelta(seconds=30)  # the app's next code: each code is accepted once, a sign-in used the last one


def _user(site: Site, email: str) -> User:
    with read_session(site.engine) as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        assert user is not None
        session.expunge(user)
        return user


def _by_choice(site: Site, partner: PartnerWorld, email: str) -> Browser:
    """The partner leaves MFA to each user; `email` has set it up of their own accord and is signed in."""
    with transaction(site.engine) as session:
        set_mfa_policy(session, partner.admin, required=False)
    site.own_password(email)
    with transaction(site.engine) as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        assert user is not None
        site.recovery_codes[email.lower()] = confirm_mfa_enrolment(
            session, user, actor=actor_for_user(session, user), code=pyotp.TOTP(mfa_setup_key(session, user)).now()
        )
    browser = site.browser()
    browser.sign_in(email, OWN_PASSWORD)
    page = browser.post("/signin/code", {"code": site.code_of(email)})
    assert page.url.path == "/", page.text
    return browser


def _signs_in_with(site: Site, email: str, code: str) -> bool:
    browser = site.browser()
    assert browser.sign_in(email, OWN_PASSWORD).url.path == "/signin/code"
    return browser.post("/signin/code", {"code": code}).url.path == "/"


# --- new recovery codes ----------------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(site: Site) -> None:
    with frozen_at(utc_now()) as clock:
        partner = site.partner()
        email = partner.sales_agent.email
        me = site.signed_in(email)  # the partner requires MFA: set up at the first sign-in
        old_codes = list(site.recovery_codes[email])
        assert _signs_in_with(site, email, old_codes.pop())  # one is used: 9 left
        page = me.get("/account")
        assert "Recovery codes left: 9." in page.text and 'href="/account/mfa/recovery-codes"' in page.text
        page = me.get("/account/mfa/recovery-codes")
        assert page.status_code == 200 and "<h1>Get new recovery codes</h1>" in page.text
        assert activity(site.engine, operation="regenerate_mfa_recovery_codes") == []

        clock.move(NEXT_CODE)
        page = me.post("/account/mfa/recovery-codes", {"code": site.code_of(email)})
        assert page.status_code == 200 and "<h1>Your new recovery codes</h1>" in page.text
        assert page.headers["cache-control"] == "no-store"
        new_codes = CODE.findall(page.text)
        assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
        assert "Your old recovery codes no longer work." in page.text
        download = re.search(r'<a[^>]+href="data:text/plain;charset=utf-8,([^"]+)"[^>]+download="([^"]+)"', page.text)
        assert download is not None and download.group(2) == "partnerhub-recovery-codes.txt"
        text = urllib.parse.unquote(download.group(1))
        assert text.splitlines()[0] == f"partnerhub recovery codes for {email}"
        assert text.splitlines()[-10:] == new_codes
        assert "data-print" in page.text
        [record] = activity(site.engine, operation="regenerate_mfa_recovery_codes")
        assert record.resource_id == _user(site, email).id and record.partner_id == partner.partner_id
        assert record.new_value == {"email": email, "count": 10}  # the log holds no code

        assert "Recovery codes left: 10." in me.get("/account").text
        assert not _signs_in_with(site, email, old_codes[0])
        assert _signs_in_with(site, email, new_codes[0])


def test_new_recovery_codes_need_a_code_from_the_app(site: Site) -> None:
    partner = site.partner()
    email = partner.admin_agent.email
    me = site.signed_in(email)
    me.get("/account/mfa/recovery-codes")
    page = me.post("/account/mfa/recovery-codes", {"code": "000000"})
    assert page.status_code == 400 and f'id="f-code-error">{WRONG_CODE}' in page.text
    recovery = site.recovery_codes[email][0]
    page = me.post("/account/mfa/recovery-codes", {"code": recovery})  # a recovery code does not make new ones
    assert page.status_code == 400 and f'id="f-code-error">{WRONG_CODE}' in page.text
    page = me.post("/account/mfa/recovery-codes", {"code": ""})
    assert page.status_code == 400 and 'id="f-code-error">This field is required.' in page.text
    assert activity(site.engine, operation="regenerate_mfa_recovery_codes") == []
    assert "Recovery codes left: 10." in me.get("/account").text
    assert _signs_in_with(site, email, recovery)  # still good


def test_a_user_without_mfa_has_no_recovery_codes_to_replace(site: Site) -> None:
    partner = site.partner()
    with transaction(site.engine) as session:
        set_mfa_policy(session, partner.admin, required=False)
    me = site.signed_in(partner.helpdesk_agent.email)
    page = me.get("/account")
    assert 'href="/account/mfa/recovery-codes"' not in page.text and 'href="/account/mfa/turn-off"' not in page.text
    page = me.get("/account/mfa/recovery-codes")
    assert page.status_code == 400
    assert f"Multi-factor sign-in is not set up for {partner.helpdesk_agent.email}." in page.text


# --- turning it off --------------------------------------------------------------------------------------


def test_a_user_turns_mfa_off_with_the_password_where_the_organisation_allows_it(site: Site) -> None:
    partner = site.partner()
    email = partner.sales_agent.email
    me = _by_choice(site, partner, email)
    page = me.get("/account")
    assert 'href="/account/mfa/turn-off"' in page.text
    page = me.get("/account/mfa/turn-off")
    assert page.status_code == 200 and "<h1>Turn off multi-factor sign-in</h1>" in page.text
    assert _user(site, email).mfa_enabled_at is not None
    page = me.post("/account/mfa/turn-off", {"password": OWN_PASSWORD})
    assert page.url.path == "/account"
    assert (
        "Multi-factor sign-in is off for your account: your password alone signs in, and your recovery codes "
        "no longer work."
    ) in page.text
    assert "Off: a password alone signs in to your account." in page.text
    after = _user(site, email)
    assert after.mfa_secret is None and after.mfa_enabled_at is None
    [record] = activity(site.engine, operation="disable_user_mfa")
    assert record.resource_id == after.id and record.partner_id == partner.partner_id
    assert record.new_value == {"email": email, "confirmedWith": "password"}
    again = site.browser()
    assert again.sign_in(email, OWN_PASSWORD).url.path == "/"  # no code asked any more
    assert me.get("/account").url.path == "/account"  # this session goes on
    with read_session(site.engine) as session:  # the recovery codes went with the factor
        left = session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == after.id, RecoveryCode.used_at.is_(None))
        ).all()
    assert left == []


def test_a_user_turns_mfa_off_with_a_code_and_may_set_it_up_again(site: Site) -> None:
    partner = site.partner()
    email = partner.admin_agent.email
    with frozen_at(utc_now()) as clock:
        me = _by_choice(site, partner, email)
        me.get("/account/mfa/turn-off")
        clock.move(NEXT_CODE)
        page = me.post("/account/mfa/turn-off", {"code": site.code_of(email)})
        assert page.url.path == "/account"
    [record] = activity(site.engine, operation="disable_user_mfa")
    assert record.new_value == {"email": email, "confirmedWith": "code"}
    page = me.post("/account/mfa/start", {})
    assert page.url.path == "/account/mfa"  # a new key, a new set-up


def test_turning_off_needs_the_right_code_or_password(site: Site) -> None:
    partner = site.partner()
    email = partner.sales_agent.email
    me = _by_choice(site, partner, email)
    me.get("/account/mfa/turn-off")
    page = me.post("/account/mfa/turn-off", {"password": "not my password"})
    assert page.status_code == 400
    assert 'id="f-password-error">The current password is not correct.' in page.text
    assert "not my password" not in page.text  # a password is never written back into the page
    page = me.post("/account/mfa/turn-off", {"code": "123456"})
    assert page.status_code == 400 and f'id="f-code-error">{WRONG_CODE}' in page.text
    page = me.post("/account/mfa/turn-off", {})
    assert page.status_code == 400
    assert "Confirm with a code from your authenticator app or with your password." in page.text
    assert _user(site, email).mfa_enabled_at is not None
    assert activity(site.engine, operation="disable_user_mfa") == []


def test_mfa_stays_on_where_the_organisation_requires_it(site: Site) -> None:
    partner = site.partner()  # a new partner requires MFA
    email = partner.sales_agent.email
    me = site.signed_in(email)
    page = me.get("/account")
    assert 'href="/account/mfa/turn-off"' not in page.text
    assert "Your organisation requires it, so it cannot be turned off." in page.text
    page = me.get("/account/mfa/turn-off")
    assert page.status_code == 400
    assert "Your organisation requires multi-factor sign-in: it cannot be turned off." in page.text
    me.get("/account")
    assert me.post("/account/mfa/turn-off", {"password": OWN_PASSWORD}).status_code == 400
    assert _user(site, email).mfa_enabled_at is not None
    assert activity(site.engine, operation="disable_user_mfa") == []


def test_the_operator_never_turns_mfa_off(site: Site) -> None:
    with transaction(site.engine) as session:
        user, _ = create_operator_account(session, Actor.system(), email="ops@platform.example")
    me = site.signed_in(user.email)
    page = me.get("/account")
    assert 'href="/account/mfa/turn-off"' not in page.text
    assert "Operator accounts always sign in with multi-factor authentication." in page.text
    me.get("/account")
    page = me.post("/account/mfa/turn-off", {"password": OWN_PASSWORD})
    assert page.status_code == 400
    assert "Operator accounts always sign in with multi-factor authentication: it cannot be turned off." in page.text
    assert _user(site, user.email).mfa_enabled_at is not None


def test_confirmations_are_counted_like_sign_in_codes(make_site: Callable[..., Site]) -> None:
    """A stolen session cannot guess its way to the codes: each confirmation counts against the user's code limit,
    which the sign-in's code step shares (one window, the clock held at its start)."""
    site = make_site(sign_in_attempts_per_minute=3)
    with frozen_at(window_of(utc_now(), 60) + timedelta(seconds=1)):
        partner = site.partner()
        email = partner.sales_agent.email
        me = _by_choice(site, partner, email)  # the sign-in's code: the first attempt of the minute
        me.get("/account/mfa/turn-off")
        for _ in range(2):
            assert me.post("/account/mfa/turn-off", {"password": "guess"}).status_code == 400
        page = me.post("/account/mfa/turn-off", {"password": OWN_PASSWORD})
        assert page.status_code == 429 and "Too many sign-in attempts. Try again in 59 seconds." in page.text
        page = me.post("/account/mfa/recovery-codes", {"code": site.code_of(email)})
        assert page.status_code == 429
    assert _user(site, email).mfa_enabled_at is not None


def test_the_account_pages_speak_italian(site: Site) -> None:
    with frozen_at(utc_now()) as clock:
        partner = site.partner()
        email = partner.sales_agent.email
        me = site.signed_in(email, language="it")
        page = me.get("/account")
        assert "Genera nuovi codici di ripristino" in page.text
        assert "La tua organizzazione la richiede, quindi non si può disattivare." in page.text
        page = me.get("/account/mfa/recovery-codes")
        assert "<h1>Genera nuovi codici di ripristino</h1>" in page.text
        clock.move(NEXT_CODE)
        page = me.post("/account/mfa/recovery-codes", {"code": site.code_of(email)})
        assert "<h1>I tuoi nuovi codici di ripristino</h1>" in page.text
        assert "I vecchi codici di ripristino non funzionano più." in page.text
        assert "Scarica (.txt)" in page.text and "Stampa" in page.text
