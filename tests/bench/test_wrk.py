"""The HTTP workload of `partnerhub bench`, without a database: wrk's generated Lua script against a stub
server that records what it receives (the same mix as the built-in generator, each subscription in one
PATCH at a time, its status alternating, non-2xx answers counted), the built-in generator against the same
stub, and the choice between them. No speed is asserted."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from partnerhub.bench import runner
from partnerhub.bench.http_load import Workload, run_builtin
from partnerhub.bench.wrk_load import lua_script, run_wrk, wrk_path

needs_wrk = pytest.mark.skipif(wrk_path() is None, reason="wrk is not installed")
TOKEN = "tok_abc-123"
READERS = tuple(f"c{i:03d}" for i in range(12))
BROKEN = "c-broken"  # the stub answers 500 for this customer


class Stub:
    """What the stub server saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.statuses: dict[str, list[str]] = defaultdict(list)
        self.unauthorized = 0


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                stub.unauthorized += 1
            parts = self.path.split("?")[0].strip("/").split("/")
            kind = ("list", "get", "subscriptions")[len(parts) - 2]
            with stub.lock:
                stub.paths[kind] += 1
            if len(parts) > 2 and parts[2] == BROKEN:
                self._answer(500, {"code": 500, "description": "broken on purpose"})
            elif kind == "get":
                self._answer(200, {"id": parts[2], "companyProfile": {"id": "x"}})
            else:
                self._answer(200, {"totalCount": 1, "items": [{"id": "x"}]})

        def do_PATCH(self) -> None:
            parts = self.path.strip("/").split("/")
            sid = parts[4]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with stub.lock:
                stub.paths["patch"] += 1
                stub.in_flight[sid] += 1
                stub.max_in_flight[sid] = max(stub.max_in_flight[sid], stub.in_flight[sid])
                stub.statuses[sid].append(str(body["status"]))
            time.sleep(random.uniform(0, 0.004))  # answers come back out of order
            with stub.lock:
                stub.in_flight[sid] -= 1
            self._answer(200, {"id": sid, "status": body["status"], "customerId": parts[2]})

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # wrk drops its connections at the end of the run, mid-answer


@pytest.fixture
def stub_server() -> Iterator[tuple[int, Stub]]:
    stub = Stub()
    server = QuietServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), stub
    finally:
        server.shutdown()
        server.server_close()


def _workload(share: int, connections: int, readers: tuple[str, ...] = READERS) -> Workload:
    writes = tuple((f"w{i:03d}", f"s{i:03d}") for i in range(connections))
    return Workload(TOKEN, readers, writes, share)


def _alternate(statuses: list[str]) -> bool:
    return all(s == ("suspended", "active")[i % 2] for i, s in enumerate(statuses))


@needs_wrk
@pytest.mark.parametrize("threads", [1, 2])
def test_wrk_writes_toggle_each_subscription_one_patch_at_a_time(
    stub_server: tuple[int, Stub], tmp_path: Path, threads: int
) -> None:
    port, stub = stub_server
    res = run_wrk(port, _workload(10, 8), connections=8, seconds=1, threads=threads, scratch=tmp_path)

    assert res.threads == threads
    assert res.errors == 0 and res.shared == 0 and res.socket_errors == 0, res
    assert res.ok == res.requests > 0 and res.writes >= res.ok and res.reads == 0, res
    assert set(stub.paths) == {"patch"}, stub.paths  # wrk's check of the request before the run is not sent
    assert set(stub.statuses) <= {f"s{i:03d}" for i in range(8)}
    assert max(stub.max_in_flight.values()) == 1, stub.max_in_flight
    for sid, statuses in stub.statuses.items():
        assert _alternate(statuses), (sid, statuses[:10])
    assert res.p50_ms() > 0 and res.p99_ms() >= res.p50_ms() and res.rps() > 0


@needs_wrk
def test_wrk_mixes_reads_and_writes_8_to_2(stub_server: tuple[int, Stub], tmp_path: Path) -> None:
    port, stub = stub_server
    res = run_wrk(port, _workload(2, 8), connections=8, seconds=1, threads=2, scratch=tmp_path)

    assert res.errors == 0 and res.shared == 0 and stub.unauthorized == 0, res
    assert {"list", "get", "subscriptions", "patch"} == set(stub.paths), stub.paths
    reads = stub.paths["list"] + stub.paths["get"] + stub.paths["subscriptions"]
    assert 0.15 < stub.paths["patch"] / (reads + stub.paths["patch"]) < 0.25, stub.paths
    assert all(stub.paths[kind] > reads / 5 for kind in ("list", "get", "subscriptions")), stub.paths
    assert max(stub.max_in_flight.values()) == 1
    for statuses in stub.statuses.values():
        assert _alternate(statuses)


@needs_wrk
def test_wrk_counts_non_2xx_answers_as_errors(stub_server: tuple[int, Stub], tmp_path: Path) -> None:
    port, _stub = stub_server
    res = run_wrk(port, _workload(0, 4, (*READERS, BROKEN)), connections=4, seconds=1, threads=1, scratch=tmp_path)

    assert res.errors > 0 and res.ok > 0 and res.ok + res.errors == res.requests, res
    assert res.first_error.startswith("500 ") and "broken on purpose" in res.first_error
    assert res.rps() == res.ok / res.seconds


def test_the_wrk_script_refuses_ids_it_could_not_quote() -> None:
    with pytest.raises(ValueError, match="unexpected characters"):
        lua_script(Workload('x"); os.exit() --', READERS, (), 0), threads=1, connections=1)
    assert 'TOKEN = "tok_abc-123"' in lua_script(_workload(2, 4), threads=2, connections=4)


def test_the_builtin_generator_runs_the_same_workload(stub_server: tuple[int, Stub]) -> None:
    port, stub = stub_server
    res = run_builtin(port, _workload(2, 4), connections=4, seconds=0.5, max_requests=400)

    assert res.errors == 0 and res.count() > 0
    assert {"list", "get", "subscriptions", "patch"} == set(stub.paths), stub.paths
    assert max(stub.max_in_flight.values()) == 1
    for statuses in stub.statuses.values():
        assert _alternate(statuses)


def test_the_load_generator_is_wrk_when_installed_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "wrk_path", lambda: "/usr/bin/wrk")
    assert runner.choose_load("auto")[0] == "wrk"
    assert runner.choose_load("")[0] == "wrk"
    assert runner.choose_load("builtin") == ("builtin", f"{runner.LOAD_ENV}=builtin")
    monkeypatch.setattr(runner, "wrk_path", lambda: None)
    assert runner.choose_load("auto") == ("builtin", "wrk is not on PATH")
    with pytest.raises(RuntimeError, match="wrk is not on PATH"):
        runner.choose_load("wrk")
    with pytest.raises(ValueError, match="PARTNERHUB_BENCH_LOAD"):
        runner.choose_load("ab")
