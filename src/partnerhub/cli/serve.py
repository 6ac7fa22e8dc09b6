"""`partnerhub serve`: the web service (API, dashboard, and by default the job worker and the webhook
dispatcher); `partnerhub worker`: the job worker, the scheduler and the webhook dispatcher without HTTP."""

from __future__ import annotations

import os
import signal
import threading
from typing import Annotated

import typer

from partnerhub.cli.acting import runtime
from partnerhub.migrations import current_revision, upgrade


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker", help="Run no jobs, scheduler or webhook dispatcher here: `partnerhub worker` runs them."
        ),
    ] = False,
) -> None:
    """Run the web service (health checks /healthz and /readyz; job worker and webhook dispatcher inside)."""
    import uvicorn

    workers = workers or os.cpu_count() or 1

    rt = runtime()
    if current_revision(rt.engine) is None:
        upgrade(rt.engine)
    # the worker processes read their settings from the environment: where this one listens, and whether
    # they run the background work
    os.environ.setdefault("PARTNERHUB_SERVING_URL", f"http://{host}:{port}")
    if no_worker:
        os.environ["PARTNERHUB_RUN_WORKER"] = "false"
    uvicorn.run(
        "partnerhub.http.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # partnerhub logs each request itself (ids, tenant, duration; PARTNERHUB_LOG_FORMAT)
        # uvicorn would believe X-Forwarded-For from 127.0.0.1: the app itself believes it only from the proxies
        # PARTNERHUB_TRUSTED_PROXIES names (partnerhub.http.client_address), under any server
        proxy_headers=False,
    )


def worker() -> None:
    """Run jobs, the scheduler and the webhook dispatcher without HTTP, until stopped (Ctrl-C or SIGTERM):
    for deployments with several nodes, beside `serve --no-worker`."""
    from partnerhub.jobs.registry import REGISTRY
    from partnerhub.jobs.runner import Worker
    from partnerhub.webhooks.dispatcher import Dispatcher
    from partnerhub.webhooks.service import WebhookConfig

    rt = runtime()
    if current_revision(rt.engine) is None:
        upgrade(rt.engine)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    jobs = Worker(rt.engine, REGISTRY, lease_seconds=rt.settings.job_lease_seconds)
    dispatcher = Dispatcher(
        rt.engine, WebhookConfig.from_settings(rt.settings), lease_seconds=rt.settings.webhook_lease_seconds
    )
    jobs.start()
    dispatcher.start()
    typer.echo("partnerhub worker: running jobs, the scheduler and the webhook dispatcher (Ctrl-C stops)")
    stop.wait()
    jobs.stop()
    dispatcher.stop()
    jobs.join(timeout=30)
    dispatcher.join(timeout=20)
