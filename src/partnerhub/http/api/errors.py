"""The HTTP face of failures: the only place an HTTP status is chosen, and the error body
`{code, description, data, source}` (Partner Center's shape, as application/json; never a stack trace)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from partnerhub.errors import DatabaseUnavailable, DomainError, IdempotencyKeyReused, InternalError, InvalidInput
from partnerhub.http.api.idempotency import Replayed, lookup, remember_refusal
from partnerhub.locale import N_, gettext

log = logging.getLogger("partnerhub.api")

SOURCE = "partnerhub"
STATUS_OF_KIND = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "internal": 500,
    "unavailable": 503,
}
THROTTLED = N_("Rate limit is exceeded. Try again in {seconds} seconds.")


class Throttled(Exception):
    """The tenant sent more requests than its limit allows; `retry_after` seconds until the window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def status_of(error: DomainError) -> int:
    return STATUS_OF_KIND.get(error.kind, 400)


def error_body(error: DomainError, locale: str) -> dict[str, Any]:
    return {"code": error.code, "description": error.render(locale), "data": error.data, "source": SOURCE}


def _locale(request: Request) -> str:
    return str(getattr(request.state, "locale", "en"))


def error_response(request: Request, error: DomainError) -> JSONResponse:
    status = status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(error, _locale(request)), status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    """A business refusal; answered to an idempotent write, it is stored and replayed like a success."""
    assert isinstance(exc, DomainError)
    response = error_response(request, exc)
    key = getattr(request.state, "idempotency", None)
    if key is not None and response.status_code < 500 and not isinstance(exc, IdempotencyKeyReused):
        await run_in_threadpool(remember_refusal, request.app.state.runtime.engine, key, response.status_code,
                                error_body(exc, _locale(request)))
    return response


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body", "cookie")]
    return ".".join(parts) or "request"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [f"{_field_of(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()]
    error = InvalidInput(data=[{"field": _field_of(e.get("loc", ())), "message": e.get("msg", "")}
                               for e in exc.errors()], detail="; ".join(problems))
    return error_response(request, error)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    body = {"code": exc.status_code, "description": str(exc.detail), "data": [], "source": SOURCE}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _throttled(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Throttled)
    message = gettext(THROTTLED, _locale(request)).format(seconds=exc.retry_after)
    return JSONResponse({"statusCode": 429, "message": message}, status_code=429,
                        headers={"Retry-After": str(exc.retry_after)})


async def _replayed(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Replayed)
    return JSONResponse(exc.body, status_code=exc.status_code)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """Two identical idempotent writes raced: the loser's changes rolled back; it answers as the winner did."""
    key = getattr(request.state, "idempotency", None)
    if key is not None:
        try:
            stored = await run_in_threadpool(lookup, request.app.state.runtime.engine, key)
        except DomainError as err:
            return error_response(request, err)
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
    return internal_error_response(request, exc)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return error_response(request, DatabaseUnavailable())


def internal_error_response(request: Request | None, exc: BaseException, *, locale: str = "en",
                            correlation_id: str = "") -> JSONResponse:
    """The generic 500: the details go to the log, the client gets only the correlation id."""
    if request is not None:
        locale = _locale(request)
        correlation_id = str(getattr(request.state, "correlation_id", correlation_id))
    log.error("unhandled error (correlation id %s)", correlation_id, exc_info=exc)
    return JSONResponse(error_body(InternalError(correlation_id=correlation_id), locale), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Throttled, _throttled)
    app.add_exception_handler(Replayed, _replayed)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_down)
