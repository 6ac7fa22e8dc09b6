"""Benchmark rows of webhooks: the latency from an event's commit to a local receiver (p50, p99) and the
deliveries per second of one endpoint, each beside its floor: the same POSTs (same bodies and headers) sent
to the same receiver by a bare loop of `http.client` calls."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Engine, select

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import Change, record, record_many
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user
from partnerhub.bench.report import Row, median_ms, p99_ms
from partnerhub.db import read_session, transaction
from partnerhub.ids import new_id
from partnerhub.tenants.service import create_partner
from partnerhub.webhooks.dispatcher import Dispatcher
from partnerhub.webhooks.models import WebhookDelivery
from partnerhub.webhooks.service import WebhookConfig, create_endpoint
from partnerhub.webhooks.signing import signed_headers

SECTION = "Webhooks (commit → local receiver vs a bare loop of the same POSTs)"
LATENCY_TARGET_MS = 1000.0  # the issue's: an event reaches a local receiver within 1 s of its commit (median)


class _Receiver:
    """A local receiver that notes when each webhook-id first arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.count = 0
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                at = time.perf_counter()
                with receiver.cond:
                    receiver.arrived.setdefault(self.headers.get("webhook-id", ""), at)
                    receiver.count += 1
                    receiver.cond.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = int(self.server.server_address[1])

    def wait(self, predicate: Callable[[], bool], timeout: float = 60) -> None:
        with self.cond:
            if not self.cond.wait_for(predicate, timeout=timeout):
                raise TimeoutError("the webhook receiver did not get the events in time")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _commit_event(engine: Engine, actor: Actor, partner_id: str) -> float:
    """Commit one activity record (and its outbox event), as every operation does; returns the time after
    the commit."""
    with transaction(engine) as session:
        record(
            session,
            actor,
            operation=Operation.UPDATE_SUBSCRIPTION,
            resource_type=ResourceType.SUBSCRIPTION,
            resource_id=new_id(),
            partner_id=partner_id,
            customer_id=new_id(),
            old={"quantity": 1},
            new={"quantity": 2},
        )
    return time.perf_counter()


def _delivery_ids(engine: Engine, endpoint_id: str) -> list[str]:
    with read_session(engine) as session:
        return list(session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint_id)))


def _floor(port: int, secret: str, bodies: list[bytes]) -> tuple[list[float], float]:
    """The same POSTs by a bare loop (a new connection each, as the dispatcher makes): each one's round trip
    in seconds, and the total."""
    samples: list[float] = []
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        headers = signed_headers([secret], new_id(), int(time.time()), body)
        conn.request("POST", "/hooks", body=body, headers={**headers, "Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()
        samples.append(time.perf_counter() - t0)
    return samples, time.perf_counter() - started


def webhook_rows(
    engine: Engine,
    *,
    latency_events: int = 50,
    burst_events: int = 500,
    step: Callable[[str], None] = lambda _msg: None,
) -> list[Row]:
    """Measure on `engine` (a scratch database) with a dispatcher as `partnerhub serve` runs it."""
    receiver = _Receiver()
    config = WebhookConfig("bench", allow_private=True, public_url="http://127.0.0.1:8000")
    with transaction(engine) as session:
        created = create_partner(
            session,
            Actor.system(),
            name="Webhook bench",
            partner_type="direct",
            domain=f"hooks-{new_id()[:8]}.example",
            admin_email=f"ga@{new_id()[:8]}.example",
        )
        admin = actor_for_user(session, created.admin)
        partner_id = created.partner.id
        made = create_endpoint(
            session,
            admin,
            url=f"http://127.0.0.1:{receiver.port}/hooks",
            events=["subscription-updated"],
            config=config,
        )
        endpoint_id, secret = made.endpoint.id, made.secret
    dispatcher = Dispatcher(engine, config)
    dispatcher.start()
    try:
        step(f"webhooks: latency of {latency_events} events, one at a time")
        latencies: list[float] = []
        for _ in range(latency_events):
            before = set(receiver.arrived)
            committed = _commit_event(engine, admin, partner_id)
            receiver.wait(lambda before=before: len(receiver.arrived) > len(before))  # type: ignore[misc]
            new = [v for k, v in receiver.arrived.items() if k not in before]
            latencies.append(new[0] - committed)
        step(f"webhooks: {burst_events} events committed at once")
        already = receiver.count
        with transaction(engine) as session:
            record_many(
                session,
                admin,
                operation=Operation.UPDATE_SUBSCRIPTION,
                resource_type=ResourceType.SUBSCRIPTION,
                changes=[Change(new_id(), {"quantity": 1}, {"quantity": 2}) for _ in range(burst_events)],
                partner_id=partner_id,
                customer_id=new_id(),
            )
        started = time.perf_counter()
        receiver.wait(lambda: receiver.count >= already + burst_events, timeout=600)
        burst_seconds = time.perf_counter() - started
    finally:
        dispatcher.stop()
        dispatcher.join(timeout=30)
    with read_session(engine) as session:
        bodies = [
            b.encode()
            for b in session.scalars(
                select(WebhookDelivery.body).where(WebhookDelivery.endpoint_id == endpoint_id).limit(burst_events)
            )
        ]
    step("webhooks: the floor, the same POSTs by a bare loop")
    floor_samples, floor_seconds = _floor(receiver.port, secret, bodies)
    receiver.close()
    p50, p99 = median_ms(latencies), p99_ms(latencies)
    latency = Row(
        "webhook_latency",
        "webhook: commit → local receiver (one event at a time)",
        p50,
        median_ms(floor_samples),
        f"median ≤{LATENCY_TARGET_MS:g} ms",
        p99_ms=p99,
        floor_p99_ms=p99_ms(floor_samples),
        runs=latency_events,
        section=SECTION,
    )
    latency.met = p50 <= LATENCY_TARGET_MS
    rps, floor_rps = burst_events / burst_seconds, len(bodies) / floor_seconds
    throughput = Row(
        "webhook_throughput",
        f"webhook: deliveries per second ({burst_events} events, one endpoint)",
        1000 / rps,
        1000 / floor_rps,
        "printed beside its floor",
        runs=burst_events,
        section=SECTION,
        extra={"rps": rps, "floor_rps": floor_rps},
    )
    return [latency, throughput]
