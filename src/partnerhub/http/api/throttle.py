"""Per-tenant request limits counted in this process: a fixed one-minute window per tenant that starts
with its first request (approximate across several workers; DOMAIN.md §8)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WINDOW_SECONDS = 60.0


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
