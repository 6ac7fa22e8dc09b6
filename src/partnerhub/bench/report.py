"""Benchmark results: timing statistics, the result rows, the printed table and the JSON document."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def median_ms(samples: Sequence[float]) -> float:
    """The median of timings given in seconds, in milliseconds."""
    return statistics.median(samples) * 1000.0 if samples else 0.0


def p99_ms(samples: Sequence[float]) -> float:
    """The 99th percentile (nearest rank) of timings given in seconds, in milliseconds."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, math.ceil(0.99 * len(ordered)))
    return ordered[rank - 1] * 1000.0


@dataclass
class Row:
    """One line of the table: an operation, its figure, its floor, their ratio and the target beside it.

    `ratio` is always "partnerhub cost / floor cost" (for throughputs: floor_rps / rps), so 1.0 means no
    overhead at all and larger is worse. `met` says whether the target was reached on this run."""

    op: str
    label: str
    ms: float
    floor_ms: float
    target: str
    met: bool | None = None
    p99_ms: float | None = None
    floor_p99_ms: float | None = None
    runs: int | None = None
    extra: dict[str, float | int | str] = field(default_factory=dict)
    section: str = "operations"

    @property
    def ratio(self) -> float:
        if "rps" in self.extra and "floor_rps" in self.extra:
            rps, floor_rps = float(self.extra["rps"]), float(self.extra["floor_rps"])
            return floor_rps / rps if rps > 0 else math.inf
        return self.ms / self.floor_ms if self.floor_ms > 0 else math.inf

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "op": self.op,
            "ms": round(self.ms, 4),
            "floor_ms": round(self.floor_ms, 4),
            "ratio": round(self.ratio, 3),
            "target": self.target,
            "section": self.section,
            "label": self.label,
            "met": self.met,
        }
        if self.p99_ms is not None:
            out["p99_ms"] = round(self.p99_ms, 4)
        if self.floor_p99_ms is not None:
            out["floor_p99_ms"] = round(self.floor_p99_ms, 4)
        if self.runs is not None:
            out["runs"] = self.runs
        for key, value in self.extra.items():
            out[key] = round(value, 2) if isinstance(value, float) else value
        return out


def machine_info() -> dict[str, Any]:
    """What the figures were measured on: cores, CPU model, Python and platform."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count() or 0,
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


@dataclass
class Report:
    """Everything one run measured."""

    scale: str
    database: str
    server: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=machine_info)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def finish(self) -> None:
        """Note how busy the machine was: other processes on the same cores make every figure slower."""
        self.machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    def as_json(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "database": self.database,
            "server": self.server,
            "machine": self.machine,
            "rows": [r.as_json() for r in self.rows],
            "notes": self.notes,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n")


def _fmt_ms(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _figure(row: Row, *, floor: bool) -> str:
    """The figure of one side: throughput where there is one, else median (p99) milliseconds."""
    for key, unit in (("rps", "req/s"), ("rows_per_s", "rows/s"), ("customers_per_s", "cust/s")):
        name = f"floor_{key}" if floor else key
        if name in row.extra:
            value = float(row.extra[name])
            lat = row.floor_ms if floor else row.ms
            tail = row.floor_p99_ms if floor else row.p99_ms
            suffix = f" ({_fmt_ms(lat)}/{_fmt_ms(tail)} ms)" if key == "rps" else ""
            return f"{value:,.0f} {unit}{suffix}"
    med, tail = (row.floor_ms, row.floor_p99_ms) if floor else (row.ms, row.p99_ms)
    return f"{_fmt_ms(med)} ({_fmt_ms(tail)})" if tail is not None else _fmt_ms(med)


def render_table(report: Report, console: Console) -> None:
    """Print the readable table: operation, partnerhub, floor, ratio, target (✓ met, ✗ missed)."""
    m = report.machine
    title = (
        f"partnerhub bench — scale {report.scale}, {report.database} ({report.server}); "
        f"{m['cores']} cores, {m['cpu']}, Python {m['python']}; load average "
        f"{m['load_average_at_start'][0]:.1f} at start, {m.get('load_average_at_end', [0.0])[0]:.1f} at end"
    )
    table = Table(title=title, header_style="bold", caption="ms as median (p99); HTTP as rps (p50/p99 ms)")
    for col, justify in (
        ("operation", "left"),
        ("partnerhub", "right"),
        ("floor", "right"),
        ("ratio", "right"),
        ("target", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    section = ""
    for row in report.rows:
        if row.section != section:
            section = row.section
            table.add_row(f"[bold]{section}[/]", "", "", "", "")
        mark = "" if row.met is None else (" ✓" if row.met else " ✗")
        ratio = f"{row.ratio:.2f}x" if math.isfinite(row.ratio) else "-"
        table.add_row("  " + row.label, _figure(row, floor=False), _figure(row, floor=True), ratio, row.target + mark)
    if not console.is_terminal:
        cols = os.environ.get("COLUMNS", "")
        # piped: one row per line, never folded (a small COLUMNS inherited from a terminal would fold it)
        console.width = max(int(cols), 170) if cols.isdigit() else 170
    console.print(table)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, markup=False)  # notes quote answers: [..] is text
