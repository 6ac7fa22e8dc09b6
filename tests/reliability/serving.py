"""`partnerhub serve` as a real process for the reliability checks (start, wait for /healthz, kill -9, restart,
RSS) and the clients that drive it (API, web pages, request streams)."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    """One HTTP answer: status (0 = no answer: the connection failed or the server died) and JSON body."""

    status: int
    body: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Client:
    """A small keep-alive HTTP/1.1 client for one thread, counting every request it makes."""

    port: int
    token: str = ""
    timeout: float = 10.0
    counter: list[int] = field(default_factory=lambda: [0])
    _conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        """Send one request; a kept-alive connection the server closed meanwhile is reopened and the request
        sent once more, as HTTP clients do (every write here carries an MS-RequestId, so that is safe)."""
        data = json.dumps(body).encode() if body is not None else None
        head = {"Accept": "application/json", **(headers or {})}
        if self.token:
            head["Authorization"] = f"Bearer {self.token}"
        if data is not None:
            head["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self._conn is not None
            self.counter[0] += 1
            try:
                if self._conn is None:
                    self._conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                self._conn.request(method, path, body=data, headers=head)
                resp = self._conn.getresponse()
                raw = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    self.close()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if not reused or attempt == 2:
                    return Answer(0, None, f"{type(exc).__name__}: {exc}")
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                return Answer(0, None, f"{type(exc).__name__}: {exc}")
        try:
            parsed: Any = json.loads(raw) if raw and "json" in (resp.getheader("content-type") or "") else raw
        except ValueError:
            parsed = raw
        return Answer(resp.status, parsed)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (uvicorn's worker processes), from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def rss_kib(pid: int) -> int:
    """Resident memory of one process in KiB (VmRSS), 0 if it is gone."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Serve:
    """`partnerhub serve` on a loopback port over `database_url`; `kill()` is SIGKILL of its whole process group,
    `start()` again restarts it on the same port (its job worker resumes unfinished jobs)."""

    database_url: str
    data_dir: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    probes: list[int] = field(default_factory=lambda: [0])

    @property
    def log(self) -> Path:
        return self.data_dir / "serve.log"

    def start(self, timeout: float = 90.0) -> None:
        env = {
            **os.environ,
            "PARTNERHUB_DATABASE_URL": self.database_url,
            "PARTNERHUB_DATA_DIR": str(self.data_dir),
            "PARTNERHUB_RATE_LIMIT_PER_MINUTE": "0",
            "PARTNERHUB_REDIS_URL": "",
            **self.env,
        }
        argv = [
            sys.executable,
            "-m",
            "partnerhub.cli.main",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts + 1}\n".encode())
            self.process = subprocess.Popen(
                argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.starts += 1
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client = Client(self.port, timeout=2, counter=self.probes)
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"partnerhub serve exited early:\n{self.log.read_text()[-3000:]}")
            if client.request("GET", "/healthz").status == 200:
                client.close()
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"partnerhub serve did not answer /healthz in {timeout:.0f}s:\n{self.log.read_text()[-3000:]}"
        )

    def kill(self) -> None:
        """SIGKILL, no warning: the server and its workers die wherever they are."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def pids(self) -> list[int]:
        """The server process and its worker processes."""
        assert self.process is not None
        return [self.process.pid, *_children(self.process.pid)]

    def rss_kib(self) -> int:
        """Resident memory of the server and its workers together, in KiB."""
        return sum(rss_kib(p) for p in self.pids())


class Browser:
    """A signed-in visitor of the web pages (a cookie jar), for pages fetched while the database is away."""

    def __init__(self, port: int, counter: list[int]) -> None:
        self.base = f"http://{HOST}:{port}"
        self.counter = counter
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310  (loopback URL built here)

    def _open(self, req: urllib.request.Request) -> tuple[int, str]:
        self.counter[0] += 1
        try:
            with self.opener.open(req, timeout=10) as resp:
                return int(resp.status), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.get("/signin")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert status == 200 and found, (status, page[:500])
        form = urllib.parse.urlencode({"csrf_token": found.group(1), "email": email, "password": password}).encode()
        status, page = self._open(urllib.request.Request(self.base + "/signin", data=form))  # noqa: S310
        assert status == 200 and 'name="password"' not in page, (status, page[:500])


class Stream(threading.Thread):
    """Calls `step(client)` in a loop on a thread of its own until `stop()`."""

    def __init__(self, client: Client, step: Any) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.step = step
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.step(self.client)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
        self.client.close()
