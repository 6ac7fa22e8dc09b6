"""Keyset cursors: the last row's sort key, carried between pages as an opaque string."""

from __future__ import annotations

import base64
import json
from typing import Any

from partnerhub.errors import InvalidInput


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, arity: int) -> tuple[str, ...]:
    """The key a cursor carries; a malformed cursor is bad input, never a crash."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        raise InvalidInput(detail="the continuation token is not valid") from None
    if not isinstance(values, list) or len(values) != arity or not all(isinstance(v, str) for v in values):
        raise InvalidInput(detail="the continuation token is not valid")
    return tuple(values)
