"""F11: sign-in limits are counted where every worker sees them (the database, or Redis when set), and the
per-e-mail back-off cannot lock a user out: the right password with multi-factor sign-in still goes on, and
without it the wait doubles from a minute, never past a quarter of an hour."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from httpx2 import Response
from sqlalchemy import func, select

from partnerhub.auth.attempts import DatabaseCounter, make_sign_in_limits, purge_old_attempts
from partnerhub.auth.models import SignInAttempts, WebSession
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from tests.api.test_throttle_redis import REDIS_PROBLEM, REDIS_URL, needs_redis
from tests.web.conftest import Browser, Site

LIMIT = 3


def _wait_of(text: str) -> int:
    found = re.search(r"Try again in (\d+) seconds", text)
    assert found, "the answer says how long to wait"
    return int(found.group(1))


def _minutes_of(text: str) -> int:
    """The e-mail's back-off, as the page says it."""
    found = re.search(r"Try again in (\d+) min, or sign in with your password and", text)
    assert found, "the answer says how long to wait, and that the password with a code still works"
    return int(found.group(1))


PROXY = "10.0.0.1"


def _behind_proxy(site: Site) -> Browser:
    """A browser whose attempts come through a trusted proxy, each from another address (a botnet), so that
    only the e-mail's limit can hold them."""
    browser = site.browser(address=PROXY)
    browser.get("/signin")
    return browser


def _attempt(browser: Browser, email: str, password: str) -> Response:
    browser.client.headers["X-Forwarded-For"] = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    return browser.post("/signin", {"email": email, "password": password})


def _sessions(site: Site) -> int:
    with read_session(site.engine) as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_two_worker_processes_share_one_count(make_site: Callable[..., Site]) -> None:
    """Two apps over one database (two workers of `partnerhub serve`) allow LIMIT attempts in all, not each.
    Counted in each process, as before, they allowed twice as many."""
    first, second = make_site(sign_in_attempts_per_minute=LIMIT), make_site(sign_in_attempts_per_minute=LIMIT)
    partner = first.partner()
    browsers = [first.browser(), second.browser()]
    statuses = [browsers[n % 2].sign_in(partner.admin.email, f"guess-{n}").status_code for n in range(2 * LIMIT)]
    assert statuses == [400] * LIMIT + [429] * LIMIT


def test_past_the_limit_the_right_password_with_mfa_still_signs_in(site: Site, make_site: Callable[..., Site]) -> None:
    limited = make_site(sign_in_attempts_per_minute=LIMIT)
    partner = limited.partner()
    email = partner.admin.email
    password = limited.own_password(email)
    limited.enrolled(email)  # the partner's policy requires an authenticator
    for n in range(LIMIT):  # guesses from ever new addresses (a botnet)
        assert limited.browser(address=f"10.9.0.{n}").sign_in(email, f"guess-{n}").status_code == 400
    assert limited.browser(address="10.9.1.1").sign_in(email, "guess").status_code == 429  # the back-off holds
    owner = limited.browser(address="192.0.2.10")
    page = owner.sign_in(email, password)
    assert page.url.path == "/signin/code"  # the right password goes on to the second factor...
    assert _sessions(limited) == 0  # ...and nothing is signed in without it
    done = owner.post("/signin/code", {"code": limited.code_of(email)})
    assert done.status_code == 200 and not done.url.path.startswith("/signin")


def test_past_the_limit_a_password_alone_waits(make_site: Callable[..., Site]) -> None:
    """A user without an authenticator (the tenant's policy off) gets the back-off, right password or not;
    when it is over, the right password signs in."""
    site = make_site(sign_in_attempts_per_minute=LIMIT, trusted_proxies=PROXY)
    partner = site.partner()
    password = site.password_only(partner)
    browser = _behind_proxy(site)
    start = utc_now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with frozen_at(start) as clock:
        assert [_attempt(browser, partner.admin.email, f"guess-{n}").status_code for n in range(LIMIT)] == [400] * LIMIT
        page = _attempt(browser, partner.admin.email, password)
        assert page.status_code == 429 and _minutes_of(page.text) == 1
        assert _sessions(site) == 0
        clock.move(timedelta(seconds=61))
        page = _attempt(browser, partner.admin.email, password)
    assert page.status_code == 200 and not page.url.path.startswith("/signin")


