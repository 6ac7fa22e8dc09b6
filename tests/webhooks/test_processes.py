"""The dispatcher in real processes: `partnerhub serve` delivers by default and, killed with SIGKILL
mid-delivery, loses nothing after a restart (a duplicate only ever carries the same webhook-id and body);
`serve --no-worker` sends nothing and `partnerhub worker` sends instead; two dispatchers on PostgreSQL deliver
each event once (SQLite too)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from partnerhub.db import create_db_engine, read_session, transaction
from partnerhub.webhooks.dispatcher import Dispatcher
from partnerhub.webhooks.models import WebhookDelivery
from partnerhub.webhooks.service import WebhookConfig
from tests.factories import make_customer, make_partner
from tests.webhooks.helpers import CONFIG, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(engine: Engine, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
        "PARTNERHUB_SECRET_KEY": "test",
        "PARTNERHUB_WEBHOOK_ALLOW_PRIVATE": "true",
        "PARTNERHUB_WEBHOOK_LEASE_SECONDS": "2",
    }


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "partnerhub.cli.main", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


def _pending(engine: Engine) -> int:
    with read_session(engine) as session:
        return int(
            session.scalar(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status != "succeeded")
            )
            or 0
        )


def _delivered(engine: Engine, count: int, log: Path | None, timeout: float = 90) -> None:
    """Wait (bounded) until `count` deliveries exist and all succeeded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_session(engine) as session:
            total = int(session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)
        if total == count and _pending(engine) == 0:
            return
        time.sleep(0.2)
    raise AssertionError("not delivered in time:\n" + (log.read_text()[-3000:] if log else ""))


def test_serve_killed_mid_delivery_loses_nothing_and_repeats_only_the_same_webhook_id(
    fresh_engine: Engine, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.script.default = (204, {}, b"", 0.3)  # every answer takes a while: the kill lands mid-send
    sub = subscribe(fresh_engine, receiver.url, ["customer-created"])
    with transaction(fresh_engine) as session:
        for _ in range(6):
            make_customer(session, sub.world.admin)
    env, log, port = _env(fresh_engine, tmp_path), tmp_path / "serve.log", str(_free_port())
    proc = _start(["serve", "--port", port, "--workers", "1"], env, log)
    try:
        receiver.wait_for(2, timeout=60)  # the second request is being answered: serve waits for it
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert _pending(fresh_engine) > 0
        proc = _start(["serve", "--port", port, "--workers", "1"], env, log)
        _delivered(fresh_engine, 6, log)
    finally:
        _stop(proc)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for r in receiver.requests:
        r.verified_with(sub.secret)
        bodies[r.headers["webhook-id"]].add(r.body)
    with read_session(fresh_engine) as session:
        ids = set(session.scalars(select(WebhookDelivery.id)))
    assert set(bodies) == ids and len(ids) == 6  # every event arrived
    assert all(len(b) == 1 for b in bodies.values())  # a repeat is the same event: same id, same body
    assert len(receiver.requests) > 6  # the one cut short was sent again


def test_serve_no_worker_leaves_delivery_to_partnerhub_worker(
    fresh_engine: Engine, tmp_path: Path, receiver: Receiver
) -> None:
    sub = subscribe(fresh_engine, receiver.url, ["customer-created"])
    env, log = _env(fresh_engine, tmp_path), tmp_path / "serve.log"
    server = _start(["serve", "--port", str(_free_port()), "--workers", "1", "--no-worker"], env, log)
    worker: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 60
        while b"Application startup complete" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.1)
        with transaction(fresh_engine) as session:
            make_customer(session, sub.world.admin)
        time.sleep(1.5)  # the server would have sent it by now: its dispatcher polls every 0.2 s
        assert receiver.requests == []
        worker = _start(["worker"], env, tmp_path / "worker.log")
        assert receiver.wait_for(1, timeout=60)[0].json["EventName"] == "customer-created"
    finally:
        _stop(server)
        if worker is not None:
            _stop(worker)


def test_two_dispatchers_deliver_each_event_once(fresh_engine: Engine, receiver: Receiver) -> None:
    """On PostgreSQL they claim with SKIP LOCKED; on SQLite one writer at a time does the same."""
    endpoints = []
    for _ in range(4):
        with transaction(fresh_engine) as session:
            world = make_partner(session)
        endpoints.append(subscribe(fresh_engine, receiver.url, ["customer-created"], world=world))
    for sub in endpoints:
        with transaction(fresh_engine) as session:
            for _ in range(25):
                make_customer(session, sub.world.admin)
    url = fresh_engine.url.render_as_string(hide_password=False)
    engines = [create_db_engine(url), create_db_engine(url)]
    config = WebhookConfig("test", allow_private=True, public_url=CONFIG.public_url)
    dispatchers = [Dispatcher(e, config, poll_seconds=0.05) for e in engines]
    for d in dispatchers:
        d.start()
    try:
        _delivered(fresh_engine, 100, None, timeout=120)
    finally:
        for d in dispatchers:
            d.stop()
            d.join(timeout=30)
        for e in engines:
            e.dispose()
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 100 and len(set(ids)) == 100
