"""F11: sign-in limits are counted where every worker sees them (the database, or Redis when set), and the
per-e-mail back-off cannot lock a user out: the right password with multi-factor sign-in still goes on."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from partnerhub.auth.attempts import DatabaseCounter, make_sign_in_limits, purge_old_attempts
from partnerhub.auth.models import SignInAttempts, WebSession
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import read_session, transaction
from tests.api.test_throttle_redis import REDIS_PROBLEM, REDIS_URL, needs_redis
from tests.web.conftest import Site

LIMIT = 3


def _wait_of(text: str) -> int:
    found = re.search(r"Try again in (\d+) seconds", text)
    assert found, "the answer says how long to wait"
    return int(found.group(1))


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
    """A user without an authenticator (the tenant's policy off) gets the back-off, right password or not."""
    site = make_site(sign_in_attempts_per_minute=LIMIT)
    partner = site.partner()
    password = site.password_only(partner)
    browser = site.browser()
    for n in range(LIMIT):
        browser.sign_in(partner.admin.email, f"guess-{n}")
    page = browser.sign_in(partner.admin.email, password)
    assert page.status_code == 429 and 1 <= _wait_of(page.text) <= 60
    assert _sessions(site) == 0


def test_the_back_off_grows_to_the_hour(make_site: Callable[..., Site]) -> None:
    """Within the minute's limit, minute after minute: past four minutes' worth in an hour, the wait is the
    rest of the hour, not of the minute."""
    site = make_site(sign_in_attempts_per_minute=LIMIT)
    partner = site.partner()
    browser = site.browser()
    start = utc_now().replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)
    with frozen_at(start) as clock:
        for _minute in range(4):
            for n in range(LIMIT):
                assert browser.sign_in(partner.admin.email, f"guess-{n}").status_code == 400
            clock.move(timedelta(minutes=1))
        page = browser.sign_in(partner.admin.email, "guess")
    assert page.status_code == 429 and _wait_of(page.text) > 60 * 50


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
        assert session.scalar(select(func.count()).select_from(SignInAttempts)) == 6  # 3 keys, 2 windows each
        assert purge_old_attempts(session) == 3
        assert session.scalar(select(func.count()).select_from(SignInAttempts)) == 3


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
        assert session.scalar(select(func.count()).select_from(SignInAttempts).where(
            SignInAttempts.key.like(f"email:{email}%"))) == 0


def test_without_redis_answering_the_database_counts(make_site: Callable[..., Site]) -> None:
    limits = make_sign_in_limits(LIMIT, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    site = make_site()
    with transaction(site.engine) as session:
        waits = [limits.email(session, "x@example.test") for _ in range(LIMIT + 1)]
        assert waits[:LIMIT] == [None] * LIMIT and waits[LIMIT] is not None
        assert session.scalar(select(func.count()).select_from(SignInAttempts)) == 2  # minute and hour rows


@pytest.mark.parametrize("per_minute", [0, -1])
def test_a_limit_of_zero_turns_the_limits_off(make_site: Callable[..., Site], per_minute: int) -> None:
    site = make_site()
    limits = make_sign_in_limits(per_minute, "")
    with transaction(site.engine) as session:
        assert [limits.client_address(session, "10.0.0.1") for _ in range(50)] == [None] * 50
    assert isinstance(limits.counter, DatabaseCounter)
