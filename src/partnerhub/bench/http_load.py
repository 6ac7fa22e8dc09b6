"""The HTTP part: start a server on a free loopback port (`partnerhub serve`, or the bare ASGI floor), the
workload of one phase, and the built-in load generator (asyncio, raw HTTP/1.1 keep-alive connections),
bounded in time and in request count: the fallback when `wrk` is not installed (see wrk_load.py). Traffic
goes to 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from partnerhub.bench.report import median_ms, p99_ms

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A server subprocess on a loopback port; stopped (terminate, then kill) by `stop()`."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early; see {server.log}:\n{server.log.read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, server.port), timeout=1) as s:
                s.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f}s; see {server.log}")


def start_server(argv: list[str], env: dict[str, str], port: int, log: Path) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            argv,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )
    server = Server(process, port, log)
    _wait_ready(server)
    return server


def start_partnerhub(database_url: str, data_dir: Path) -> Server:
    """`partnerhub serve` with its default workers, on the scratch database, throttle disabled (0)."""
    port = free_port()
    env = {
        "PARTNERHUB_DATABASE_URL": database_url,
        "PARTNERHUB_RATE_LIMIT_PER_MINUTE": "0",
        "PARTNERHUB_DATA_DIR": str(data_dir),
        "PARTNERHUB_REDIS_URL": "",
    }
    argv = [sys.executable, "-m", "partnerhub.cli.main", "serve", "--host", HOST, "--port", str(port)]
    return start_server(argv, env, port, data_dir / "partnerhub-serve.log")


def start_floor(backend: str, target: str, data_dir: Path) -> Server:
    """The bare ASGI floor under uvicorn with the same workers as `partnerhub serve` (one per core)."""
    port = free_port()
    env = {"PARTNERHUB_BENCH_FLOOR_BACKEND": backend, "PARTNERHUB_BENCH_FLOOR_TARGET": target}
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "partnerhub.bench.asgi_floor:app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        str(os.cpu_count() or 1),
    ]
    return start_server(argv, env, port, data_dir / "asgi-floor.log")


@dataclass(frozen=True)
class Request:
    kind: str  # "read" | "write"
    raw: bytes


def build_request(method: str, path: str, token: str, body: dict[str, object] | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n"
        f"Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


READ_PATHS = ("/v1/customers?size=100", "/v1/customers/{id}", "/v1/customers/{id}/subscriptions")
WRITE_PATH = "/v1/customers/{customer}/subscriptions/{subscription}"
WRITE_STATUSES = ("suspended", "active")  # each subscription alternates, starting from active


@dataclass(frozen=True)
class Workload:
    """One HTTP phase, the same whichever generator drives it: reads rotate over READ_PATHS for `readers`
    (customer ids); `write_share` requests in every ten are PATCHes of a subscription's status, suspended
    and active in turn, each connection toggling its own subscription of `writes` (customer id,
    subscription id; one per connection, all active at the start)."""

    token: str
    readers: tuple[str, ...]
    writes: tuple[tuple[str, str], ...]
    write_share: int

    def next_request(self) -> Callable[[int], Request]:
        """The built-in generator's request function: request `n` is request `i` of connection `worker`."""

        def next_request(n: int) -> Request:
            worker, i = divmod(n, 1_000_003)
            if self.write_share and (i % 10 < self.write_share):
                customer, subscription = self.writes[worker]
                return Request(
                    "write",
                    build_request(
                        "PATCH",
                        WRITE_PATH.format(customer=customer, subscription=subscription),
                        self.token,
                        {"status": WRITE_STATUSES[i % 2]},
                    ),
                )
            reader = self.readers[(n + i) % len(self.readers)]
            return Request("read", build_request("GET", READ_PATHS[i % 3].format(id=reader), self.token))

        return next_request


@dataclass
class LoadResult:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    errors: int = 0
    first_error: str = ""

    def count(self, kind: str | None = None) -> int:
        return sum(len(v) for k, v in self.latencies.items() if kind is None or k == kind)

    def rps(self, kind: str | None = None) -> float:
        return self.count(kind) / self.seconds if self.seconds > 0 else 0.0

    def p50_ms(self, kind: str | None = None) -> float:
        return median_ms([x for k, v in self.latencies.items() if kind is None or k == kind for x in v])

    def p99_ms(self, kind: str | None = None) -> float:
        return p99_ms([x for k, v in self.latencies.items() if kind is None or k == kind for x in v])


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked, close = 0, False, False
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        key = key.strip().lower()
        if key == b"content-length":
            length = int(value)
        elif key == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif key == b"connection" and b"close" in value.lower():
            close = True
    if not chunked:
        return status, await reader.readexactly(length), close
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body, close
        body += chunk[:-2]


async def _connection(
    port: int,
    next_request: Callable[[int], Request],
    worker: int,
    deadline: float,
    budget: list[int],
    result: LoadResult,
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = 0
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            req = next_request(worker * 1_000_003 + i)
            i += 1
            started = time.perf_counter()
            writer.write(req.raw)
            status, body, close = await _read_response(reader)
            elapsed = time.perf_counter() - started
            if 200 <= status < 300:
                result.latencies[req.kind].append(elapsed)
            else:
                result.errors += 1
                result.first_error = result.first_error or f"{status} {body[:200]!r}"
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
    finally:
        writer.close()


def run_load(
    port: int, next_request: Callable[[int], Request], *, connections: int, seconds: float, max_requests: int
) -> LoadResult:
    """Drive the server with `connections` keep-alive connections until `seconds` pass or `max_requests`
    have been sent; only answered 2xx requests count towards throughput and latency."""
    result = LoadResult()

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        budget = [max_requests]
        started = time.perf_counter()
        await asyncio.gather(
            *(_connection(port, next_request, w, deadline, budget, result) for w in range(connections))
        )
        result.seconds = time.perf_counter() - started

    try:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(main())
    except ImportError:
        asyncio.run(main())
    return result


def run_builtin(port: int, workload: Workload, *, connections: int, seconds: float, max_requests: int) -> LoadResult:
    """One phase with the built-in generator."""
    if len(workload.writes) < connections and workload.write_share:
        raise ValueError(f"{connections} connections need as many subscriptions, got {len(workload.writes)}")
    return run_load(port, workload.next_request(), connections=connections, seconds=seconds, max_requests=max_requests)