def test_the_back_off_doubles_and_stays_under_a_quarter_of_an_hour(make_site: Callable[..., Site]) -> None:
    """Each time the guesses come back after a back-off, the next one is twice as long: 1, 2, 4, 8 minutes,
    then 15 at most (no long lockout). Guesses during a back-off are refused without being counted, so each
    back-off lets through at most the minute's limit. After an hour without one, it starts again at a minute."""
    site = make_site(sign_in_attempts_per_minute=LIMIT, trusted_proxies=PROXY)
    email = site.partner().admin.email
    browser = _behind_proxy(site)
    waits = []
    with frozen_at(utc_now().replace(second=5, microsecond=0) + timedelta(minutes=1)) as clock:
        for _round in range(6):
            assert [_attempt(browser, email, "guess").status_code for _ in range(LIMIT)] == [400] * LIMIT
            page = _attempt(browser, email, "guess")
            assert page.status_code == 429
            waits.append(_minutes_of(page.text))
            clock.move(timedelta(seconds=30))
            assert _attempt(browser, email, "guess").status_code == 429  # held, and not counted
            clock.move(timedelta(minutes=waits[-1]))
        assert waits == [1, 2, 4, 8, 15, 15]
        clock.move(timedelta(hours=1))
        assert [_attempt(browser, email, "guess").status_code for _ in range(LIMIT)] == [400] * LIMIT
        assert _minutes_of(_attempt(browser, email, "guess").text) == 1


def test_the_back_off_reads_in_italian(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT, trusted_proxies=PROXY)
    browser = site.browser(address=PROXY, language="it")
    browser.get("/signin")
    assert [_attempt(browser, "nobody@example.test", "guess").status_code for _ in range(LIMIT)] == [400] * LIMIT
    page = _attempt(browser, "nobody@example.test", "guess")
    assert page.status_code == 429
    assert "Riprova tra 1 min, oppure accedi con la password e il codice" in page.text


def test_one_address_trying_many_e_mails_is_stopped(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT)
    browser = site.browser()
    statuses = [browser.sign_in(f"user{n}@spray.example", "Spring2025!").status_code for n in range(LIMIT + 2)]
    assert statuses == [400] * LIMIT + [429, 429]


def test_counts_are_rows_and_old_ones_are_purged(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT)
    browser = site.browser()
    long_ago = utc_now() - timedelta(hours=5)
    with frozen_at(long_ago):
        browser.sign_in("someone@example.test", "guess")
    browser.sign_in("someone@example.test", "guess")
    with transaction(site.engine) as session:
        assert session.scalar(select(func.count()).select_from(SignInAttempts)) == 4  # 2 keys, 2 windows each
        assert purge_old_attempts(session) == 2
        assert session.scalar(select(func.count()).select_from(SignInAttempts)) == 2


@needs_redis
def test_with_redis_the_count_is_shared_through_redis(make_site: Callable[..., Site]) -> None:
    assert REDIS_PROBLEM is None
    first = make_site(sign_in_attempts_per_minute=LIMIT, redis_url=REDIS_URL)
    second = make_site(sign_in_attempts_per_minute=LIMIT, redis_url=REDIS_URL)
    email = f"{uuid.uuid4().hex}@redis.example"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # a count of its own in the shared Redis
    browsers = [first.browser(address=address), second.browser(address=address)]
    statuses = [browsers[n % 2].sign_in(email, f"guess-{n}").status_code for n in range(LIMIT + 1)]
    assert statuses == [400] * LIMIT + [429]
    with read_session(first.engine) as session:  # counted in Redis, not in the database
        assert (
            session.scalar(
                select(func.count()).select_from(SignInAttempts).where(SignInAttempts.key.like(f"%{email}%"))
            )
            == 0
        )


def test_without_redis_answering_the_database_counts(make_site: Callable[..., Site]) -> None:
    limits = make_sign_in_limits(LIMIT, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    site = make_site()
    with transaction(site.engine) as session:
        waits = [limits.email(session, "x@example.test") for _ in range(LIMIT + 2)]
        assert waits[:LIMIT] == [None] * LIMIT and waits[LIMIT] == 60 and waits[LIMIT + 1] is not None
        assert session.scalar(select(func.count()).select_from(SignInAttempts)) == 2  # the count and the hold


@pytest.mark.parametrize("per_minute", [0, -1])
def test_a_limit_of_zero_turns_the_limits_off(make_site: Callable[..., Site], per_minute: int) -> None:
    site = make_site()
    limits = make_sign_in_limits(per_minute, "")
    with transaction(site.engine) as session:
        assert [limits.client_address(session, "10.0.0.1") for _ in range(50)] == [None] * 50
    assert isinstance(limits.counter, DatabaseCounter)
