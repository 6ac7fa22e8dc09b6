"""Collections in Partner Center's shape, page sizes, and continuation tokens signed with the secret key
(opaque to clients, bound to one kind of listing; a tampered or foreign token is a 400, never a 500)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request

from partnerhub.errors import InvalidInput

DEFAULT_SIZE = 100
MAX_SIZE = 500
_INVALID = "the continuation token is not valid for this listing"


def page_size(value: str | None) -> int:
    """`size`: 1–500; 0 or absent means 100."""
    if value is None or value.strip() == "":
        return DEFAULT_SIZE
    try:
        size = int(value)
    except ValueError:
        raise InvalidInput(
            data=[{"field": "size", "message": "must be a whole number"}],
            detail="size: must be a whole number from 0 to 500",
        ) from None
    if size == 0:
        return DEFAULT_SIZE
    if not 1 <= size <= MAX_SIZE:
        raise InvalidInput(
            data=[{"field": "size", "message": "must be between 0 and 500"}], detail="size: must be between 0 and 500"
        )
    return size


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ContinuationTokens:
    """Signs and verifies continuation tokens: `payload.mac`, HMAC-SHA256 over the payload and its kind."""

    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"partnerhub continuation token\0" + secret_key.encode()).digest()

    def _mac(self, kind: str, payload: str) -> str:
        return _b64(hmac.new(self._key, f"{kind}\0{payload}".encode(), hashlib.sha256).digest()[:20])

    def sign(self, kind: str, values: list[str]) -> str:
        payload = _b64(json.dumps(values, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(kind, payload)}"

    def verify(self, kind: str, token: str, arity: int) -> list[str]:
        payload, _, mac = token.strip().partition(".")
        if not payload or not hmac.compare_digest(mac.encode(), self._mac(kind, payload).encode()):
            raise InvalidInput(detail=_INVALID)
        try:
            values = json.loads(_unb64(payload))
        except ValueError:
            raise InvalidInput(detail=_INVALID) from None
        if not isinstance(values, list) or len(values) != arity or not all(isinstance(v, str) for v in values):
            raise InvalidInput(detail=_INVALID)
        return values


def continuation(request: Request, kind: str, arity: int) -> list[str] | None:
    """The position a request continues from: the `MS-ContinuationToken` header (with `seekOperation=Next`,
    in any case, or no seekOperation at all), verified; None for the first page."""
    seek = next((v for k, v in request.query_params.multi_items() if k.lower() == "seekoperation"), None)
    token = request.headers.get("ms-continuationtoken")
    if seek is not None and seek.strip().lower() != "next":
        raise InvalidInput(detail="seekOperation: only Next is supported")
    if not token:
        if seek is not None:
            raise InvalidInput(detail="seekOperation=Next needs the MS-ContinuationToken header of links.next")
        return None
    tokens: ContinuationTokens = request.app.state.continuation_tokens
    return tokens.verify(kind, token, arity)


def _uri(request: Request, *, next_page: bool) -> str:
    params = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k.lower() != "seekoperation"]
    if next_page:
        params.append(("seekOperation", "Next"))
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def collection(
    request: Request, items: list[Any], *, kind: str = "", next_values: list[str] | None = None
) -> dict[str, Any]:
    """`{totalCount, items, links{self, next}, attributes}`; totalCount counts the items of this page."""
    links: dict[str, Any] = {"self": {"uri": _uri(request, next_page=False), "method": "GET", "headers": []}}
    if next_values is not None:
        tokens: ContinuationTokens = request.app.state.continuation_tokens
        links["next"] = {
            "uri": _uri(request, next_page=True),
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": tokens.sign(kind, next_values)}],
        }
    return {"totalCount": len(items), "items": items, "links": links, "attributes": {"objectType": "Collection"}}
