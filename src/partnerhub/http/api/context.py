"""The request context of every API call: request and correlation ids, body size limit, bearer-token
authentication, language choice, throttling and the idempotency key; handlers receive it as `Ctx`."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import authenticate_token
from partnerhub.db import read_session
from partnerhub.errors import InvalidInput, RequestTooLarge, Unauthenticated
from partnerhub.http.api.body import Body
from partnerhub.http.api.errors import Throttled, error_body, internal_error_response
from partnerhub.http.api.idempotency import IdempotencyKey, idempotency_key
from partnerhub.http.api.throttle import Limiter
from partnerhub.idempotency.service import store_answer
from partnerhub.ids import new_id
from partnerhub.locale import SUPPORTED
from partnerhub.runtime import Runtime

log = logging.getLogger("partnerhub.api")


def supported_language(value: str | None) -> str | None:
    """The first supported language of an X-Locale or Accept-Language value (`it-IT`, `fr;q=1, it`), else None."""
    for part in (value or "").split(","):
        lang = part.split(";")[0].strip().replace("_", "-").split("-")[0].lower()
        if lang in SUPPORTED:
            return lang
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1")).strip()
    return None


class ApiEnvelope:
    """ASGI middleware around every request: assigns the correlation and request ids (echoing the client's),
    picks the language from the headers, refuses oversized bodies up front, puts `MS-CorrelationId` and
    `MS-RequestId` on every response, and turns any escaped exception into the generic 500."""

    def __init__(self, app: ASGIApp, *, max_request_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = (_header(scope, b"ms-correlationid") or new_id())[:64]
        request_id = _header(scope, b"ms-requestid")
        locale = (supported_language(_header(scope, b"x-locale"))
                  or supported_language(_header(scope, b"accept-language")))
        state = scope.setdefault("state", {})
        state.update(correlation_id=correlation_id, client_request_id=request_id,
                     header_locale=locale, locale=locale or "en")
        echo = [(b"ms-correlationid", correlation_id.encode("latin-1")),
                (b"ms-requestid", (request_id or new_id())[:128].encode("latin-1"))]
        started = False

        async def send_with_ids(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *echo]}
            await send(message)

        length = _header(scope, b"content-length")
        if length and length.isdigit() and int(length) > self.max_request_bytes:
            error = RequestTooLarge(limit=self.max_request_bytes)
            await JSONResponse(error_body(error, state["locale"]), status_code=413)(scope, receive, send_with_ids)
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
            await JSONResponse(error_body(refusal, state["locale"]), status_code=400)(scope, receive, send_with_ids)
            return
        try:
            await self.app(scope, receive_within_limit, send_with_ids)
        except RequestTooLarge as exc:  # read outside any route's error handling
            if started:
                raise
            await JSONResponse(error_body(exc, state["locale"]), status_code=413)(scope, receive, send_with_ids)
        except Exception as exc:
            if started:
                raise
            response = internal_error_response(None, exc, locale=state["locale"], correlation_id=correlation_id)
            await response(scope, receive, send_with_ids)


@dataclass(frozen=True)
class RequestContext:
    """Who asks (an Actor carrying the correlation id and language), in which process, with which body."""

    runtime: Runtime
    actor: Actor
    raw_body: bytes
    path: str
    idempotency: IdempotencyKey | None

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def locale(self) -> str:
        return self.actor.locale

    def body(self) -> Body:
        """The request body as a tolerant, case-insensitive JSON object (400 when it is not one)."""
        return Body.parse(self.raw_body)

    def remember(self, session: Session, status_code: int, content: Any) -> None:
        """Store the answer of an idempotent write in the transaction of the change it answers."""
        if self.idempotency is not None:
            key = self.idempotency
            store_answer(session, user_id=key.user_id, request_id=key.request_id, fingerprint=key.fingerprint,
                         status_code=status_code, body=content)

    def respond(self, status_code: int, content: Any) -> JSONResponse:
        return JSONResponse(content, status_code=status_code)


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


def api_context(request: Request, raw_body: Annotated[bytes, Depends(read_raw_body)]) -> RequestContext:
    """Authenticate the bearer token, choose the language (X-Locale > Accept-Language > the user's setting >
    English), count the request against the tenant's limit, and resolve an idempotent replay."""
    runtime: Runtime = request.app.state.runtime
    state = request.state
    token = _bearer(request)
    with read_session(runtime.engine) as session:
        actor = authenticate_token(session, token)
    locale = state.header_locale or supported_language(actor.locale) or "en"
    actor = dataclasses.replace(actor, correlation_id=state.correlation_id, locale=locale)
    state.locale = locale
    state.tenant_id = actor.tenant_id  # for the request log
    throttle: Limiter = request.app.state.throttle
    retry_after = throttle.hit(actor.tenant_id or actor.user_id or "system")
    if retry_after is not None:
        raise Throttled(retry_after)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    key = idempotency_key(runtime.engine, user_id=actor.user_id, method=request.method, path=path,
                          body=raw_body, request_id=state.client_request_id)
    state.idempotency = key
    return RequestContext(runtime, actor, raw_body, path, key)


Ctx = Annotated[RequestContext, Depends(api_context)]
