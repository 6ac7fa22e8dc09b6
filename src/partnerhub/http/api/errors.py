"""The HTTP face of failures: the only place an HTTP status is chosen, and the error body
`{code, description, data, source}` (Partner Center's shape, as application/json; never a stack trace), or
Microsoft Graph's `{"error": ...}` under /v1/tenantRelationships (`graph_errors`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from partnerhub.errors import DatabaseUnavailable, DomainError, ErrorKind, InternalError, InvalidInput
from partnerhub.http.api.graph_errors import (
    CODE_OF_KIND,
    CODE_OF_STATUS,
    graph_domain_error,
    graph_error_body,
    is_graph_scope,
)
from partnerhub.http.api.idempotency import IdempotencyKey, Replayed, lookup
from partnerhub.locale import N_, gettext
from partnerhub.runtime import Runtime

log = logging.getLogger("partnerhub.api")

SOURCE = "partnerhub"
STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.THROTTLED: 429,
    ErrorKind.INTERNAL: 500,
    ErrorKind.UNAVAILABLE: 503,
}
THROTTLED = N_("Rate limit is exceeded. Try again in {seconds} seconds.")


class FastJSONResponse(JSONResponse):
    """JSON rendered by orjson: the same document as the standard library writes (UTF-8, no spaces), at a
    fraction of the cost."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_response(
    content: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> FastJSONResponse:
    return FastJSONResponse(content, status_code=status_code, headers=headers)


class Throttled(Exception):
    """The tenant sent more requests than its limit allows; `retry_after` seconds until the window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def status_of(error: DomainError) -> int:
    return STATUS_OF_KIND.get(error.kind, 400)


def error_body(error: DomainError, locale: str) -> dict[str, Any]:
    return {"code": error.code, "description": error.render(locale), "data": error.data, "source": SOURCE}


def error_document(scope: Mapping[str, Any], error: DomainError, locale: str) -> dict[str, Any]:
    """The body of a refusal as the address's API writes it: Graph's under /v1/tenantRelationships, else
    Partner Center's."""
    if is_graph_scope(scope):
        return graph_domain_error(scope, error, locale)
    return error_body(error, locale)


def _locale(request: Request) -> str:
    return str(getattr(request.state, "locale", "en"))


def error_response(request: Request, error: DomainError) -> JSONResponse:
    status = status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return json_response(error_document(request.scope, error, _locale(request)), status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    """A business refusal. Answered to an idempotent write, the request's unit of work already stored it (in
    the same transaction) to be replayed like a success."""
    assert isinstance(exc, DomainError)
    return error_response(request, exc)


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body", "cookie")]
    return ".".join(parts) or "request"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [f"{_field_of(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()]
    error = InvalidInput(
        data=[{"field": _field_of(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()],
        detail="; ".join(problems),
    )
    return error_response(request, error)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if is_graph_scope(request.scope):
        body = graph_error_body(
            request.scope,
            code=CODE_OF_STATUS.get(exc.status_code, "invalidRequest"),
            message=str(exc.detail),
            number=exc.status_code,
        )
    else:
        body = {"code": exc.status_code, "description": str(exc.detail), "data": [], "source": SOURCE}
    return json_response(body, status_code=exc.status_code, headers=exc.headers)


async def _throttled(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Throttled)
    message = gettext(THROTTLED, _locale(request)).format(seconds=exc.retry_after)
    body: dict[str, Any] = {"statusCode": 429, "message": message}
    if is_graph_scope(request.scope):
        body = graph_error_body(request.scope, code=CODE_OF_KIND[ErrorKind.THROTTLED], message=message, number=429)
    return json_response(body, status_code=429, headers={"Retry-After": str(exc.retry_after)})


async def _replayed(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Replayed)
    return json_response(exc.body, status_code=exc.status_code)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """Two identical idempotent writes raced: the loser's changes rolled back; it answers as the winner did."""
    key = getattr(request.state, "idempotency", None)
    if isinstance(key, IdempotencyKey):
        runtime: Runtime = request.app.state.runtime

        def twin_answer() -> Replayed | None:
            with runtime.unit_of_work(write=False) as session:
                stored = lookup(session, key)
            return Replayed(stored.status_code, stored.body) if stored is not None else None

        try:
            replay = await run_in_threadpool(twin_answer)
        except DomainError as err:
            return error_response(request, err)
        if replay is not None:
            return json_response(replay.body, status_code=replay.status_code)
    return internal_error_response(request, exc)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return error_response(request, DatabaseUnavailable())


def internal_error_response(
    request: Request | None,
    exc: BaseException,
    *,
    locale: str = "en",
    correlation_id: str = "",
    scope: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The generic 500: the details go to the log, the client gets only the correlation id."""
    if request is not None:
        locale = _locale(request)
        correlation_id = str(getattr(request.state, "correlation_id", correlation_id))
        scope = request.scope
    log.error("unhandled error (correlation id %s)", correlation_id, exc_info=exc)
    body = error_document(scope or {}, InternalError(correlation_id=correlation_id), locale)
    return json_response(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Throttled, _throttled)
    app.add_exception_handler(Replayed, _replayed)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_down)
