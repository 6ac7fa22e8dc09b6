"""`partnerhub bench` at the tiny scale: it runs end to end on each database, prints its table and writes
well-formed JSON rows, and leaves no scratch database behind. Its speed is not tested here."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import psycopg
import pytest

from partnerhub.bench import SCALES
from partnerhub.bench.runner import LOAD_ENV
from partnerhub.bench.wrk_load import wrk_path
from partnerhub.cli.main import main
from tests.conftest import PG_ADMIN_DSN

OPERATIONS = (
    "generate",
    "list_first_100",
    "list_deep_100",
    "list_first_500",
    "list_deep_500",
    "search_prefix",
    "get_customer",
    "list_subscriptions",
    "suspend_subscription",
    "place_order_3",
    "remove_relationship",
    "offboard_10",
    "offboard_100",
    "offboard_1000",
    "bulk_offboard",
    "activity_day",
    "activity_customer",
    "gdap_bulk_request",
    "http_reads",
    "http_writes",
    "http_mixed",
    "webhook_latency",
    "webhook_throughput",
)


def _expected_ops(*, growth: bool = True) -> set[str]:
    shape = SCALES["tiny"].shape
    sizes = (*shape.growth, shape.provider_customers) if growth else ()
    return set(OPERATIONS) | {f"growth_{kind}_{size}" for kind in ("list", "get", "remove") for size in sizes}


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def _bench_databases_of_this_process() -> list[str]:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"partnerhub\\_bench\\_{os.getpid()}\\_%",)
        ).fetchall()
    return [str(r[0]) for r in rows]


def _assert_well_formed(doc: dict[str, Any], expected: set[str]) -> None:
    rows = doc["rows"]
    assert {r["op"] for r in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        assert {"op", "ms", "floor_ms", "ratio", "target"} <= row.keys(), row
        assert isinstance(row["target"], str) and row["target"], row
        for key in ("ms", "floor_ms", "ratio"):
            assert _positive(row[key]), (key, row)
        if row["op"].startswith("http_"):
            assert _positive(row["rps"]) and _positive(row["floor_rps"]), row
        if row["op"] == "generate":
            assert _positive(row["rows_per_s"]) and _positive(row["floor_rows_per_s"]), row
        if row["op"] in ("bulk_offboard", "gdap_bulk_request"):
            assert _positive(row["customers_per_s"]) and _positive(row["floor_customers_per_s"]), row
    assert not [n for n in doc["notes"] if "non-2xx" in n], doc["notes"]


def _assert_load_note(doc: dict[str, Any], generator: str) -> None:
    """The notes say which load generator drove the HTTP phases, and it saw nothing amiss."""
    notes = [n for n in doc["notes"] if n.startswith("HTTP load: ")]
    assert len(notes) == 1 and notes[0].startswith(f"HTTP load: {generator}"), doc["notes"]
    if generator == "wrk":
        assert " 1 thread " in notes[0] or " 2 threads " in notes[0], notes
    assert not [n for n in doc["notes"] if "wrk saw" in n], doc["notes"]


def test_the_tiny_benchmark_prints_its_table_and_writes_well_formed_rows(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LOAD_ENV, raising=False)  # wrk when it is installed, else the built-in generator
    out = tmp_path / "bench.json"

    code = main(["bench", "--scale", "tiny", "--database", backend, "--json", str(out), "--pg-dsn", PG_ADMIN_DSN])

    assert code == 0
    printed = capsys.readouterr().out
    assert "partnerhub bench" in printed and "offboard one customer" in printed and "ratio" in printed
    doc = json.loads(out.read_text())
    assert doc["scale"] == "tiny" and doc["database"] == backend
    assert doc["machine"]["cores"] >= 1
    _assert_well_formed(doc, _expected_ops())
    _assert_load_note(doc, "wrk" if wrk_path() is not None else "built-in")
    if backend == "postgresql":
        assert _bench_databases_of_this_process() == []


@pytest.mark.parametrize("backend", ["sqlite"])  # the generator is chosen the same way on either database
def test_without_wrk_the_builtin_generator_drives_the_http_phases(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOAD_ENV, "builtin")
    out = tmp_path / "bench.json"

    code = main(
        ["bench", "--scale", "tiny", "--database", backend, "--no-growth", "--json", str(out), "--pg-dsn", PG_ADMIN_DSN]
    )

    assert code == 0
    doc = json.loads(out.read_text())
    _assert_well_formed(doc, _expected_ops(growth=False))
    _assert_load_note(doc, "built-in")
    assert f"({LOAD_ENV}=builtin)" in next(n for n in doc["notes"] if n.startswith("HTTP load: "))
