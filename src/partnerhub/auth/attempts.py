"""Sign-in limits that every worker process and host shares: counted in the database on the embedded default,
in Redis when PARTNERHUB_REDIS_URL is set (falling back to the database if Redis does not answer).

Three keys are counted, each in one-minute windows:
- the client address: a hard limit (`per_minute` a minute);
- the e-mail address: past `per_minute` a minute, a back-off holds the address's sign-ins for a minute, and
  each back-off that follows within the hour lasts twice as long as the one before (2, 4, 8 minutes), at
  most 15 minutes. Attempts during a back-off are refused and not counted, so each back-off lets through at
  most `per_minute` guesses. The right password of a user with multi-factor sign-in still goes on to the
  code step (the sign-in page decides), so an attacker who guesses at one e-mail cannot lock its owner out;
- a user's code step (`per_minute` a minute).

A count is written in the request's own transaction, which commits whether the attempt succeeds or fails (the
sign-in pages answer a refusal, they do not raise it). On SQLite that transaction took the write lock when it
began (ADR 0005), so two workers' counts never interleave."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from partnerhub.auth.models import SignInAttempts
from partnerhub.clock import utc_now

log = logging.getLogger(__name__)
MINUTE, HOUR = 60, 3600
LONGEST_BACK_OFF = 15 * MINUTE  # the doubling stops here: no long lockout


@dataclass(frozen=True)
class Hold:
    """A back-off: sign-ins of a key wait until `until`; `level` 1 lasts a minute, each next one twice as long."""

    until: datetime
    level: int


class AttemptCounter(Protocol):
    def count(self, session: Session, key: str, *, window_seconds: int, now: datetime) -> int:
        """Count one more attempt of `key` in the window that holds `now`; the count so far, this one included."""
        ...

    def last_hold(self, session: Session, key: str, *, now: datetime) -> Hold | None:
        """The latest back-off of `key` (it may be over), if one ended less than an hour ago."""
        ...

    def hold(self, session: Session, key: str, hold: Hold, *, now: datetime) -> None:
        """Start a back-off of `key`."""
        ...


def window_of(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, tz=now.tzinfo)


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def _wait(now: datetime, start: datetime, window_seconds: int) -> int:
    return _seconds(start + timedelta(seconds=window_seconds) - now)


class DatabaseCounter:
    """One row per key and window, incremented with an upsert in the caller's transaction."""

    def count(self, session: Session, key: str, *, window_seconds: int, now: datetime) -> int:
        start = window_of(now, window_seconds)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(SignInAttempts)
            .values(key=key, window_start=start, count=1)
            .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": SignInAttempts.count + 1})
            .returning(SignInAttempts.count)
        )
        return int(session.execute(stmt).scalar_one())

    # A back-off is a row too: `hold:<key>`, its window_start the instant it ends, its count the level.
    def last_hold(self, session: Session, key: str, *, now: datetime) -> Hold | None:
        row = session.execute(
            select(SignInAttempts.window_start, SignInAttempts.count)
            .where(SignInAttempts.key == f"hold:{key}", SignInAttempts.window_start > now - timedelta(seconds=HOUR))
            .order_by(SignInAttempts.window_start.desc())
            .limit(1)
        ).first()
        return Hold(row[0], int(row[1])) if row else None

    def hold(self, session: Session, key: str, hold: Hold, *, now: datetime) -> None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(SignInAttempts)
            .values(key=f"hold:{key}", window_start=hold.until, count=hold.level)
            .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": hold.level})
        )


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

    def last_hold(self, session: Session, key: str, *, now: datetime) -> Hold | None:
        """`<until, as a Unix time>:<level>`, kept until an hour after the back-off ends."""
        try:
            value = self.client.get(f"partnerhub:signin-hold:{key}")
        except Exception as exc:
            log.warning("sign-in limits: Redis unavailable (%s); back-offs in the database", type(exc).__name__)
            return self.fallback.last_hold(session, key, now=now)
        if not value:
            return None
        until, level = value.decode().split(":")
        return Hold(datetime.fromtimestamp(float(until), tz=now.tzinfo), int(level))

    def hold(self, session: Session, key: str, hold: Hold, *, now: datetime) -> None:
        keep = math.ceil((hold.until - now).total_seconds()) + HOUR
        try:
            self.client.set(f"partnerhub:signin-hold:{key}", f"{hold.until.timestamp()}:{hold.level}", ex=keep)
        except Exception as exc:
            log.warning("sign-in limits: Redis unavailable (%s); back-offs in the database", type(exc).__name__)
            self.fallback.hold(session, key, hold, now=now)


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
        """Seconds of back-off for this e-mail address, or None. Past `per_minute` attempts in a minute a
        back-off starts: a minute, then twice the last one if that ended less than an hour ago, at most 15
        minutes. Attempts during a back-off are not counted."""
        if self.per_minute <= 0:
            return None
        now = now or utc_now()
        key = f"email:{email}"
        last = self.counter.last_hold(session, key, now=now)
        if last is not None and last.until > now:
            return _seconds(last.until - now)
        if self.counter.count(session, key, window_seconds=MINUTE, now=now) <= self.per_minute:
            return None
        level = min(last.level + 1, 10) if last is not None else 1
        hold = Hold(now + timedelta(seconds=min(MINUTE * 2 ** (level - 1), LONGEST_BACK_OFF)), level)
        self.counter.hold(session, key, hold, now=now)
        return _seconds(hold.until - now)

    def code(self, session: Session, user_id: str, *, now: datetime | None = None) -> int | None:
        """Seconds to wait, or None: the codes a user's sign-in may try."""
        if self.per_minute <= 0:
            return None
        return self._over(session, f"code:{user_id}", self.per_minute, MINUTE, now or utc_now())


def make_sign_in_limits(per_minute: int, redis_url: str) -> SignInLimits:
    return SignInLimits(RedisCounter(redis_url) if redis_url else DatabaseCounter(), per_minute)


def purge_old_attempts(session: Session, *, now: datetime | None = None) -> int:
    """Housekeeping: forget the counts of windows, and the back-offs, that ended over an hour ago."""
    cutoff = (now or utc_now()) - timedelta(seconds=2 * HOUR)
    result = session.execute(delete(SignInAttempts).where(SignInAttempts.window_start < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
