"""Per-tenant request limits: a one-minute window per tenant, counted in this process (approximate across
several workers) or, with PARTNERHUB_REDIS_URL, in Redis (exact across workers and hosts; DOMAIN.md §8)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

WINDOW_SECONDS = 60.0
log = logging.getLogger(__name__)


class Limiter(Protocol):
    def hit(self, key: str) -> int | None: ...


class Throttle:
    """Counts requests per key; `hit()` answers None (go ahead) or the seconds to wait before retrying."""

    def __init__(self, limit_per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit_per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        if self.limit <= 0:
            return None
        now = self.clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= WINDOW_SECONDS:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(start + WINDOW_SECONDS - now))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > 10_000:
                self._forget_before(now - WINDOW_SECONDS)
            return None

    def _forget_before(self, cutoff: float) -> None:
        for key in [k for k, (start, _) in self._windows.items() if start < cutoff]:
            del self._windows[key]


class RedisThrottle:
    """The same limit counted in Redis: one counter per tenant and clock minute (INCR + EXPIRE in one
    round trip), so every worker and host shares it. If Redis does not answer, requests are counted in
    this process instead (a limit must not take the API down) and a warning is logged."""

    def __init__(self, limit_per_minute: int, url: str, *, clock: Callable[[], float] = time.time) -> None:
        import redis

        self.limit = limit_per_minute
        self.clock = clock
        self.client: Any = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.fallback = Throttle(limit_per_minute)

    def hit(self, key: str) -> int | None:
        if self.limit <= 0:
            return None
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        name = f"partnerhub:throttle:{key}:{window}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, int(WINDOW_SECONDS) + 1)
            count = int(pipe.execute()[0])
        except Exception as exc:  # redis.RedisError and socket errors alike: fall back, never fail the request
            log.warning("rate limit: Redis unavailable (%s); counting in this process", type(exc).__name__)
            return self.fallback.hit(key)
        if count > self.limit:
            return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        return None


def make_limiter(limit_per_minute: int, redis_url: str) -> Limiter:
    """Redis-backed when a Redis URL is configured, else in-process."""
    if redis_url:
        return RedisThrottle(limit_per_minute, redis_url)
    return Throttle(limit_per_minute)
