"""One HTTP attempt of a delivery, within limits: connect within 5 s, finish within 15 s, follow no redirect,
read at most 64 KiB of the answer. The host is resolved and every address checked (`targets.py`) right
before connecting, and the connection goes to the address that was checked, so a DNS change between the
registration and the attempt (or between the check and the connection) cannot reach an unsafe address."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from partnerhub import __version__
from partnerhub.clock import utc_now
from partnerhub.errors import DomainError
from partnerhub.webhooks.targets import Resolver, default_port, parse_target, system_resolver, unsafe_reason

CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 15.0
MAX_ANSWER_BYTES = 64 * 1024
KEPT_ANSWER_CHARS = 2000  # what the delivery log keeps of an answer
USER_AGENT = f"partnerhub-webhooks/{__version__}"


@dataclass(frozen=True)
class Limits:
    connect_seconds: float = CONNECT_SECONDS
    total_seconds: float = TOTAL_SECONDS
    max_answer_bytes: int = MAX_ANSWER_BYTES


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the receiver's status (None when there was no answer), what went wrong, the
    start of the answer's text, and a Retry-After in seconds."""

    status_code: int | None
    error: str | None = None
    text: str = ""
    retry_after: float | None = None
    duration_ms: int = 0
    answer_bytes: int = 0  # how much of the answer was read (at most the limit)


class _Refused(Exception):
    """The target is unsafe or malformed: nothing was sent."""


def _connect(
    host: str, port: int, *, https: bool, allow_private: bool, resolve: Resolver, timeout: float
) -> socket.socket:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}") from exc
    if not addresses:
        raise OSError(f"cannot resolve {host}")
    for address in addresses:
        reason = unsafe_reason(address, allow_private=allow_private)
        if reason:
            raise _Refused(f"unsafe target: {host} resolves to {address} ({reason})")
    last: OSError | None = None
    for address in addresses:  # every one was checked above: connect to exactly these
        try:
            sock = socket.create_connection((address, port), timeout=timeout)
            break
        except OSError as exc:
            last = exc
    else:
        raise last or OSError("no address to connect to")
    if https:
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    return sock


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - utc_now()).total_seconds())
    except (TypeError, ValueError):
        return None


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow_private: bool,
    resolve: Resolver = system_resolver,
    limits: Limits = DEFAULT_LIMITS,
) -> Answer:
    """POST `body` to `url` once, within `limits`; never raises for the receiver's or the network's faults."""
    started = time.monotonic()
    deadline = started + limits.total_seconds

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the attempt took longer than its limit")
        return left

    try:
        parts = parse_target(url, allow_private=allow_private)
    except DomainError as exc:
        return Answer(None, f"unsafe target: {exc.render()}")
    host = parts.hostname or ""
    port = default_port(parts)
    https = parts.scheme.lower() == "https"
    conn: http.client.HTTPConnection | None = None
    try:
        sock = _connect(
            host,
            port,
            https=https,
            allow_private=allow_private,
            resolve=resolve,
            timeout=min(limits.connect_seconds, remaining()),
        )
        conn = http.client.HTTPConnection(host, port)
        conn.sock = sock
        sock.settimeout(remaining())
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        shown_host = f"[{host}]" if ":" in host else host
        if parts.port:
            shown_host += f":{parts.port}"
        conn.request(
            "POST",
            target,
            body=body,
            headers={**headers, "Host": shown_host, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        sock.settimeout(remaining())
        response = conn.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size < limits.max_answer_bytes:
            sock.settimeout(remaining())
            chunk = response.read1(min(16384, limits.max_answer_bytes - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        text = b"".join(chunks).decode("utf-8", "replace")[:KEPT_ANSWER_CHARS]
        error = (
            f"redirect to {response.getheader('Location', '')} not followed"[:500]
            if 300 <= response.status < 400
            else None
        )
        return Answer(
            response.status, error, text, retry_after_seconds(response.getheader("Retry-After")), elapsed_ms(), size
        )
    except _Refused as exc:
        return Answer(None, str(exc)[:500], duration_ms=elapsed_ms())
    except TimeoutError as exc:
        return Answer(None, f"timeout: {exc}"[:500], duration_ms=elapsed_ms())
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"connection error: {type(exc).__name__}: {exc}"[:500], duration_ms=elapsed_ms())
    finally:
        if conn is not None:
            conn.close()
