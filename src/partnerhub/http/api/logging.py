"""The request log: one line per HTTP request (method, path, status, duration, MS-RequestId, MS-CorrelationId,
tenant), as readable text or JSON lines (`PARTNERHUB_LOG_FORMAT=json`); never headers, tokens or bodies."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnerhub.clock import utc_now
from partnerhub.settings import Settings

LOGGER_NAME = "partnerhub.requests"
log = logging.getLogger(LOGGER_NAME)


def _response_header(message: Message, name: bytes) -> str | None:
    for key, value in message.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def render(fields: dict[str, Any], log_format: str) -> str:
    """One line: a JSON object, or `GET /v1/customers 200 3.1ms request_id=… correlation_id=… tenant=…`."""
    if log_format == "json":
        return json.dumps({"time": utc_now().isoformat(), "level": "info", "event": "request", **fields},
                          separators=(",", ":"))
    return (f"{fields['method']} {fields['path']} {fields['status']} {fields['duration_ms']}ms "
            f"request_id={fields['request_id']} correlation_id={fields['correlation_id']} "
            f"tenant={fields['tenant_id'] or '-'}")


class RequestLog:
    """ASGI middleware, outermost: it sees the final status (413 and 500 included) and the ids the envelope
    echoed. Only the fields below are written; the Authorization header, bodies and query strings never are."""

    def __init__(self, app: ASGIApp, *, log_format: str = "text") -> None:
        self.app = app
        self.log_format = log_format

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        answer: dict[str, Any] = {"status": 500, "request_id": None, "correlation_id": None}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.update(status=message["status"],
                              request_id=_response_header(message, b"ms-requestid"),
                              correlation_id=_response_header(message, b"ms-correlationid"))
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            fields = {
                "method": scope.get("method", ""),
                "path": scope.get("path", ""),
                **answer,
                "duration_ms": round((time.perf_counter() - started_at) * 1000, 1),
                "tenant_id": scope.get("state", {}).get("tenant_id"),
            }
            log.info(render(fields, self.log_format), extra={"request": fields})


def _ensure_handler() -> None:
    """Request lines go to stderr even when nothing configured logging (uvicorn configures only its own)."""
    if not any(getattr(h, "partnerhub_requests", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.partnerhub_requests = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def install_request_log(app: FastAPI, settings: Settings) -> None:
    """Add the request log around everything else (call after every other middleware is added)."""
    _ensure_handler()
    app.add_middleware(RequestLog, log_format=settings.log_format)
