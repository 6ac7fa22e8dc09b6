"""`partnerhub serve`: the web service (API, dashboard, job worker)."""

from __future__ import annotations

from typing import Annotated

import typer

from partnerhub.cli.acting import runtime
from partnerhub.migrations import current_revision, upgrade


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
) -> None:
    """Run the web service (health checks /healthz and /readyz; job worker inside)."""
    import os

    import uvicorn

    workers = workers or os.cpu_count() or 1

    rt = runtime()
    if current_revision(rt.engine) is None:
        upgrade(rt.engine)
    uvicorn.run(
        "partnerhub.http.app:app_factory", factory=True, host=host, port=port, workers=workers, log_level="info",
        access_log=False,  # partnerhub logs each request itself (ids, tenant, duration; PARTNERHUB_LOG_FORMAT)
        # uvicorn would believe X-Forwarded-For from 127.0.0.1: the app itself believes it only from the proxies
        # PARTNERHUB_TRUSTED_PROXIES names (partnerhub.http.client_address), under any server
        proxy_headers=False,
    )
