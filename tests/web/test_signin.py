"""Signing in and out: server-side sessions behind an HttpOnly cookie, CSRF on every form, throttled
attempts, sessions that end when idle or too old, and pages in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.models import WebSession
from partnerhub.auth.web_sessions import set_my_language
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from partnerhub.http.web.context import SESSION_COOKIE
from tests.web.conftest import Site


def test_the_start_page_shows_the_sign_in_form_to_a_visitor(site: Site) -> None:
    page = site.browser().get("/")
    assert page.status_code == 200
    assert 'action="/signin"' in page.text
    assert '<label for="f-email">E-mail address' in page.text
    assert '<label for="f-password">Password' in page.text


def test_a_partner_signs_in_to_the_dashboard(site: Site) -> None:
    partner = site.partner(name="Contoso")
    password = site.password_only(partner)
    browser = site.browser()
    browser.get("/signin")
    page = browser.post("/signin", {"email": partner.admin.email, "password": password})
    assert page.status_code == 200
    assert "<h1>Dashboard</h1>" in page.text
    assert "Contoso" in page.text  # whose portal this is
    with read_session(site.engine) as session:
        ops = session.scalars(
            select(ActivityRecord.operation_type).where(ActivityRecord.user_principal_name == partner.admin.email)
        ).all()
    assert "sign_in" in ops


def test_the_session_cookie_is_httponly_and_samesite(site: Site) -> None:
    partner = site.partner()
    password = site.password_only(partner)
    browser = site.browser()
    browser.get("/signin")
    answer = browser.post("/signin", {"email": partner.admin.email, "password": password}, follow=False)
    assert answer.status_code == 303
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here; over HTTPS the cookie is Secure


def test_a_wrong_password_says_so_next_to_the_field_and_keeps_the_email(site: Site) -> None:
    partner = site.partner()
    browser = site.browser()
    browser.get("/signin")
    page = browser.post("/signin", {"email": partner.admin.email, "password": "not-the-password"})
    assert page.status_code == 400
    assert 'class="field-error" id="f-password-error">The e-mail address or the password is not correct.' in page.text
    assert f'value="{partner.admin.email}"' in page.text
    assert "not-the-password" not in page.text  # a password is never echoed back


def test_empty_fields_are_refused_with_a_message_next_to_each(site: Site) -> None:
    browser = site.browser()
    browser.get("/signin")
    page = browser.post("/signin", {"email": "", "password": ""})
    assert page.status_code == 400
    assert page.text.count("This field is required.") == 2


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    partner = site.partner()
    browser = site.browser()
    browser.get("/signin")
    refused = browser.post(
        "/signin", {"email": partner.admin.email, "password": site.password_of(partner.admin.email)}, csrf=""
    )
    assert refused.status_code == 403
    assert "did not come from this site" in refused.text
    forged = browser.post(
        "/signin",
        {"email": partner.admin.email, "password": site.password_of(partner.admin.email)},
        csrf="forged-token",
    )
    assert forged.status_code == 403
    assert browser.get("/customers").url.path == "/signin"  # not signed in


def test_a_csrf_token_of_another_browser_is_refused(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    victim = site.signed_in(partner.admin.email)
    attacker = site.browser()
    attacker_token = __import__("tests.web.conftest", fromlist=["csrf_of"]).csrf_of(attacker.get("/signin").text)
    refused = victim.post(f"/customers/{customer_id}/remove", csrf=attacker_token)
    assert refused.status_code == 403
    assert victim.get("/customers").text.count(customer_id) >= 1  # the customer is still there


def test_sign_out_ends_the_session_at_once(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    stolen = browser.client.cookies.get(SESSION_COOKIE)
    browser.get("/")
    page = browser.post("/signout")
    assert "You have signed out." in page.text
    replay = site.browser()
    replay.client.cookies.set(SESSION_COOKIE, stolen or "", domain="testserver.local")
    assert replay.get("/customers").url.path == "/signin"


def test_signing_in_starts_a_new_session_id(site: Site) -> None:
    partner = site.partner()
    password = site.password_only(partner)
    browser = site.browser()
    browser.client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
    browser.sign_in(partner.admin.email, password)
    assert browser.client.cookies.get(SESSION_COOKIE) not in (None, "planted-by-an-attacker")
    first = browser.client.cookies.get(SESSION_COOKIE)
    browser.sign_in(partner.admin.email, password)
    assert browser.client.cookies.get(SESSION_COOKIE) != first
    with read_session(site.engine) as session:
        sessions = session.scalars(select(WebSession)).all()
    assert len(sessions) == 2
    assert sum(1 for s in sessions if s.ended_at is None) == 1  # signing in again ended the previous session


def test_an_idle_session_ends_and_the_page_asks_to_sign_in_again(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    with frozen_at(utc_now() + timedelta(minutes=61)):
        page = browser.get("/customers")
    assert page.url.path == "/signin"
    assert "Your session has ended. Sign in again." in page.text
    assert browser.get("/customers").url.path == "/signin"  # the old cookie is gone for good


def test_an_active_session_still_ends_at_its_lifetime(make_site: Callable[..., Site]) -> None:
    site = make_site(session_idle_minutes=60, session_max_hours=2)
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    start = utc_now()
    with frozen_at(start) as clock:
        for _ in range(3):  # a request every 50 minutes keeps it from idling...
            clock.move(timedelta(minutes=50))
            last = browser.get("/customers")
    assert last.url.path == "/signin"  # ...but 150 minutes is past the 2-hour lifetime


def test_sign_in_attempts_are_throttled(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=3)
    partner = site.partner()
    browser = site.browser()
    browser.get("/signin")
    for _ in range(3):
        assert browser.post("/signin", {"email": partner.admin.email, "password": "wrong"}).status_code == 400
    page = browser.post("/signin", {"email": partner.admin.email, "password": site.password_of(partner.admin.email)})
    assert page.status_code == 429
    assert "Too many sign-in attempts" in page.text


def test_after_sign_in_the_user_goes_where_they_were_going(site: Site) -> None:
    partner = site.partner()
    password = site.password_only(partner)
    customer_id, _ = site.customer(partner)
    browser = site.browser()
    redirected = browser.get(f"/customers/{customer_id}/account")
    assert redirected.url.path == "/signin"
    page = browser.post(
        "/signin", {"email": partner.admin.email, "password": password, "next": f"/customers/{customer_id}/account"}
    )
    assert page.url.path == f"/customers/{customer_id}/account"


def test_next_never_leaves_the_site(site: Site) -> None:
    partner = site.partner()
    password = site.password_only(partner)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        browser = site.browser()
        browser.get("/signin")
        answer = browser.post(
            "/signin", {"email": partner.admin.email, "next": target, "password": password}, follow=False
        )
        assert answer.headers["location"] == "/"


def test_pages_follow_the_browser_language_then_the_switch(site: Site) -> None:
    browser = site.browser(language="it-IT,it;q=0.9")
    page = browser.get("/signin")
    assert '<html lang="it">' in page.text
    assert "Accedi" in page.text and "Indirizzo e-mail" in page.text
    switched = browser.post("/language", {"language": "en", "next": "/signin"})
    assert '<html lang="en">' in switched.text
    assert "E-mail address" in switched.text


def test_the_users_language_setting_wins_over_the_browser(site: Site) -> None:
    partner = site.partner()
    with transaction(site.engine) as session:
        set_my_language(session, partner.admin, language="it")
    browser = site.signed_in(partner.admin.email, language="en-US")
    page = browser.get("/")
    assert "<h1>Dashboard</h1>" in page.text
    assert "Clienti" in page.text and "Sottoscrizioni attive" in page.text


def test_every_page_carries_security_headers(site: Site) -> None:
    page = site.browser().get("/signin")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
