"""`partnerhub bench`: a benchmark on its own scratch database that prints partnerhub's figures beside their
floors (the same work by hand-written SQL, or a bare ASGI app), with the targets of issue 11."""

from partnerhub.bench.report import Report, Row, render_table
from partnerhub.bench.runner import SCALES, BenchConfig, run_bench

__all__ = ["SCALES", "BenchConfig", "Report", "Row", "render_table", "run_bench"]
