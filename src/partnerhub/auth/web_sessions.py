"""Web sign-in sessions: a fresh random cookie value at every sign-in (so a planted session id is worthless),
stored only as its SHA-256, ended by sign-out, by idleness or by its absolute lifetime; and the user's
language setting, which the pages follow."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User, WebSession
from partnerhub.auth.service import _scope_kwargs, actor_for_user
from partnerhub.clock import utc_now
from partnerhub.errors import InvalidInput, SessionExpired
from partnerhub.ids import new_id
from partnerhub.locale import SUPPORTED

# A session's last_seen_at is written at most this often: a page view is a read, not a write per request.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    token: str  # the cookie value: shown to the browser once, only its hash is kept
    actor: Actor
    expires_at: datetime


def open_web_session(
    session: Session,
    user: User,
    *,
    is_mfa: bool,
    max_hours: int,
    now: datetime | None = None,
    single_sign_on: dict[str, object] | None = None,
) -> StartedSession:
    """A signed-in browser, once every step of the sign-in is done: a new session with a new random id
    (never one the browser brought), recorded in the activity log (`sign_in_with_single_sign_on`, with
    `single_sign_on`'s details, when the user's identity provider signed them in)."""
    actor = dataclasses.replace(actor_for_user(session, user, application="web"), mfa=is_mfa)
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    row = WebSession(
        id=new_id(),
        user_id=actor.user_id,
        token_hash=_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=max_hours),
        is_mfa=is_mfa,
    )
    session.add(row)
    operation = Operation.SIGN_IN if single_sign_on is None else Operation.SIGN_IN_WITH_SINGLE_SIGN_ON
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.WEB_SESSION,
        resource_id=row.id,
        **_scope_kwargs(session, actor.tenant_id),
        new={"expiresAt": row.expires_at.isoformat(), "mfa": is_mfa, **(single_sign_on or {})},
        now=now,
    )
    return StartedSession(token, actor, row.expires_at)


def actor_for_web_session(
    session: Session, token: str, *, idle_minutes: int, now: datetime | None = None, touch: bool = True
) -> Actor:
    """The signed-in user of a session cookie. A session that was ended, outlived its lifetime or sat idle
    longer than `idle_minutes` is refused (SessionExpired), as is an unknown one (Unauthenticated kind).
    With `touch=False` (a read-only transaction) it raises SessionNeedsTouch when the last-seen time is due
    its once-a-minute write, so that most page views never take the write lock."""
    now = now or utc_now()
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None or row.ended_at is not None:
        raise SessionExpired()
    if row.expires_at <= now or row.last_seen_at + timedelta(minutes=idle_minutes) <= now:
        raise SessionExpired()
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise SessionExpired()
    if now - row.last_seen_at >= TOUCH_EVERY:
        if not touch:
            raise SessionNeedsTouch()
        session.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
    return dataclasses.replace(actor_for_user(session, user, application="web"), mfa=row.is_mfa)


def find_web_session_id(session: Session, token: str | None) -> str | None:
    """The id of the session behind a cookie value (the one a password change keeps)."""
    if not token:
        return None
    return session.scalar(select(WebSession.id).where(WebSession.token_hash == _hash(token)))


class SessionNeedsTouch(Exception):
    """The session is valid but its last-seen time is due a write: ask again in a write transaction."""


def end_web_session(session: Session, token: str, *, now: datetime | None = None) -> bool:
    """Sign out: the session stops working at once. False if it was not signed in."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None or row.ended_at is not None:
        return False
    now = now or utc_now()
    row.ended_at = now
    user = session.get(User, row.user_id)
    if user is not None:
        actor = actor_for_user(session, user, application="web")
        record(
            session,
            actor,
            operation=Operation.SIGN_OUT,
            resource_type=ResourceType.WEB_SESSION,
            resource_id=row.id,
            **_scope_kwargs(session, user.tenant_id),
            new={"endedAt": now.isoformat()},
            now=now,
        )
    return True


def set_my_language(session: Session, actor: Actor, *, language: str) -> User:
    """The signed-in user's language (pages, e-mails and messages follow it unless the page switch says
    otherwise)."""
    if language not in SUPPORTED:
        raise InvalidInput(detail=f"language must be one of {', '.join(SUPPORTED)}")
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise InvalidInput(detail="only a signed-in user has a language setting")
    if user.locale != language:
        old = user.locale
        user.locale = language
        record(
            session,
            actor,
            operation=Operation.UPDATE_USER_LANGUAGE,
            resource_type=ResourceType.USER,
            resource_id=user.id,
            **_scope_kwargs(session, user.tenant_id),
            old={"language": old},
            new={"language": language},
        )
    return user


def purge_ended_sessions(session: Session, *, now: datetime | None = None, older_than_days: int = 30) -> int:
    """Housekeeping: forget sessions that ended or expired more than `older_than_days` ago."""
    cutoff = (now or utc_now()) - timedelta(days=older_than_days)
    rows = list(
        session.scalars(
            select(WebSession).where(or_(WebSession.expires_at < cutoff, WebSession.ended_at < cutoff)).limit(1000)
        )
    )
    for row in rows:
        session.delete(row)
    return len(rows)
