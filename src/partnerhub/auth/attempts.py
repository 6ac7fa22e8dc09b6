"""Sign-in limits that every worker process and host shares: counted in the database on the embedded default,
in Redis when PARTNERHUB_REDIS_URL is set (falling back to the database if Redis does not answer).

Three keys are counted, each in fixed windows:
- the client address: a hard limit (`per_minute` a minute);
- the e-mail address: `per_minute` a minute and `4 × per_minute` an hour. Past either, a back-off applies: the
  sign-in is refused for the rest of the window (a minute, then up to an hour) unless the password is right
  *and* the user has multi-factor sign-in, so an attacker who guesses at one e-mail cannot lock its owner out;
- a user's code step (`per_minute` a minute).

A count is written in the request's own transaction, which commits whether the attempt succeeds or fails (the
sign-in pages answer a refusal, they do not raise it)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from partnerhub.auth.models import SignInAttempts
from partnerhub.clock import utc_now

log = logging.getLogger(__name__)
MINUTE, HOUR = 60, 3600
HOURLY_FACTOR = 4  # an e-mail address may try 4 minutes' worth an hour before the long back-off


class AttemptCounter(Protocol):
    def count(self, session: Session, key: str, *, window_seconds: int, now: datetime) -> int:
        """Count one more attempt of `key` in the window that holds `now`; the count so far, this one included."""
        ...


def window_of(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, tz=now.tzinfo)


def _wait(now: datetime, start: datetime, window_seconds: int) -> int:
    return max(1, math.ceil((start + timedelta(seconds=window_seconds) - now).total_seconds()))


class DatabaseCounter:
    """One row per key and window, incremented with an upsert in the caller's transaction."""

    def count(self, session: Session, key: str, *, window_seconds: int, now: datetime) -> int:
        start = window_of(now, window_seconds)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (insert(SignInAttempts).values(key=key, window_start=start, count=1)
                .on_conflict_do_update(index_elements=["key", "window_start"],
                                       set_={"count": SignInAttempts.count + 1})
                .returning(SignInAttempts.count))
        return int(session.execute(stmt).scalar_one())


class RedisCounter:
    """INCR and EXPIRE of one key per window in one round trip; the database counts when Redis does not answer."""

    def __init__(self, url: str) -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.fallback = DatabaseCounter()

    def count(self, session: Session, key: str, *, window_seconds: int, now: datetime) -> int:
        start = window_of(now, window_seconds)
        name = f"partnerhub:signin:{key}:{window_seconds}:{int(start.timestamp())}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, window_seconds + 1)
            return int(pipe.execute()[0])
        except Exception as exc:  # redis.RedisError and socket errors alike: count in the database instead
            log.warning("sign-in limits: Redis unavailable (%s); counting in the database", type(exc).__name__)
            return self.fallback.count(session, key, window_seconds=window_seconds, now=now)


@dataclass(frozen=True)
class SignInLimits:
    counter: AttemptCounter
    per_minute: int  # 0 turns the limits off (the browser tests' setting)

    def _over(self, session: Session, key: str, limit: int, window_seconds: int, now: datetime) -> int | None:
        if self.counter.count(session, key, window_seconds=window_seconds, now=now) <= limit:
            return None
        return _wait(now, window_of(now, window_seconds), window_seconds)

    def client_address(self, session: Session, address: str, *, now: datetime | None = None) -> int | None:
        """Seconds to wait, or None: a hard limit per client address."""
        if self.per_minute <= 0:
            return None
        return self._over(session, f"ip:{address}", self.per_minute, MINUTE, now or utc_now())

    def email(self, session: Session, email: str, *, now: datetime | None = None) -> int | None:
        """Seconds of back-off for this e-mail address, or None. Both windows count every attempt."""
        if self.per_minute <= 0:
            return None
        now = now or utc_now()
        waits = [self._over(session, f"email:{email}", self.per_minute, MINUTE, now),
                 self._over(session, f"email-hour:{email}", HOURLY_FACTOR * self.per_minute, HOUR, now)]
        found = [w for w in waits if w is not None]
        return max(found) if found else None

    def code(self, session: Session, user_id: str, *, now: datetime | None = None) -> int | None:
        """Seconds to wait, or None: the codes a user's sign-in may try."""
        if self.per_minute <= 0:
            return None
        return self._over(session, f"code:{user_id}", self.per_minute, MINUTE, now or utc_now())


def make_sign_in_limits(per_minute: int, redis_url: str) -> SignInLimits:
    return SignInLimits(RedisCounter(redis_url) if redis_url else DatabaseCounter(), per_minute)


def purge_old_attempts(session: Session, *, now: datetime | None = None) -> int:
    """Housekeeping: forget the counts of windows that ended over an hour ago."""
    cutoff = (now or utc_now()) - timedelta(seconds=2 * HOUR)
    result = session.execute(delete(SignInAttempts).where(SignInAttempts.window_start < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
