"""A real webhook receiver for the tests: a local HTTP server (its own thread) that keeps every request it
gets and answers each with the next scripted answer (default 204)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from standardwebhooks import Webhook


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    def verified_with(self, secret: str) -> Any:
        """The body, if the `standardwebhooks` library verifies its signature with `secret` (else it raises)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Script:
    """What the receiver answers: (status, headers, body, delay in seconds) per request, then `default`."""

    answers: list[tuple[int, dict[str, str], bytes, float]] = field(default_factory=list)
    default: tuple[int, dict[str, str], bytes, float] = (204, {}, b"", 0.0)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script = Script()
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    status, headers, answer, delay = (
                        receiver.script.answers.pop(0) if receiver.script.answers else receiver.script.default
                    )
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.arrived.notify_all()
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender stopped reading (its limits)
                    self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def answer(self, *answers: int | tuple[int, dict[str, str]] | tuple[int, dict[str, str], bytes, float]) -> None:
        """Script the next answers: a status, (status, headers) or (status, headers, body, delay)."""
        with self.lock:
            for a in answers:
                if isinstance(a, int):
                    self.script.answers.append((a, {}, b"", 0.0))
                elif len(a) == 2:
                    self.script.answers.append((a[0], a[1], b"", 0.0))
                else:
                    self.script.answers.append(a)  # type: ignore[arg-type]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The requests once at least `count` have arrived (fails after `timeout` seconds)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout):
                raise AssertionError(f"the receiver got {len(self.requests)} requests, expected {count}")
            return list(self.requests)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
