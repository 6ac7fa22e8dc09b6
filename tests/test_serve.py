"""`partnerhub serve` as a user starts it: a real process on a free port, answering /healthz and /readyz."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from partnerhub.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310  (loopback URL built here)
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_migrates_an_empty_sqlite_database_and_answers_health_checks(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PARTNERHUB_DATA_DIR": str(tmp_path)}
    env.pop("PARTNERHUB_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnerhub.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status: tuple[int, dict[str, object]] | None = None
        while time.monotonic() < deadline:
            try:
                status = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert status is not None and status[0] == 200, (tmp_path / "serve.log").read_text()
        assert _get(f"http://127.0.0.1:{port}/readyz") == (200, {"status": "ok", "database": "ok"})
        assert (tmp_path / "partnerhub.db").exists()  # the default: a SQLite file in the data directory
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_the_secret_key_is_generated_once_and_survives_restarts(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key
    second = Settings(data_dir=tmp_path).resolved_secret_key
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert Settings(data_dir=tmp_path, secret_key="from-env").resolved_secret_key == "from-env"


def test_postgres_urls_are_given_the_psycopg_driver() -> None:
    url = Settings(database_url="postgresql://u@h/db").resolved_database_url
    assert url == "postgresql+psycopg://u@h/db"


def _sign_in_statuses(port: int, forwarded_for: list[str]) -> list[int]:
    """One sign-in attempt per X-Forwarded-For value, each with another e-mail, from this process."""
    import http.cookiejar
    import re
    import urllib.parse

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/signin", timeout=10) as page:
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
    assert found
    statuses = []
    for n, address in enumerate(forwarded_for):
        body = urllib.parse.urlencode(
            {"csrf_token": found.group(1), "email": f"u{n}@spray.example", "password": "Spring2025!"}
        ).encode()
        request = urllib.request.Request(  # noqa: S310  (loopback URL built here)
            f"{base}/signin",
            data=body,
            headers={"X-Forwarded-For": address},
        )
        try:
            with opener.open(request, timeout=10) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)
    return statuses


@pytest.mark.slow
@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_x_forwarded_for_counts_only_from_trusted_proxies(tmp_path: Path, trusted: str) -> None:
    """F11: a forged X-Forwarded-For cannot dodge the per-address sign-in limit, unless the request comes
    through a proxy that PARTNERHUB_TRUSTED_PROXIES names (here the test itself, on 127.0.0.1)."""
    port = _free_port()
    env = {
        **os.environ,
        "PARTNERHUB_DATA_DIR": str(tmp_path),
        "PARTNERHUB_SIGN_IN_ATTEMPTS_PER_MINUTE": "2",
        "PARTNERHUB_TRUSTED_PROXIES": trusted,
    }
    env.pop("PARTNERHUB_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnerhub.cli.main", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        statuses = _sign_in_statuses(port, ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    if trusted:
        assert statuses == [400, 400, 400, 400], (tmp_path / "serve.log").read_text()[-2000:]
    else:
        assert statuses == [400, 400, 429, 429], (tmp_path / "serve.log").read_text()[-2000:]
