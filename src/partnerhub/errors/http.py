"""Errors of the HTTP API: request-level failures (codes 800400-800499)."""

from __future__ import annotations

from partnerhub.errors.base import Conflict, DomainError, ErrorKind

# --- HTTP API (http/api/): request-level failures; codes 800400-800499


class IdempotencyKeyReused(Conflict):
    """The same MS-RequestId was sent with a different request: replaying the first answer would mislead."""

    code = 800400
    message = "Request id {request_id} was already used for a different request; send a new MS-RequestId."


class RequestTooLarge(DomainError):
    kind = ErrorKind.TOO_LARGE
    code = 800401
    message = "The request body is larger than {limit} bytes."


class InternalError(DomainError):
    """Anything unexpected: the client learns only that, and the correlation id to report."""

    kind = ErrorKind.INTERNAL
    code = 800402
    message = "An unexpected error occurred. Report correlation id {correlation_id} to the operator."


class DatabaseUnavailable(DomainError):
    kind = ErrorKind.UNAVAILABLE
    code = 800403
    message = "The database is not reachable right now; try again shortly."


__all__ = ["DatabaseUnavailable", "IdempotencyKeyReused", "InternalError", "RequestTooLarge"]
