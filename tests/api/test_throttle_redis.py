"""The rate limit counted in Redis: exact across workers (two limiters share one count), per clock minute,
and never fatal: without Redis it counts in the process."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from partnerhub.http.api.throttle import RedisThrottle, Throttle, make_limiter

REDIS_URL = os.environ.get("PARTNERHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _redis_problem() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


REDIS_PROBLEM = _redis_problem()
# Off CI, without Redis, the tests that need it are skipped with the reason; under CI=true they run and fail.
needs_redis = pytest.mark.skipif(
    REDIS_PROBLEM is not None and not IN_CI, reason=f"Redis unavailable at {REDIS_URL}: {REDIS_PROBLEM}"
)


@pytest.fixture
def redis_url() -> str:
    assert REDIS_PROBLEM is None, f"Redis is unreachable at {REDIS_URL}: {REDIS_PROBLEM}"
    return REDIS_URL


@needs_redis
def test_two_workers_share_one_exact_count(redis_url: str) -> None:
    tenant = f"tenant-{uuid.uuid4()}"
    now = [16_667 * 60 + 20.0]  # 20 s into a clock minute
    first = RedisThrottle(5, redis_url, clock=lambda: now[0])
    second = RedisThrottle(5, redis_url, clock=lambda: now[0])
    answers = [(first if i % 2 else second).hit(tenant) for i in range(5)]
    assert answers == [None] * 5
    assert first.hit(tenant) == 40 and second.hit(tenant) == 40  # the sixth, on either worker, waits 40 s
    assert first.hit(f"other-{tenant}") is None  # other tenants are not affected
    now[0] += 40  # the next clock minute
    assert second.hit(tenant) is None


def test_without_redis_the_limit_is_counted_in_the_process() -> None:
    limiter = RedisThrottle(2, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert [limiter.hit("t"), limiter.hit("t")] == [None, None]
    assert limiter.hit("t") is not None


@needs_redis
def test_the_limiter_follows_the_settings(redis_url: str) -> None:
    assert isinstance(make_limiter(10, ""), Throttle)
    assert isinstance(make_limiter(10, redis_url), RedisThrottle)
