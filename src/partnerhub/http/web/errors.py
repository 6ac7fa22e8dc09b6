"""The web face of failures, chosen once for every page: a visitor without a session goes to sign-in, a
domain error becomes a page in the user's language with the status of its kind (another tenant's object is
"not found", as in the API), and anything unexpected a 500 page with the id to report."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from partnerhub.errors import DatabaseUnavailable, DomainError, ErrorKind, InternalError
from partnerhub.http.request_threads import wrapped_once
from partnerhub.http.web.context import (
    FLASH_COOKIE,
    SESSION_COOKIE,
    SignInRequired,
    WebCtx,
    page_locale,
    resolve_web_context,
    sign_in_url,
)
from partnerhub.locale import N_

log = logging.getLogger("partnerhub.web")

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
TITLE_OF_STATUS = {
    400: N_("This cannot be done"),
    401: N_("Sign in required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Already changed"),
    413: N_("Too large"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
    503: N_("Temporarily unavailable"),
}
SESSION_ENDED = N_("Your session has ended. Sign in again.")


def _ctx(request: Request) -> WebCtx | None:
    ctx = getattr(request.state, "web_ctx", None)
    return ctx if isinstance(ctx, WebCtx) else None


def error_page(request: Request, error: DomainError) -> Response:
    status = STATUS_OF_KIND.get(error.kind, 400)
    ctx = _ctx(request)
    if ctx is None or not ctx.resolved:
        try:
            ctx = resolve_web_context(request)
        except Exception:  # the database itself may be what failed: a plain page still answers
            locale = page_locale(request, None)
            return HTMLResponse(
                f"<!doctype html><title>partnerhub</title><p>{error.render(locale)}</p>", status_code=status
            )
    return ctx.render(
        "error.html",
        status_code=status,
        title=ctx.t(TITLE_OF_STATUS.get(status, TITLE_OF_STATUS[400])),
        message=error.render(ctx.locale),
        code=error.code,
    )


def to_sign_in(request: Request, exc: SignInRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(sign_in_url(target), status_code=303)
    if exc.expired:
        ctx = _ctx(request)
        if ctx is not None:
            ctx.drop_cookies.add(SESSION_COOKIE)
            return ctx.redirect(sign_in_url(target), flash=ctx.t(SESSION_ENDED), kind="warning")
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


class PageNotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = 404
    message = "There is no page at this address."


def page_or_api_http_error(
    api_handler: Callable[[Request, Exception], Any],
) -> Callable[[Request, Exception], Coroutine[Any, Any, Response]]:
    """Unknown addresses and wrong methods: the API answers JSON under /v1 (and for its docs), a page
    elsewhere."""

    async def handle(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if path.startswith(("/v1", "/docs", "/openapi", "/redoc", "/static", "/healthz", "/readyz")):
            result: Response = await api_handler(request, exc)
            return result
        status = getattr(exc, "status_code", 404)
        if status == 404:
            return await run_in_threadpool(error_page, request, PageNotFound())
        result = await api_handler(request, exc)
        return result

    return handle


class WebRoute(APIRoute):
    """Every page route: it runs in the request's one transaction (`WebCtx.run`, in one request thread), and its
    failures become pages here, never the API's JSON."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, wrapped_once(endpoint, WebCtx), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as exc:
                return to_sign_in(request, exc)
            except DomainError as exc:
                return error_page(request, exc)
            except OperationalError:
                log.exception("database unavailable on %s", request.url.path)
                return error_page(request, DatabaseUnavailable())
            except Exception:
                correlation_id = str(getattr(request.state, "correlation_id", ""))
                log.exception("unexpected error on %s (correlation id %s)", request.url.path, correlation_id)
                return error_page(request, InternalError(correlation_id=correlation_id))

        return page
