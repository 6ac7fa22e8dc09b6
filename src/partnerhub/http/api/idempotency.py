"""MS-RequestId on POST/PATCH/PUT: the same id and request from the same user get the first answer again
(2xx and 4xx; nothing is applied twice); the same id with a different request is a 409."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from partnerhub.errors import InvalidInput
from partnerhub.idempotency.service import Replay, find_answer, fingerprint

WRITES = frozenset({"POST", "PATCH", "PUT"})
MAX_REQUEST_ID = 128


class Replayed(Exception):
    """A write already answered under the same MS-RequestId: its stored answer is the answer."""

    def __init__(self, status_code: int, body: Any) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


@dataclass(frozen=True)
class IdempotencyKey:
    user_id: str
    request_id: str
    fingerprint: str


def idempotency_key(
    session: Session, *, user_id: str | None, method: str, path: str, body: bytes, request_id: str | None
) -> IdempotencyKey | None:
    """The key of an idempotent write, or None when the request is not one. Raises Replayed when the
    request was answered before, IdempotencyKeyReused when the id was used for another request."""
    if method.upper() not in WRITES or not request_id or not user_id:
        return None
    if len(request_id) > MAX_REQUEST_ID:
        raise InvalidInput(detail=f"MS-RequestId is at most {MAX_REQUEST_ID} characters long")
    key = IdempotencyKey(user_id, request_id, fingerprint(method, path, body))
    stored = lookup(session, key)
    if stored is not None:
        raise Replayed(stored.status_code, stored.body)
    return key


def lookup(session: Session, key: IdempotencyKey) -> Replay | None:
    return find_answer(session, user_id=key.user_id, request_id=key.request_id, fingerprint=key.fingerprint)
