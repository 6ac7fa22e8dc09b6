"""Soak: the benchmark's mixed workload against `partnerhub serve --workers 2` on PostgreSQL, bounded in time and
requests: zero errors, memory of the server processes reported at start and end (and flat at full scale), p99."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.auth.service import create_token
from partnerhub.bench.http_load import Request, build_request, run_load
from partnerhub.db import transaction
from tests.factories import M365_BASIC, buy, make_customer, make_partner
from tests.reliability.conftest import FULL, CheckReport, scaled
from tests.reliability.serving import Serve, rss_kib

CONNECTIONS = 8
WRITE_SHARE = 2  # in 10 requests, as the benchmark's mixed phase
MAX_GROWTH_KIB = 64 * 1024  # at full scale: the server processes together may grow this much beyond 25%


def mixed_workload(token: str, customers: list[tuple[str, str]]) -> Callable[[int], Request]:
    """The benchmark's mixed phase: 8 reads in 10 (customer list, one customer, its subscriptions) and 2 writes
    (each connection suspends and reactivates a subscription of its own)."""

    def next_request(n: int) -> Request:
        worker, i = divmod(n, 1_000_003)
        if i % 10 < WRITE_SHARE:
            cid, sid = customers[worker]
            status = "suspended" if i % 2 == 0 else "active"
            return Request(
                "write", build_request("PATCH", f"/v1/customers/{cid}/subscriptions/{sid}", token, {"status": status})
            )
        cid, _sid = customers[(n + i) % len(customers)]
        path = ("/v1/customers?size=100", f"/v1/customers/{cid}", f"/v1/customers/{cid}/subscriptions")[i % 3]
        return Request("read", build_request("GET", path, token))

    return next_request


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_soak_of_the_mixed_workload_has_no_errors_and_flat_memory(
    fresh_engine: Engine, tmp_path: Path, reliability_report: CheckReport
) -> None:
    seconds, max_requests = scaled(10, 300), scaled(50_000, 2_000_000)
    with transaction(fresh_engine) as s:
        partner = make_partner(s)
        token = create_token(s, partner.admin, expires_days=1, name="soak").token
        customers = []
        for i in range(scaled(40, 200)):
            cid = make_customer(s, partner.admin, name=f"Soak {i:03d}").customer.id
            customers.append((cid, buy(s, partner.admin, cid, M365_BASIC, quantity=3).id))
    server = Serve(fresh_engine.url.render_as_string(hide_password=False), tmp_path / "serve", workers=2)
    load = mixed_workload(token, customers)
    server.start()
    try:
        warm = run_load(server.port, load, connections=CONNECTIONS, seconds=scaled(2, 10), max_requests=5_000)
        rss_start = {pid: kib for pid in server.pids() if (kib := rss_kib(pid))}
        result = run_load(server.port, load, connections=CONNECTIONS, seconds=seconds, max_requests=max_requests)
        rss_end = {pid: kib for pid in server.pids() if (kib := rss_kib(pid))}
    finally:
        server.stop()
    start_kib, end_kib = sum(rss_start.values()), sum(rss_end.values())
    growth_ok = end_kib <= start_kib * 1.25 + MAX_GROWTH_KIB
    answered = result.count() + result.errors
    reliability_report.faults = 0
    reliability_report.requests = warm.count() + warm.errors + answered + server.probes[0]
    reliability_report.invariant_checks = answered + (1 if FULL else 0)
    reliability_report.violations = result.errors + warm.errors + (0 if growth_ok or not FULL else 1)
    reliability_report.notes = (
        f"{answered:,} requests in {result.seconds:.0f} s ({result.rps():.0f}/s) over {CONNECTIONS} connections, "
        f"workers 2; p50 {result.p50_ms():.1f} ms, p99 {result.p99_ms():.1f} ms (reads {result.p99_ms('read'):.1f}, "
        f"writes {result.p99_ms('write'):.1f}); RSS of {len(rss_start)} server processes {start_kib / 1024:.0f} MiB "
        f"at start, {end_kib / 1024:.0f} MiB at end ({_per_process(rss_start)} -> {_per_process(rss_end)})"
        + (f"; first error: {result.first_error}" if result.first_error else "")
    )
    print(f"\nsoak: {reliability_report.notes}")
    assert (result.errors, warm.errors) == (0, 0), result.first_error or warm.first_error
    assert result.count() > 0
    if FULL:
        assert growth_ok, f"memory grew from {start_kib} KiB to {end_kib} KiB"


def _per_process(rss: dict[int, int]) -> str:
    return "/".join(f"{kib / 1024:.0f}" for _pid, kib in sorted(rss.items()))
