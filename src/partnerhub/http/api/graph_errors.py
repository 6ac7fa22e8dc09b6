"""Failures in Microsoft Graph's shape, for every answer under /v1/tenantRelationships (the GDAP API, which
Graph's own SDK drives): `{"error": {"code", "message", "innerError"}}`, with partnerhub's numeric code, its
data, the request id and the date inside `innerError`. Only the body's shape lives here: `errors.py` still
chooses every status, and every other route keeps Partner Center's `{code, description, data, source}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partnerhub.clock import iso_utc, utc_now
from partnerhub.errors import DomainError, ErrorKind

GRAPH_PREFIX = "/v1/tenantrelationships"
SOURCE = "partnerhub"
# Graph's error codes (its documented vocabulary), one for each kind of refusal.
CODE_OF_KIND: dict[ErrorKind, str] = {
    ErrorKind.INVALID: "invalidRequest",
    ErrorKind.UNAUTHENTICATED: "unauthenticated",
    ErrorKind.FORBIDDEN: "accessDenied",
    ErrorKind.NOT_FOUND: "itemNotFound",
    ErrorKind.CONFLICT: "conflict",
    ErrorKind.TOO_LARGE: "requestTooLarge",
    ErrorKind.THROTTLED: "activityLimitReached",
    ErrorKind.INTERNAL: "generalException",
    ErrorKind.UNAVAILABLE: "serviceNotAvailable",
}
# The router's own answers (no such address, no such method), by status.
CODE_OF_STATUS: dict[int, str] = {
    400: "invalidRequest",
    401: "unauthenticated",
    403: "accessDenied",
    404: "itemNotFound",
    405: "methodNotAllowed",
    406: "notAcceptable",
    413: "requestTooLarge",
    415: "unsupportedMediaType",
    429: "activityLimitReached",
}


def is_graph_path(path: str) -> bool:
    """Whether an address belongs to the Graph-shaped API (matched in any case, as Graph's addresses are)."""
    lowered = path.lower()
    return lowered == GRAPH_PREFIX or lowered.startswith(GRAPH_PREFIX + "/")


def is_graph_scope(scope: Mapping[str, Any]) -> bool:
    return is_graph_path(str(scope.get("path", "")))


def graph_error_body(
    scope: Mapping[str, Any], *, code: str, message: str, number: int, data: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Graph's error document; `scope` gives the request id (MS-RequestId, echoed or made) and the client's
    `client-request-id` when it sent one."""
    state = scope.get("state") or {}
    inner: dict[str, Any] = {
        "code": number,
        "data": data or [],
        "source": SOURCE,
        "request-id": str(state.get("request_id", "")),
        "date": iso_utc(utc_now()),
    }
    for key, value in scope.get("headers", []):
        if key.lower() == b"client-request-id":
            inner["client-request-id"] = value.decode("latin-1")[:128]
    return {"error": {"code": code, "message": message, "innerError": inner}}


def graph_domain_error(scope: Mapping[str, Any], error: DomainError, locale: str) -> dict[str, Any]:
    """A domain error as Graph writes a failure, in the request's language."""
    return graph_error_body(
        scope,
        code=CODE_OF_KIND.get(error.kind, "invalidRequest"),
        message=error.render(locale),
        number=error.code,
        data=error.data,
    )
