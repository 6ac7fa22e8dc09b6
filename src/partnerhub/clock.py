"""The only source of "now": aware UTC, freezable in tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def iso_utc(value: datetime | None) -> str | None:
    """An aware instant as ISO 8601 with a `Z`, as Partner Center writes them (None stays None)."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def utc_now() -> datetime:
    """The current instant as an aware UTC datetime (frozen if a test froze it)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[FrozenClock]:
    """Freeze the clock at `instant` for the duration of the block; the block may move it."""
    global _frozen
    previous = _frozen
    _frozen = instant
    try:
        yield FrozenClock()
    finally:
        _frozen = previous


class FrozenClock:
    def move(self, delta: timedelta) -> datetime:
        global _frozen
        assert _frozen is not None
        _frozen = _frozen + delta
        return _frozen
