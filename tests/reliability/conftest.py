"""The reliability suite's shared pieces: the scale (small in CI, full with PARTNERHUB_RELIABILITY_SCALE=full)
and the report each check writes — faults injected, requests made, invariant checks run, violations found —
which `scripts/reliability` prints as one summary table."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

FULL = os.environ.get("PARTNERHUB_RELIABILITY_SCALE", "small") == "full"


def scaled(small: int, full: int) -> int:
    """How many times to do something: `small` in the everyday suite, `full` in the full-scale run."""
    return full if FULL else small


@dataclass
class CheckReport:
    """What one reliability check did; a check asserts `violations == 0` itself and also reports it."""

    check: str
    backend: str = "-"
    faults: int = 0
    requests: int = 0
    invariant_checks: int = 0
    violations: int = 0
    notes: str = ""


@pytest.fixture
def reliability_report(request: pytest.FixtureRequest) -> Iterator[CheckReport]:
    """A report row for the running check, appended as a JSON line to $PARTNERHUB_RELIABILITY_REPORT when
    that is set (the full-scale script sets it), whatever the check's outcome."""
    backend = "-"
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "backend" in callspec.params:
        backend = str(callspec.params["backend"])
    row = CheckReport(check=request.node.originalname or request.node.name, backend=backend)
    yield row
    target = os.environ.get("PARTNERHUB_RELIABILITY_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(row)) + "\n")
