"""The request context of every API call: request and correlation ids, body size limit, and the request's one
unit of work (bearer-token authentication, language choice, throttling, the idempotent replay, the route, the
idempotent answer, one commit); handlers receive it as `Ctx` and its session as `ctx.session`."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import authenticate_token
from partnerhub.errors import DomainError, IdempotencyKeyReused, InvalidInput, RequestTooLarge, Unauthenticated
from partnerhub.http.api.body import Body
from partnerhub.http.api.errors import Throttled, error_document, internal_error_response, json_response, status_of
from partnerhub.http.api.idempotency import IdempotencyKey, idempotency_key
from partnerhub.http.api.logging import log_request
from partnerhub.http.api.throttle import Limiter
from partnerhub.http.request_threads import wrapped_once
from partnerhub.idempotency.service import store_answer
from partnerhub.ids import new_id
from partnerhub.locale import supported_language
from partnerhub.runtime import Runtime

log = logging.getLogger("partnerhub.api")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1")).strip()
    return None


class ApiEnvelope:
    """ASGI middleware around every request, outermost: assigns the correlation and request ids (echoing the
    client's), picks the language from the headers, refuses oversized bodies up front, puts `MS-CorrelationId`
    and `MS-RequestId` on every response, turns any escaped exception into the generic 500, and writes the
    request's log line with the final status (`http.api.logging`)."""

    def __init__(self, app: ASGIApp, *, max_request_bytes: int, log_format: str = "text") -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.log_format = log_format

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        correlation_id = (_header(scope, b"ms-correlationid") or new_id())[:64]
        request_id = _header(scope, b"ms-requestid")
        echoed_request_id = (request_id or new_id())[:128]
        locale = supported_language(_header(scope, b"x-locale")) or supported_language(
            _header(scope, b"accept-language")
        )
        state = scope.setdefault("state", {})
        state.update(
            correlation_id=correlation_id,
            client_request_id=request_id,
            request_id=echoed_request_id,
            header_locale=locale,
            locale=locale or "en",
        )
        echo = [
            (b"ms-correlationid", correlation_id.encode("latin-1")),
            (b"ms-requestid", echoed_request_id.encode("latin-1")),
        ]
        nosniff = (b"x-content-type-options", b"nosniff")  # every answer: API, pages, static files
        answer = {"status": 500, "started": False}

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.update(status=message["status"], started=True)
                headers = [*message.get("headers", []), *echo]
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append(nosniff)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._answer(scope, receive, send_with_ids, state, correlation_id, answer)
        finally:
            log_request(
                {
                    "method": scope.get("method", ""),
                    "path": scope.get("path", ""),
                    "status": answer["status"],
                    "request_id": echoed_request_id,
                    "correlation_id": correlation_id,
                    "duration_ms": round((time.perf_counter() - started_at) * 1000, 1),
                    "tenant_id": state.get("tenant_id"),
                },
                self.log_format,
            )

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        state: dict[str, Any],
        correlation_id: str,
        answer: dict[str, Any],
    ) -> None:
        length = _header(scope, b"content-length")
        if length and length.isdigit() and int(length) > self.max_request_bytes:
            error = RequestTooLarge(limit=self.max_request_bytes)
            await json_response(error_document(scope, error, state["locale"]), status_code=413)(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            # A chunked body announces no length: count what arrives, so that whoever reads it (a web form, a
            # JSON body) is refused with 413 once it passes the limit, before the whole body is in memory.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_request_bytes:
                    raise RequestTooLarge(limit=self.max_request_bytes)
            return message

        if "\x00" in scope.get("path", "") or any(nul in scope.get("query_string", b"") for nul in (b"\x00", b"%00")):
            # PostgreSQL refuses NUL in text: without this a NUL in an id or a parameter was a 500 there
            refusal = InvalidInput(detail="the URL must not contain NUL characters")
            await json_response(error_document(scope, refusal, state["locale"]), status_code=400)(scope, receive, send)
            return
        try:
            await self.app(scope, receive_within_limit, send)
        except RequestTooLarge as exc:  # read outside any route's error handling
            if answer["started"]:
                raise
            await json_response(error_document(scope, exc, state["locale"]), status_code=413)(scope, receive, send)
        except Exception as exc:
            if answer["started"]:
                raise
            response = internal_error_response(
                None, exc, locale=state["locale"], correlation_id=correlation_id, scope=scope
            )
            await response(scope, receive, send)


WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class _ReadIsRecorded(Exception):
    """An operator's GET, found in a reading transaction: it runs again as a writer."""


@dataclass
class RequestContext:
    """One API request's unit of work: who asks (an Actor carrying the correlation id and language), in which
    process, with which body, and the session of the request's one transaction.

    `run()` (called by `UnitOfWorkRoute` around every route, in the request's one worker thread) opens the
    transaction, authenticates the token in it, resolves an idempotent replay, runs the route, stores the
    idempotent answer and commits, all before the response is sent: a failed commit never reaches the client
    as a 2xx. A GET never takes SQLite's write lock."""

    runtime: Runtime
    request: Request
    raw_body: bytes
    path: str
    token: str
    idempotency: IdempotencyKey | None = None
    _session: Session | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)
    _answer: tuple[int, Any] | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def session(self) -> Session:
        """The request's session: its changes commit when the route returns, and roll back if it raises."""
        if self._session is None:
            raise RuntimeError("the request's unit of work is not open (is the route a UnitOfWorkRoute?)")
        return self._session

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("the request is not authenticated yet")
        return self._actor

    @property
    def locale(self) -> str:
        return self.actor.locale

    @property
    def is_write(self) -> bool:
        return self.request.method.upper() in WRITE_METHODS

    def body(self) -> Body:
        """The request body as a tolerant, case-insensitive JSON object (400 when it is not one)."""
        return Body.parse(self.raw_body)

    def respond(self, status_code: int, content: Any, *, headers: dict[str, str] | None = None) -> Response:
        """The answer; for an idempotent write it is also stored, in the same transaction as the change."""
        self._answer = (status_code, content)
        return json_response(content, status_code=status_code, headers=headers)

    # --- the unit of work ------------------------------------------------------------------------------

    def _authenticate(self, session: Session) -> None:
        """The token's actor, the language (X-Locale > Accept-Language > the user's setting > English), the
        tenant's request count, and an idempotent replay (raises Replayed with the first answer)."""
        state = self.request.state
        actor = authenticate_token(session, self.token)
        locale = state.header_locale or supported_language(actor.locale) or "en"
        self._actor = dataclasses.replace(actor, correlation_id=state.correlation_id, locale=locale)
        state.locale = locale
        state.tenant_id = actor.tenant_id  # for the request log
        throttle: Limiter = self.request.app.state.throttle
        retry_after = throttle.hit(actor.tenant_id or actor.user_id or "system")
        if retry_after is not None:
            raise Throttled(retry_after)
        self.idempotency = idempotency_key(
            session,
            user_id=actor.user_id,
            method=self.request.method,
            path=self.path,
            body=self.raw_body,
            request_id=state.client_request_id,
        )
        state.idempotency = self.idempotency

    def run(self, route: Callable[..., Any], arguments: dict[str, Any]) -> Any:
        """Run `route` inside the request's one transaction (see the class). An operator's read records itself
        in the tenant's activity log (audit/operator_reads.py): its GET runs again as a writer, so that SQLite's
        lock is taken up front; a tenant's own GET stays a reader."""
        try:
            return self._run(route, arguments, write=self.is_write)
        except _ReadIsRecorded:  # raised right after authentication: nothing ran
            return self._run(route, arguments, write=True)

    def _run(self, route: Callable[..., Any], arguments: dict[str, Any], *, write: bool) -> Any:
        refusal: DomainError | None = None
        with self.runtime.unit_of_work(write=write) as session:
            self._session = session
            try:
                self._authenticate(session)
                if not write and self.actor.reads_are_recorded:
                    raise _ReadIsRecorded()
                key = self.idempotency
                if key is None:
                    return route(**arguments)
                try:
                    with session.begin_nested():  # a refusal undoes the route's changes, not the stored answer
                        response = route(**arguments)
                except DomainError as exc:
                    if isinstance(exc, IdempotencyKeyReused) or status_of(exc) >= 500:
                        raise
                    refusal = exc
                    store_answer(
                        session,
                        user_id=key.user_id,
                        request_id=key.request_id,
                        fingerprint=key.fingerprint,
                        status_code=status_of(exc),
                        body=error_document(self.request.scope, exc, self.locale),
                    )
                else:
                    if self._answer is not None:
                        status_code, content = self._answer
                        if status_code < 500:
                            store_answer(
                                session,
                                user_id=key.user_id,
                                request_id=key.request_id,
                                fingerprint=key.fingerprint,
                                status_code=status_code,
                                body=content,
                            )
            finally:
                self._session = None
        if refusal is not None:
            raise refusal  # stored and committed; the error handler answers it
        return response


async def read_raw_body(request: Request) -> bytes:
    """The body, refused with 413 past the limit even when no Content-Length announced it."""
    limit = request.app.state.runtime.settings.max_request_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    return token.strip()


async def api_context(request: Request, raw_body: Annotated[bytes, Depends(read_raw_body)]) -> RequestContext:
    """The request as read on the event loop, without touching the database: the bearer token (401 when
    there is none), the body and the path. The database work happens in `RequestContext.run()`."""
    token = _bearer(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RequestContext(request.app.state.runtime, request, raw_body, path, token)


Ctx = Annotated[RequestContext, Depends(api_context)]


class UnitOfWorkRoute(APIRoute):
    """Every API route: its body runs in the request's one transaction and one request thread
    (`RequestContext.run`, `partnerhub.http.request_threads`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, wrapped_once(endpoint, RequestContext), **kwargs)


def api_router(**kwargs: Any) -> APIRouter:
    """A feature's router: every route it declares runs in the request's unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)
