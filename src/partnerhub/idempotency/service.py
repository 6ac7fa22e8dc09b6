"""Storing and looking up the answers of idempotent writes, redacting secrets, purging old ones."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from partnerhub.clock import utc_now
from partnerhub.errors import IdempotencyKeyReused
from partnerhub.idempotency.models import StoredAnswer
from partnerhub.ids import new_id

RETENTION = timedelta(hours=24)
REDACTED = "<redacted: shown only in the first answer>"
SECRET_KEYS = frozenset({"password", "token", "secret", "accesstoken", "refreshtoken", "clientsecret", "signingsecret"})


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What a request asks for: its method, path and body (as parsed JSON when it parses, so that
    whitespace does not matter; the raw bytes otherwise)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except (ValueError, RecursionError):  # not JSON, or too deep to canonicalize: the route refuses it anyway
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(part + b"\0")
    return digest.hexdigest()


# An invitation's code is a bearer secret, and so are its link and the e-mail draft that carries the link.
# `code` is a secret only there: an error answer's `code` is its public error number.
INVITATION_SECRET_KEYS = frozenset({"code", "url", "emailtext"})


def _is_invitation(value: dict[str, Any]) -> bool:
    attributes = value.get("attributes")
    return isinstance(attributes, dict) and attributes.get("objectType") == "RelationshipRequest"


def redact(value: Any) -> Any:
    """A copy of a JSON value with every secret (passwords, tokens, invitation codes and links) replaced by a
    placeholder."""
    if isinstance(value, dict):
        keys = SECRET_KEYS | INVITATION_SECRET_KEYS if _is_invitation(value) else SECRET_KEYS
        return {k: REDACTED if str(k).lower() in keys and v is not None else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def find_answer(session: Session, *, user_id: str, request_id: str, fingerprint: str) -> Replay | None:
    """The stored answer to an earlier request with this id, or None. The same id with a different
    request is refused (IdempotencyKeyReused): it would otherwise silently return the wrong answer."""
    row = session.scalars(
        select(StoredAnswer).where(StoredAnswer.user_id == user_id, StoredAnswer.request_id == request_id)
    ).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused(request_id=request_id)
    return Replay(row.status_code, row.body)


def store_answer(
    session: Session,
    *,
    user_id: str,
    request_id: str,
    fingerprint: str,
    status_code: int,
    body: Any,
    now: datetime | None = None,
) -> StoredAnswer:
    """Keep an answer (2xx or 4xx; a 5xx is never stored, so a retry runs again) with secrets redacted,
    in the caller's transaction, so that it commits together with the change it answers."""
    if status_code >= 500:
        raise ValueError("5xx answers are not stored")
    row = StoredAnswer(
        id=new_id(),
        user_id=user_id,
        request_id=request_id,
        fingerprint=fingerprint,
        status_code=status_code,
        body=redact(body),
        created_at=now or utc_now(),
    )
    session.add(row)  # flushed with the change it answers, its activity record and its outbox event
    return row


def purge_answers(session: Session, *, now: datetime | None = None, keep: timedelta = RETENTION) -> int:
    """Forget answers older than `keep` (at least 24 hours); returns how many were deleted."""
    cutoff = (now or utc_now()) - max(keep, RETENTION)
    result = session.execute(delete(StoredAnswer).where(StoredAnswer.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
