"""The request log: one line per HTTP request (method, path, status, duration, MS-RequestId, MS-CorrelationId,
tenant), as readable text or JSON lines (`PARTNERHUB_LOG_FORMAT=json`); never headers, tokens or bodies.
The request envelope (`http.api.context.ApiEnvelope`, outermost) writes it once the final status is known."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from partnerhub.clock import utc_now

LOGGER_NAME = "partnerhub.requests"
log = logging.getLogger(LOGGER_NAME)
# Invitation codes are bearer secrets, and two kinds of address carry one: the API's acceptance and the
# web's invitation pages (`/invitations/sent...` is the partner's own list, not a code).
_CODE_IN_PATH = (
    re.compile(r"^(/v1/relationshiprequests/)[^/]+(/accept/?)$", re.IGNORECASE),
    re.compile(r"^(/invitations/)(?!sent(?:/|$))[^/]+(/accept/?)?$", re.IGNORECASE),
)


def loggable_path(path: str) -> str:
    """The path with any invitation code replaced by `<code>`."""
    for pattern in _CODE_IN_PATH:
        path = pattern.sub(lambda m: f"{m.group(1)}<code>{m.group(2) or ''}", path)
    return path


def _safe(value: Any) -> str:
    """A value fit for one text log line: anything with spaces, quotes, `=` or control characters (a CR/LF
    in a path or a correlation id could otherwise forge a line or a field) is written as a quoted, escaped
    JSON string."""
    text = "-" if value is None else str(value)
    if text.isprintable() and not any(c in text for c in ' "='):
        return text
    return json.dumps(text)


def render(fields: dict[str, Any], log_format: str) -> str:
    """One line: a JSON object, or `GET /v1/customers 200 3.1ms request_id=… correlation_id=… tenant=…`."""
    if log_format == "json":
        return json.dumps(
            {"time": utc_now().isoformat(), "level": "info", "event": "request", **fields}, separators=(",", ":")
        )
    return (
        f"{_safe(fields['method'])} {_safe(fields['path'])} {fields['status']} {fields['duration_ms']}ms "
        f"request_id={_safe(fields['request_id'])} correlation_id={_safe(fields['correlation_id'])} "
        f"tenant={_safe(fields['tenant_id'])}"
    )


def log_request(fields: dict[str, Any], log_format: str) -> None:
    """Write the request's line (see `render`); the Authorization header, bodies and query strings never are."""
    if log.isEnabledFor(logging.INFO):
        fields = {**fields, "path": loggable_path(str(fields.get("path", "")))}
        log.info(render(fields, log_format), extra={"request": fields})


def _ensure_handler() -> None:
    """Request lines go to stderr even when nothing configured logging (uvicorn configures only its own)."""
    if not any(getattr(h, "partnerhub_requests", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.partnerhub_requests = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def install_request_log() -> None:
    """Request lines go to stderr (the request envelope, `http.api.context.ApiEnvelope`, writes them)."""
    _ensure_handler()
