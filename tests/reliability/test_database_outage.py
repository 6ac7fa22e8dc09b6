"""Database unavailable: PostgreSQL cut off behind a TCP proxy mid-run gets clear 503s, half-writes nothing, and
service resumes by itself when the database is back."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.auth.service import create_token
from partnerhub.auth.sign_in import set_mfa_policy
from partnerhub.db import read_session, transaction
from tests.factories import OWN_PASSWORD, make_customer, make_partner
from tests.reliability.conftest import CheckReport, scaled
from tests.reliability.serving import Answer, Browser, Client, Serve, Stream
from tests.reliability.tcp_proxy import TcpProxy
from tests.reliability.test_crash import Checks, OrderLedger, check_records_match_changes

UNAVAILABLE = 800403
RECOVERY_SECONDS = 5.0


def is_database_unavailable(answer: Answer) -> bool:
    """The API's answer while the database is away: 503 with the DatabaseUnavailable error body."""
    body = answer.body if isinstance(answer.body, dict) else {}
    return (
        answer.status == 503
        and body.get("code") == UNAVAILABLE
        and "database" in str(body.get("description"))
        and body.get("source") == "partnerhub"
    )


def recovers_within(client: Client, path: str, seconds: float) -> float | None:
    """Seconds until `path` answers 200 again, or None if it did not within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.request("GET", path).status == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_database_cut_gets_clear_503s_half_writes_nothing_and_heals_itself(
    fresh_engine: Engine, tmp_path: Path, reliability_report: CheckReport
) -> None:
    rng = random.Random(11)
    cuts = scaled(3, 10)
    with transaction(fresh_engine) as s:
        partner = make_partner(s)
        token = create_token(s, partner.admin, expires_days=1, name="outage").token
        buyers = [make_customer(s, partner.admin, name=f"Outage buyer {i}").customer.id for i in range(4)]
        set_mfa_policy(s, partner.admin, required=False)  # a password alone signs this admin in
        password = OWN_PASSWORD
    proxy = TcpProxy((fresh_engine.url.host or "127.0.0.1", fresh_engine.url.port or 5432)).start()
    server = Serve(fresh_engine.url.set(port=proxy.port).render_as_string(hide_password=False), tmp_path / "serve")
    counter = [0]
    client = Client(server.port, token, timeout=15, counter=counter)
    browser = Browser(server.port, counter)
    ledger, checks, seen = OrderLedger(), Checks(), Counter[int]()
    recoveries: list[float] = []

    def order_step(c: Client) -> None:
        answer = ledger.place(c, rng.choice(buyers))
        seen[answer.status] += 1
        if not answer.ok:
            time.sleep(0.02)

    def read_step(c: Client) -> None:
        answer = c.request("GET", f"/v1/customers/{rng.choice(buyers)}/subscriptions")
        seen[answer.status] += 1
        checks.expect(
            answer.ok or is_database_unavailable(answer), f"a read answered {answer.status} {answer.body!r:.300}"
        )
        if not answer.ok:
            time.sleep(0.02)

    server.start()
    browser.sign_in(partner.admin.email, password)
    streams = [
        Stream(Client(server.port, token, timeout=15, counter=counter), step)
        for step in (order_step, order_step, read_step)
    ]
    try:
        for st in streams:
            st.start()
        for n in range(cuts):
            time.sleep(rng.uniform(0.3, 1.0))
            proxy.cut(refuse=n % 2 == 0)  # refused connections, then connections accepted and dropped at once
            time.sleep(rng.uniform(0.0, 0.3))
            checks.expect(
                is_database_unavailable(a := client.request("GET", "/v1/customers")),
                f"cut {n}: GET /v1/customers answered {a.status} {a.body!r:.300}",
            )
            checks.expect(
                is_database_unavailable(a := ledger.place(client, buyers[0])),
                f"cut {n}: an order answered {a.status} {a.body!r:.300}",
            )
            a = client.request("GET", "/readyz")
            checks.expect(
                a.status == 503 and isinstance(a.body, dict) and a.body.get("database") == "unreachable",
                f"cut {n}: /readyz answered {a.status} {a.body!r:.300}",
            )
            status, page = browser.get("/customers")
            checks.expect(
                status == 503 and "<!doctype html" in page.lower() and "database" in page,
                f"cut {n}: the customers page answered {status} {page[:300]!r}",
            )
            time.sleep(rng.uniform(0.2, 1.0))
            proxy.restore()
            took = recovers_within(client, "/readyz", RECOVERY_SECONDS)
            checks.expect(took is not None, f"cut {n}: /readyz still failing {RECOVERY_SECONDS:g} s after the restore")
            recoveries.append(took or RECOVERY_SECONDS)
            checks.expect((a := client.request("GET", "/v1/customers")).ok, f"cut {n}: after the restore {a.status}")
            checks.expect(browser.get("/customers")[0] == 200, f"cut {n}: the customers page after the restore")
        for st in streams:
            st.stop()
        ledger.retry_unanswered(client, checks)
        with read_session(fresh_engine) as s:  # the real server, not through the proxy
            ledger.check(s, checks)
            check_records_match_changes(s, checks)
        for status, count in seen.items():
            checks.expect(status in (200, 201, 503), f"{count} answers with status {status} (expected 2xx or 503)")
    finally:
        for st in streams:
            st.stop()
        client.close()
        server.stop()
        proxy.close()
        reliability_report.faults = cuts
        reliability_report.requests = counter[0] + server.probes[0]
        reliability_report.invariant_checks = checks.count
        reliability_report.violations = len(checks.violations)
        reliability_report.notes = (
            f"{len(ledger.answers)} orders ({ledger.retried} answered 503, retried after "
            f"the restore); answers {dict(seen)}; back within "
            f"{max(recoveries, default=0):.2f} s at worst"
        )
    assert checks.violations == [], checks.violations[:10]
