"""The benchmark run: scratch database, data generation against its floor, in-process operations, growth,
HTTP load against the bare ASGI floor; returns the Report (and always drops what it created)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine, text

from partnerhub.auth.service import create_token
from partnerhub.bench.gdap_bulk import gdap_bulk_request_row
from partnerhub.bench.http_load import Server, Workload, run_builtin, start_floor, start_partnerhub
from partnerhub.bench.operations import IN_PROCESS_LIMITS, Operations, Runs, pair_row
from partnerhub.bench.portfolio import (
    CustomerRef,
    Portfolio,
    PortfolioShape,
    World,
    build_world,
    fresh_salt,
    now_utc,
)
from partnerhub.bench.rawdb import RawDb
from partnerhub.bench.report import Report, Row
from partnerhub.bench.scratch import DEFAULT_PG_ADMIN_DSN, ScratchServer
from partnerhub.bench.sinks import PlainSink, load_offers, model_sink
from partnerhub.bench.webhooks import webhook_rows
from partnerhub.bench.wrk_load import WrkResult, run_wrk, wrk_path, wrk_version
from partnerhub.db import transaction


@dataclass(frozen=True)
class Scale:
    name: str
    shape: PortfolioShape
    runs: Runs
    http_seconds: float
    http_max_requests: int
    http_connections: int


SCALES = {
    "tiny": Scale(
        "tiny",
        PortfolioShape(30, 3, 10, growth=(3, 10)),
        Runs(reads=15, writes=8, removals=5, offboard={10: 3, 100: 2, 1000: 1}, bulk_customers=20, warmup=2),
        http_seconds=1.0,
        http_max_requests=3_000,
        http_connections=8,
    ),
    "small": Scale(
        "small",
        PortfolioShape(10_000, 100, 100, growth=(100, 1_000)),
        Runs(reads=300, writes=100, removals=50, offboard={10: 30, 100: 10, 1000: 3}, bulk_customers=1000),
        http_seconds=5.0,
        http_max_requests=100_000,
        http_connections=32,
    ),
    "large": Scale(
        "large",
        PortfolioShape(100_000, 1000, 100, growth=(1_000, 10_000)),
        Runs(reads=300, writes=100, removals=50, offboard={10: 30, 100: 10, 1000: 5}, bulk_customers=1000),
        http_seconds=10.0,
        http_max_requests=200_000,
        http_connections=32,
    ),
}
# The targets of issue 11 (goals printed beside each row, not gates). HTTP: partnerhub's throughput within
# these ratios of the bare ASGI floor's, and its p99 within HTTP_P99_RATIO of the floor's p99.
HTTP_RATIOS = {"reads": 1.5, "writes": 2.0, "mixed": 2.0}
HTTP_P99_RATIO = 2.0
WEBHOOK_EVENTS = {
    "tiny": {"latency_events": 10, "burst_events": 50},
    "small": {"latency_events": 100, "burst_events": 1000},
    "large": {"latency_events": 200, "burst_events": 2000},
}
GENERATION_RATIO = 3.0
LOAD_ENV = "PARTNERHUB_BENCH_LOAD"
WRK_THREADS = 1 if (os.cpu_count() or 1) <= 2 else 2  # the rest of the cores go to the server under test


@dataclass
class BenchConfig:
    scale: str = "tiny"
    database: str = "sqlite"
    pg_admin_dsn: str = DEFAULT_PG_ADMIN_DSN
    http: bool = True
    growth: bool = True
    load: str = field(default_factory=lambda: os.environ.get(LOAD_ENV, "auto"))  # auto | wrk | builtin
    on_step: Callable[[str], None] = field(default=lambda _msg: None)


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics after the bulk load (what autovacuum would do shortly after)."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def generate(
    server: ScratchServer, main: str, engine: Engine, shape: PortfolioShape, report: Report, step: Callable[[str], None]
) -> tuple[Portfolio, World]:
    """Build the world through the model path, then the same rows through plain SQL into a sibling database."""
    floor_db = server.copy_of(main)
    offers = load_offers(engine)
    salt, now = fresh_salt(), now_utc()
    gen = Portfolio(offers, model_sink(engine), salt=salt, now=now)
    step("generating the portfolio (bulk path)")
    started = time.perf_counter()
    world = build_world(gen, shape)
    seconds = time.perf_counter() - started
    rows = gen.rows_written
    step("loading the same rows with plain bulk SQL (floor)")
    raw = RawDb(server.backend, server.dbapi_target(floor_db))
    try:
        sink = PlainSink(raw)
        twin = Portfolio(offers, sink, salt=salt, now=now)
        twin.password_hash = gen.password_hash
        build_world(twin, shape)
    finally:
        raw.close()
        server.drop(floor_db)
    row = Row(
        "generate",
        f"generate portfolio: {rows:,} rows",
        seconds * 1000,
        sink.seconds * 1000,
        f"≤{GENERATION_RATIO:g}x floor",
        runs=1,
        section="data",
        extra={"rows": rows, "rows_per_s": rows / seconds, "floor_rows_per_s": rows / sink.seconds},
    )
    row.met = row.ratio <= GENERATION_RATIO
    report.add(row)
    _analyze(engine)
    return gen, world


def growth(ops: Operations, world: World, report: Report, step: Callable[[str], None]) -> None:
    """List, get and remove at each portfolio size: the figures must stay flat as the portfolio grows."""
    levels = [*world.growth, world.provider]
    measured: list[tuple[int, dict[str, tuple[list[float], list[float]]]]] = []
    n = ops.runs.reads + ops.runs.warmup
    for partner in levels:
        size = len(partner.customers)
        step(f"growth: {size:,} customers")
        actor, floors = ops.actor_of(partner), ops.floors_of(partner)
        customers: list[CustomerRef] = (
            ops.take(n)
            if partner is world.provider
            else [partner.customers[i % len(partner.customers)] for i in range(n)]
        )
        measured.append(
            (
                size,
                {
                    "list": ops.list_page(100, deep=False, actor=actor, floors=floors),
                    "get": ops.get_customer(customers, actor=actor, floors=floors),
                    "remove": ops.remove(partner),
                },
            )
        )
    base_size, base = measured[0]
    labels = {"list": "customer list, first page of 100", "get": "get one customer", "remove": "remove relationship"}
    for size, figures in measured:
        for key, (ph, _floor) in figures.items():
            row = pair_row(
                f"growth_{key}_{size}",
                f"{labels[key]} @ {size:,} customers",
                ph,
                base[key][0],
                target=f"≤1.2x @ {base_size:,}, p99<10ms",
                limit=1.2,
                p99_limit_ms=10.0,
                section="growth (floor = same operation at the smallest portfolio)",
            )
            row.floor_p99_ms = None
            report.add(row)


def _http_rows(
    report: Report, ph: dict[str, tuple[float, float, float]], fl: dict[str, tuple[float, float, float]]
) -> None:
    labels = {
        "reads": "HTTP reads (list 100 / get / subscriptions)",
        "writes": "HTTP writes (PATCH suspend/reactivate)",
        "mixed": "HTTP mixed (80% reads, 20% writes)",
    }
    for phase, limit in HTTP_RATIOS.items():
        rps, p50, p99 = ph[phase]
        frps, fp50, fp99 = fl[phase]
        row = Row(
            f"http_{phase}",
            labels[phase],
            p50,
            fp50,
            f"≤{limit:g}x floor, p99 ≤{HTTP_P99_RATIO:g}x floor's",
            p99_ms=p99,
            floor_p99_ms=fp99,
            section="HTTP (partnerhub serve vs bare ASGI + same SQL)",
            extra={"rps": rps, "floor_rps": frps},
        )
        row.met = row.ratio <= limit and p99 <= HTTP_P99_RATIO * fp99
        report.add(row)


class PhaseResult(Protocol):
    errors: int
    first_error: str

    def rps(self) -> float: ...
    def p50_ms(self) -> float: ...
    def p99_ms(self) -> float: ...


def choose_load(setting: str) -> tuple[str, str]:
    """Which load generator drives the HTTP phases ("wrk" or "builtin") and why, from PARTNERHUB_BENCH_LOAD:
    auto (the default: wrk when it is on PATH), wrk or builtin."""
    setting = (setting or "auto").strip().lower()
    if setting not in ("auto", "wrk", "builtin"):
        raise ValueError(f"{LOAD_ENV} must be auto, wrk or builtin, not {setting!r}")
    if setting == "builtin":
        return "builtin", f"{LOAD_ENV}=builtin"
    if wrk_path() is not None:
        return "wrk", "on PATH"
    if setting == "wrk":
        raise RuntimeError(f"wrk is not on PATH ({LOAD_ENV}=wrk); install Debian's package: apt-get install wrk")
    return "builtin", "wrk is not on PATH"


def http(
    server: ScratchServer,
    main: str,
    ops: Operations,
    scale: Scale,
    report: Report,
    step: Callable[[str], None],
    load: str = "auto",
) -> None:
    """Throughput and latency of `partnerhub serve` and of the bare ASGI floor on the same data."""
    generator, why = choose_load(load)
    with transaction(ops.engine) as session:
        token = create_token(session, ops.actor, expires_days=1, name="bench").token
    readers = tuple(c.id for c in ops.take(200))
    conns = scale.http_connections

    def workload(write_share: int) -> Workload:
        subs = ops.fixtures(ops.partner, conns, 1, "active")  # fresh ones: each connection its own, active
        return Workload(token, readers, tuple((c.id, c.subscription_ids[0]) for c in subs), write_share)

    def drive(port: int, work: Workload, seconds: float, max_requests: int, name: str) -> PhaseResult:
        if generator == "wrk":
            return run_wrk(
                port, work, connections=conns, seconds=seconds, threads=WRK_THREADS, scratch=server.tmp, name=name
            )
        return run_builtin(port, work, connections=conns, seconds=seconds, max_requests=max_requests)

    results: dict[str, dict[str, tuple[float, float, float]]] = {}
    for who in ("partnerhub", "floor"):
        step(f"HTTP: starting {who} server")
        srv: Server = (
            start_partnerhub(server.url_of(main), server.tmp)
            if who == "partnerhub"
            else start_floor(server.backend, server.dbapi_target(main), server.tmp)
        )
        try:
            out: dict[str, tuple[float, float, float]] = {}
            for phase, share in (("reads", 0), ("writes", 10), ("mixed", 2)):
                drive(
                    srv.port,
                    workload(share),
                    min(1.0, scale.http_seconds / 4),
                    scale.http_max_requests // 10,
                    f"{who}-{phase}-warmup",
                )  # warm-up, not counted
                step(f"HTTP: {who} {phase} ({generator})")
                res = drive(srv.port, workload(share), scale.http_seconds, scale.http_max_requests, f"{who}-{phase}")
                if res.errors:
                    report.notes.append(f"HTTP {who} {phase}: {res.errors} non-2xx answers, first: {res.first_error}")
                if isinstance(res, WrkResult) and (res.socket_errors or res.timeouts or res.shared):
                    report.notes.append(
                        f"HTTP {who} {phase}: wrk saw {res.socket_errors} socket errors, "
                        f"{res.timeouts} timeouts, {res.shared} writes on a subscription still in "
                        "flight (its answer was not recognised)"
                    )
                out[phase] = (res.rps(), res.p50_ms(), res.p99_ms())
            results[who] = out
        finally:
            srv.stop()
    _http_rows(report, results["partnerhub"], results["floor"])
    server_note = (
        f"partnerhub serve with its default workers (one per core: {os.cpu_count() or 1}) and "
        "PARTNERHUB_RATE_LIMIT_PER_MINUTE=0"
    )
    if generator == "wrk":
        report.notes.append(
            f"HTTP load: {wrk_version()} ({why}), {WRK_THREADS} thread{'s' if WRK_THREADS > 1 else ''} "
            f"(the servers under test need the cores), {conns} keep-alive connections, "
            f"{max(1, round(scale.http_seconds))} s per phase after a 1 s warm-up, Lua script generated per run; "
            f"latency is every answer's, req/s counts 2xx answers only; on 127.0.0.1; {server_note}"
        )
    else:
        report.notes.append(
            f"HTTP load: built-in asyncio load generator ({why}), {conns} keep-alive connections, "
            f"{scale.http_seconds:g} s or {scale.http_max_requests:,} requests per phase, on 127.0.0.1; {server_note}"
        )


def run_bench(config: BenchConfig) -> Report:
    """Run the whole benchmark on a scratch database and return the report; the scratch databases are
    dropped whatever happens."""
    scale = SCALES[config.scale]
    if config.http:
        choose_load(config.load)  # a wrong PARTNERHUB_BENCH_LOAD fails now, not after the data is built
    server = ScratchServer(config.database, pg_admin_dsn=config.pg_admin_dsn)
    report = Report(scale.name, config.database, server="(scratch)")
    step = config.on_step
    engine: Engine | None = None
    raw: RawDb | None = None
    try:
        step("creating and migrating the scratch database")
        main = server.create_migrated()
        report.server = main if config.database == "postgresql" else "temporary SQLite file"
        engine = server.engine(main)
        gen, world = generate(server, main, engine, scale.shape, report, step)
        raw = RawDb(server.backend, server.dbapi_target(main))
        ops = Operations(
            engine,
            raw,
            gen,
            world.provider,
            scale.runs,
            big_portfolio=scale.name == "large",
            limit=IN_PROCESS_LIMITS[config.database],
        )
        for row in ops.run_all(step):
            report.add(row)
        step(f"GDAP: request from a template for {scale.runs.bulk_customers} customers")
        report.add(gdap_bulk_request_row(ops, scale.runs.bulk_customers))
        for row in webhook_rows(engine, step=step, **WEBHOOK_EVENTS[scale.name]):
            report.add(row)
        if config.growth:
            growth(ops, world, report, step)
        if config.http:
            http(server, main, ops, scale, report, step, config.load)
    finally:
        if raw is not None:
            raw.close()
        if engine is not None:
            engine.dispose()
        server.cleanup()
        report.finish()
    return report
