"""Authentication under attack: sign-in brute force is throttled, secrets are never logged, stored or shown twice,
revoked or expired credentials stop at once, and a session id planted before sign-in never becomes a signed-in one."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import ApiToken, WebSession
from partnerhub.auth.service import create_token, reset_user_password, revoke_token
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import Base, read_session, transaction
from partnerhub.http.app import create_app
from partnerhub.http.web.context import ANON_COOKIE, SESSION_COOKIE
from partnerhub.idempotency.service import REDACTED
from tests.reliability.conftest import CheckReport, scaled
from tests.web import conftest as web_fixtures
from tests.web.conftest import Browser, Site, csrf_of

make_site = web_fixtures.make_site  # the web tests' fixtures: a dashboard (and the API), rolled back
site = web_fixtures.site
SECRET_ON_PAGE = re.compile(r'<code class="secret" id="secret">([^<]+)</code>')
TOKEN_SHAPE = re.compile(r"^ph_[A-Za-z0-9_-]{43}$")  # 32 random bytes, URL-safe base64
CUSTOMER = {
    "companyProfile": {"domain": "secretive.example", "companyName": "Secretive Srl"},
    "billingProfile": {"email": "ada@secretive.example", "defaultAddress": {"country": "IT"}},
}
LIMIT = 5
REQUESTS_TO_MAKE_SECRETS = 18  # the pages and API calls of _make_secrets


def _finish(report: CheckReport, failures: list[str]) -> None:
    report.violations = len(failures)
    assert not failures, failures[:20]


def _sessions(site: Site) -> int:
    with read_session(site.engine) as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


# --- brute force -------------------------------------------------------------------------------------------------


def _attempt(client: TestClient, email: str, password: str) -> int:
    page = client.get("/signin")
    answer = client.post(
        "/signin", data={"csrf_token": csrf_of(page.text), "email": email, "password": password}, follow_redirects=False
    )
    return answer.status_code


def test_sign_in_is_throttled_per_email_and_per_client_address(
    make_site: Callable[..., Site], reliability_report: CheckReport
) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT)
    targeted = site.partner(name="Targeted")
    victim, colleague = targeted.admin.email, targeted.sales_agent.email
    right, colleagues = site.password_of(victim), site.password_of(colleague)
    app = create_app(site.runtime, start_worker=False)
    attempts = scaled(4 * LIMIT, 100)  # well within the one-minute window of the throttle
    failures: list[str] = []
    with ExitStack() as stack:

        def client_at(address: str) -> TestClient:
            return stack.enter_context(TestClient(app, client=(address, 50000)))

        # one e-mail address guessed from ever new client addresses (a botnet), in any spelling of the address
        for n in range(attempts):
            spelling = victim.upper() if n % 2 else f"  {victim}  "
            status = _attempt(client_at(f"10.1.{n // 250}.{n % 250}"), spelling, f"guess-{n}")
            expected = 400 if n < LIMIT else 429
            if status != expected:
                failures.append(f"guess {n + 1} on one e-mail answered {status}, not {expected}")
        if _attempt(client_at("10.2.0.1"), victim, right) != 429:
            failures.append("the right password got through while the e-mail address was throttled")
        # one client address trying ever new e-mail addresses (password spraying); the last one is real and right
        sprayer = client_at("10.3.0.1")
        for n in range(attempts):
            email = f"user{n}@spray.example" if n < attempts - 1 else colleague
            status = _attempt(sprayer, email, colleagues if email == colleague else "Spring2025!")
            expected = 400 if n < LIMIT else 429
            if status != expected:
                failures.append(f"attempt {n + 1} from one address answered {status}, not {expected}")
    if _sessions(site) != 0:
        failures.append("a throttled attempt started a session")
    reliability_report.faults = 2 * attempts + 1  # guesses and sprays
    reliability_report.requests = 2 * (2 * attempts + 1)
    reliability_report.invariant_checks = 2 * attempts + 2
    reliability_report.notes = (
        f"{LIMIT} attempts a minute per e-mail and per client address; the API has no "
        "password sign-in (bearer tokens of 256 random bits only)"
    )
    _finish(reliability_report, failures)


def test_the_api_has_no_password_sign_in_and_its_tokens_are_256_random_bits(
    site: Site, reliability_report: CheckReport
) -> None:
    client = site.browser().client
    spec = client.get("/openapi.json").json()
    failures = [
        f"{path} looks like a sign-in or token endpoint"
        for path in spec["paths"]
        if re.search(r"sign.?in|log.?in|oauth|/token|session|authenticate", path, re.IGNORECASE)
    ]
    partner = site.partner()
    count = scaled(50, 2000)
    with transaction(site.engine) as session:
        tokens = [create_token(session, partner.admin).token for _ in range(count)]
    failures += [f"token {t[:6]}… is not 32 random bytes" for t in tokens if not TOKEN_SHAPE.match(t)]
    if len(set(tokens)) != count:
        failures.append("two tokens were the same")
    with read_session(site.engine) as session:
        stored = set(session.scalars(select(ApiToken.token_hash)))
    failures += ["a token is stored as itself" for t in tokens if t in stored]
    for n in range(scaled(20, 500)):  # guesses of the right shape are all refused alike
        guess = "ph_" + secrets.token_urlsafe(32)
        answer = client.get("/v1/customers", headers={"Authorization": f"Bearer {guess}"})
        if answer.status_code != 401:
            failures.append(f"guess {n} answered {answer.status_code}")
    if client.get("/v1/customers", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code != 200:
        failures.append("a real token was refused")
    reliability_report.faults = scaled(20, 500)  # guessed tokens
    reliability_report.requests = scaled(20, 500) + 2
    reliability_report.invariant_checks = len(spec["paths"]) + 3 * count + scaled(20, 500) + 1
    _finish(reliability_report, failures)


# --- secrets: never logged, stored or shown twice ------------------------------------------------------------------


def _api(browser: Browser, method: str, path: str, token: str, body: Any = None, request_id: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}", **({"MS-RequestId": request_id} if request_id else {})}
    return browser.client.request(method, path, json=body, headers=headers)


def _every_stored_value(site: Site) -> str:
    """The whole database as text: every column of every row of every table."""
    with read_session(site.engine) as session:
        return "\n".join(repr(row) for table in Base.metadata.sorted_tables for row in session.execute(select(table)))


def _make_secrets(site: Site) -> tuple[list[str], list[tuple[str, str]]]:
    """Sign in, add a user, issue a token, create a customer and a customer user, reset passwords (each write sent
    twice with one MS-RequestId, as a retrying client does): the secrets, and the pages and answers that came after
    (where none of them may appear again)."""
    partner = site.partner(name="Secret Keeper")
    password = site.password_only(partner)
    browser = site.browser()
    browser.sign_in(partner.admin.email, password)
    browser.get("/users/new")
    domain = partner.admin.email.rsplit("@", 1)[1]  # a partner's users are in its verified domains (F5)
    added = browser.post("/users/new", {"email": f"new.agent@{domain}", "roles": "sales-agent"})
    browser.get("/account")
    issued = browser.post("/account/tokens", {"name": "Secret script", "days": "30"})
    one_time, token = (SECRET_ON_PAGE.search(p.text) for p in (added, issued))
    assert one_time and token, "the secret is shown once on the page after creation"
    secret_list = [password, one_time.group(1), token.group(1)]
    after: list[tuple[str, str]] = []
    for path in ("/users", "/account", "/activity"):
        after.append((f"GET {path}", browser.get(path).text))
    created = _api(browser, "POST", "/v1/customers", token.group(1), CUSTOMER, "create-1")
    assert created.status_code == 201, created.text
    secret_list.append(created.json()["userCredentials"]["password"])
    after.append(
        (
            "replayed customer creation",
            _api(browser, "POST", "/v1/customers", token.group(1), CUSTOMER, "create-1").text,
        )
    )
    users = f"/v1/customers/{created.json()['id']}/users"
    user_body = {
        "userPrincipalName": "mario@secretive.example",
        "displayName": "Mario",
        "passwordProfile": {"password": "Chosen-by-client-1", "forceChangePassword": True},
    }
    made = _api(browser, "POST", users, token.group(1), user_body, "user-1")
    assert made.status_code == 201, made.text
    secret_list += [made.json()["passwordProfile"]["password"], "Chosen-by-client-1"]
    after.append(("replayed user creation", _api(browser, "POST", users, token.group(1), user_body, "user-1").text))
    reset_body = {"passwordProfile": {"password": "Chosen-by-client-2"}}
    reset = _api(browser, "PATCH", f"{users}/{made.json()['id']}", token.group(1), reset_body, "reset-1")
    assert reset.status_code == 200, reset.text
    secret_list += [reset.json()["passwordProfile"]["password"], "Chosen-by-client-2"]
    after.append(
        (
            "replayed password reset",
            _api(browser, "PATCH", f"{users}/{made.json()['id']}", token.group(1), reset_body, "reset-1").text,
        )
    )
    after.append(("the customer's users", _api(browser, "GET", users, token.group(1)).text))
    with transaction(site.engine) as session:
        secret_list.append(reset_user_password(session, Actor.system(), email=partner.sales_agent.email)[1])
    browser.get("/")
    browser.post("/signout")
    return secret_list, after


def test_secrets_never_reach_the_logs_the_activity_records_or_the_database(
    site: Site, reliability_report: CheckReport, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, at its most talkative
    secret_list, _ = _make_secrets(site)
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    stored = _every_stored_value(site)
    failures = [
        f"secret #{n} is in the {where}"
        for n, secret in enumerate(secret_list)
        for where, text in (("log", logged), ("database", stored))
        if secret in text
    ]
    with read_session(site.engine) as session:
        changes = [repr((r.old_value, r.new_value)) for r in session.scalars(select(ActivityRecord))]
    failures += [
        f"secret #{n} is in an activity record"
        for n, s in enumerate(secret_list)
        if any(s in change for change in changes)
    ]
    reliability_report.requests = REQUESTS_TO_MAKE_SECRETS
    reliability_report.invariant_checks = 3 * len(secret_list)
    reliability_report.notes = (
        f"{len(secret_list)} secrets looked for in {len(caplog.records)} log records, "
        f"{len(changes)} activity records and the whole database"
    )
    _finish(reliability_report, failures)


def test_secrets_are_shown_once_and_replays_redact_them(site: Site, reliability_report: CheckReport) -> None:
    secret_list, after = _make_secrets(site)
    failures = [
        f"secret #{n} is shown again: {where}"
        for n, secret in enumerate(secret_list)
        for where, text in after
        if secret in text
    ]
    failures += [
        f"{where} does not say it was redacted"
        for where, text in after
        if where.startswith("replayed") and REDACTED not in text
    ]
    reliability_report.requests = REQUESTS_TO_MAKE_SECRETS
    reliability_report.invariant_checks = len(secret_list) * len(after) + 3
    _finish(reliability_report, failures)


# --- revoked and expired credentials -----------------------------------------------------------------------------


def test_revoked_and_expired_tokens_and_ended_sessions_stop_at_once(
    site: Site, reliability_report: CheckReport
) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    failures: list[str] = []
    rounds = scaled(5, 200)

    def works(token: str) -> bool:
        reliability_report.requests += 1
        return browser.client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    for n in range(rounds):
        browser.get("/account")
        token = SECRET_ON_PAGE.search(browser.post("/account/tokens", {"name": f"t{n}", "days": "1"}).text)
        assert token is not None
        if not works(token.group(1)):
            failures.append(f"round {n}: a new token was refused")
        with read_session(site.engine) as session:
            token_id = session.scalars(select(ApiToken.id).where(ApiToken.name == f"t{n}")).one()
        if n % 2:  # revoked on the page, or through the service (the CLI's way)
            browser.get("/account")
            browser.post(f"/account/tokens/{token_id}/revoke")
        else:
            with transaction(site.engine) as session:
                revoke_token(session, partner.admin, token_id=token_id)
        if works(token.group(1)):
            failures.append(f"round {n}: a revoked token still worked")
    browser.get("/account")
    expiring = SECRET_ON_PAGE.search(browser.post("/account/tokens", {"name": "expiring", "days": "1"}).text)
    assert expiring is not None
    with frozen_at(utc_now() + timedelta(days=1) - timedelta(seconds=1)) as clock:
        if not works(expiring.group(1)):
            failures.append("a token was refused a second before it expired")
        clock.move(timedelta(seconds=1))
        if works(expiring.group(1)):
            failures.append("a token still worked at its expiry")
    for n in range(rounds):
        user = site.signed_in(partner.admin.email)
        cookie = user.client.cookies.get(SESSION_COOKIE) or ""
        user.get("/")
        user.post("/signout")
        replay = site.browser()
        replay.client.cookies.set(SESSION_COOKIE, cookie, domain="testserver.local")
        reliability_report.requests += 1
        if replay.get("/customers").url.path != "/signin":
            failures.append(f"round {n}: a signed-out session still opened a page")
    reliability_report.faults = 2 * rounds + 1  # revoked tokens, ended sessions, an expired token
    reliability_report.invariant_checks = 3 * rounds + 2
    _finish(reliability_report, failures)


# --- session fixation ----------------------------------------------------------------------------------------------


def test_a_session_id_planted_before_sign_in_never_becomes_the_signed_in_one(
    site: Site, reliability_report: CheckReport
) -> None:
    victim, attacker = site.partner(name="Victim Srl"), site.partner(name="Attacker Srl")
    failures: list[str] = []
    rounds = scaled(3, 100)
    victim_password = site.password_only(victim)
    for n in range(rounds):
        # a made-up id, and the attacker's own live session, planted in the victim's browser
        attacker_browser = site.signed_in(attacker.admin.email)
        live = attacker_browser.client.cookies.get(SESSION_COOKIE) or ""
        for label, planted in (("a made-up id", secrets.token_urlsafe(32)), ("the attacker's session", live)):
            browser = site.browser()
            browser.client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
            page = browser.get("/signin")
            anon = browser.client.cookies.get(ANON_COOKIE)
            if planted != live and "Sign out" in page.text:
                failures.append(f"round {n}: {label} was taken for a signed-in session")
            browser.post("/signin", {"email": victim.admin.email, "password": victim_password})
            now = browser.client.cookies.get(SESSION_COOKIE)
            if now in (None, planted, anon):
                failures.append(f"round {n}: signing in with {label} kept a known id")
            for held in (planted, anon or ""):  # what the attacker knows: the planted id, the pre-sign-in cookie
                spy = site.browser()
                spy.client.cookies.set(SESSION_COOKIE, held, domain="testserver.local")
                spy.client.cookies.set(ANON_COOKIE, held, domain="testserver.local")
                if "Victim Srl" in spy.get("/").text:
                    failures.append(f"round {n}: {label} gave the attacker the victim's session")
            reliability_report.requests += 5
    reliability_report.faults = rounds * 2  # planted session ids
    reliability_report.invariant_checks = rounds * 2 * 4
    _finish(reliability_report, failures)
