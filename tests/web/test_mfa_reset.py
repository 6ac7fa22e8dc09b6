"""Resetting another user's multi-factor sign-in from the web (issue 12): a partner's Global admin on *Users*
for the users of its own partner, the operator for any tenant's Global admin. A confirmation comes first; the
reset clears the authenticator and the recovery codes, ends the user's sessions and API tokens, and writes
`reset_user_mfa`: the same service as `partnerhub users reset-mfa`."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import RecoveryCode, User
from partnerhub.auth.service import actor_for_email, actor_for_user, authenticate_token, create_token
from partnerhub.auth.sign_in import confirm_mfa_enrolment, mfa_setup_key, set_mfa_policy
from partnerhub.db import read_session, transaction
from partnerhub.errors import TokenRevoked
from partnerhub.tenants.service import create_operator_account
from tests.activity import activity
from tests.factories import OWN_PASSWORD
from tests.web.conftest import Browser, Site, csrf_of

RESET_LINK = re.compile(r'href="/users/([0-9a-f-]{36})/reset-mfa"')


def _user(site: Site, email: str) -> User:
    with read_session(site.engine) as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        assert user is not None
        session.expunge(user)
        return user


def _enrol_by_choice(site: Site, email: str) -> None:
    """The user sets up an authenticator of their own accord (as on My account)."""
    site.own_password(email)
    with transaction(site.engine) as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        assert user is not None
        confirm_mfa_enrolment(
            session, user, actor=actor_for_user(session, user), code=pyotp.TOTP(mfa_setup_key(session, user)).now()
        )


def _operator(site: Site, *, language: str | None = None) -> Browser:
    with transaction(site.engine) as session:
        user, _ = create_operator_account(session, Actor.system(), email="ops@platform.example")
    return site.signed_in(user.email, language=language)


def test_a_global_admin_resets_a_users_mfa_after_confirming(site: Site) -> None:
    partner = site.partner(name="Contoso")
    agent_email = partner.sales_agent.email
    agent = site.signed_in(agent_email)  # the partner requires MFA: the agent has set it up
    with transaction(site.engine) as session:
        token = create_token(session, site.actor(agent_email)).token
    agent_id = _user(site, agent_email).id
    admin = site.signed_in(partner.admin.email)

    page = admin.get("/users")
    assert set(RESET_LINK.findall(page.text)) == {agent_id}  # only the agent has a factor to reset here
    page = admin.get(f"/users/{agent_id}/reset-mfa")
    assert page.status_code == 200
    assert f"<h1>Reset the multi-factor sign-in of {agent_email}?</h1>" in page.text
    assert "At their next sign-in they set up a new authenticator." in page.text
    assert _user(site, agent_email).mfa_enabled_at is not None  # the page alone changes nothing
    assert activity(site.engine, operation="reset_user_mfa") == []

    page = admin.post(f"/users/{agent_id}/reset-mfa", {})
    assert page.url.path == "/users"
    assert (
        f"The multi-factor sign-in of {agent_email} was reset: they were signed out everywhere and their "
        "API tokens ended."
    ) in page.text
    after = _user(site, agent_email)
    assert after.mfa_secret is None and after.mfa_enabled_at is None
    assert agent.get("/account").url.path == "/signin"  # their sessions ended
    with read_session(site.engine) as session, pytest.raises(TokenRevoked):
        authenticate_token(session, token)
    [record] = activity(site.engine, operation="reset_user_mfa")
    assert record.resource_id == agent_id and record.partner_id == partner.partner_id
    assert record.user_principal_name == partner.admin.email
    # the next sign-in sets up a new authenticator; no recovery code is left to sign in with
    fresh = site.browser()
    assert fresh.sign_in(agent_email, OWN_PASSWORD).url.path == "/signin/mfa-setup"
    with read_session(site.engine) as session:
        left = session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == agent_id, RecoveryCode.used_at.is_(None))
        ).all()
    assert left == []


def test_a_reset_where_mfa_is_each_users_choice_leaves_the_password_alone(site: Site) -> None:
    partner = site.partner()
    with transaction(site.engine) as session:
        set_mfa_policy(session, partner.admin, required=False)
    agent_email = partner.admin_agent.email
    _enrol_by_choice(site, agent_email)
    agent_id = _user(site, agent_email).id
    admin = site.signed_in(partner.admin.email)
    page = admin.get(f"/users/{agent_id}/reset-mfa")
    assert (
        "Your organisation does not require multi-factor sign-in: they sign in with their password alone" in page.text
    )
    admin.post(f"/users/{agent_id}/reset-mfa", {})
    assert site.browser().sign_in(agent_email, OWN_PASSWORD).url.path == "/"


def test_the_users_page_offers_no_reset_of_your_own_factor_nor_of_one_not_set_up(site: Site) -> None:
    partner = site.partner()
    admin = site.signed_in(partner.admin.email)
    admin_id = _user(site, partner.admin.email).id
    page = admin.get("/users")
    assert RESET_LINK.findall(page.text) == []  # the admin's own factor is reset on My account, not here
    page = admin.get(f"/users/{admin_id}/reset-mfa")
    assert page.status_code == 400
    assert (
        "Your own multi-factor sign-in is not reset here: turn it off or get new recovery codes on My account."
        in page.text
    )
    assert admin.post(f"/users/{admin_id}/reset-mfa", {}, csrf=_csrf(admin)).status_code == 400
    assert _user(site, partner.admin.email).mfa_enabled_at is not None
    agent_id = _user(site, partner.helpdesk_agent.email).id  # has not set it up yet
    page = admin.get(f"/users/{agent_id}/reset-mfa")
    assert page.status_code == 400
    assert f"Multi-factor sign-in is not set up for {partner.helpdesk_agent.email}." in page.text
    assert activity(site.engine, operation="reset_user_mfa") == []


def _csrf(browser: Browser) -> str:
    return csrf_of(browser.get("/users").text)


def test_another_partners_user_is_not_found_and_an_agent_may_not_reset(site: Site) -> None:
    partner = site.partner()
    other = site.partner()
    agent_email = partner.sales_agent.email
    site.signed_in(agent_email)
    agent_id = _user(site, agent_email).id
    stranger = site.signed_in(other.admin.email)
    assert stranger.get(f"/users/{agent_id}/reset-mfa").status_code == 404
    assert stranger.post(f"/users/{agent_id}/reset-mfa", {}, csrf=_csrf(stranger)).status_code == 404
    admin_agent = site.signed_in(partner.admin_agent.email)
    assert admin_agent.get(f"/users/{agent_id}/reset-mfa").status_code == 403
    admin_agent.get("/account")
    assert admin_agent.post(f"/users/{agent_id}/reset-mfa", {}).status_code == 403
    assert _user(site, agent_email).mfa_enabled_at is not None
    assert activity(site.engine, operation="reset_user_mfa") == []


def test_the_operator_resets_a_global_admins_mfa_by_e_mail(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    admin_email = partner.admin.email
    admin = site.signed_in(admin_email)
    operator = _operator(site)
    page = operator.get("/operator/partners")
    assert 'href="/operator/mfa-reset"' in page.text
    page = operator.get("/operator/mfa-reset")
    assert page.status_code == 200 and "<h1>Reset a Global admin&#39;s multi-factor sign-in</h1>" in page.text
    page = operator.post("/operator/mfa-reset", {"email": admin_email.upper()})
    assert page.status_code == 200
    assert f"<h1>Reset the multi-factor sign-in of {admin_email}?</h1>" in page.text
    assert "Contoso Direct" in page.text
    assert _user(site, admin_email).mfa_enabled_at is not None
    page = operator.post("/operator/mfa-reset/confirm", {"email": admin_email})
    assert page.url.path == "/operator/mfa-reset"
    assert f"The multi-factor sign-in of {admin_email} was reset" in page.text
    assert _user(site, admin_email).mfa_enabled_at is None
    assert admin.get("/account").url.path == "/signin"
    [record] = activity(site.engine, operation="reset_user_mfa")
    assert record.partner_id == partner.partner_id and record.user_principal_name == "ops@platform.example"


def test_the_operator_resets_a_customers_global_admin_too(site: Site) -> None:
    partner = site.partner()
    customer_id, customer_admin = site.customer(partner, name="Fabrikam Srl")
    with transaction(site.engine) as session:
        set_mfa_policy(session, actor_for_email(session, customer_admin), required=True)
    site.signed_in(customer_admin)
    operator = _operator(site)
    operator.get("/operator/mfa-reset")
    page = operator.post("/operator/mfa-reset", {"email": customer_admin})
    assert "Fabrikam Srl" in page.text
    operator.post("/operator/mfa-reset/confirm", {"email": customer_admin})
    assert _user(site, customer_admin).mfa_enabled_at is None
    [record] = activity(site.engine, operation="reset_user_mfa")
    assert record.customer_id == customer_id


def test_the_operator_resets_only_global_admins(site: Site) -> None:
    partner = site.partner()
    agent_email = partner.sales_agent.email
    site.signed_in(agent_email)
    operator = _operator(site)
    operator.get("/operator/mfa-reset")
    page = operator.post("/operator/mfa-reset", {"email": agent_email})
    assert page.status_code == 400
    assert (
        'id="f-email-error">The operator resets the multi-factor sign-in of Global admins only: a Global admin '
        "of the user&#39;s organisation resets the others&#39;."
    ) in page.text
    page = operator.post("/operator/mfa-reset/confirm", {"email": agent_email})
    assert page.status_code == 400
    assert _user(site, agent_email).mfa_enabled_at is not None
    page = operator.post("/operator/mfa-reset", {"email": "nobody@nowhere.example"})
    assert page.status_code == 400 and 'id="f-email-error">User nobody@nowhere.example was not found.' in page.text
    page = operator.post("/operator/mfa-reset", {"email": ""})
    assert page.status_code == 400 and 'id="f-email-error">This field is required.' in page.text
    assert activity(site.engine, operation="reset_user_mfa") == []


def test_a_partner_cannot_open_the_operators_reset(site: Site) -> None:
    partner = site.partner()
    admin = site.signed_in(partner.admin.email)
    assert admin.get("/operator/mfa-reset").status_code == 403
    admin.get("/account")
    assert admin.post("/operator/mfa-reset/confirm", {"email": partner.sales_agent.email}).status_code == 403


def test_the_reset_pages_speak_italian(site: Site) -> None:
    partner = site.partner()
    agent_email = partner.sales_agent.email
    site.signed_in(agent_email)
    agent_id = _user(site, agent_email).id
    admin = site.signed_in(partner.admin.email, language="it")
    page = admin.get("/users")
    assert ">Reimposta MFA</a>" in page.text
    page = admin.get(f"/users/{agent_id}/reset-mfa")
    assert f"<h1>Reimpostare l&#39;autenticazione a più fattori di {agent_email}?</h1>" in page.text
    page = admin.post(f"/users/{agent_id}/reset-mfa", {})
    assert f"L&#39;autenticazione a più fattori di {agent_email} è stata reimpostata" in page.text
    operator = _operator(site, language="it")
    page = operator.get("/operator/mfa-reset")
    assert "<h1>Reimposta l&#39;autenticazione a più fattori di un amministratore globale</h1>" in page.text
