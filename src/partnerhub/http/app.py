"""The ASGI application: the /v1 JSON API, the web dashboard, /healthz (liveness), /readyz (database reachable
and migrated), the job worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from partnerhub import __version__
from partnerhub.db.engine import POOL_SIZE
from partnerhub.http.api import mount_api
from partnerhub.http.api.logging import install_request_log
from partnerhub.http.client_address import TrustedProxies
from partnerhub.http.docs import mount_docs
from partnerhub.http.web import mount_web
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import Worker
from partnerhub.migrations import is_up_to_date
from partnerhub.runtime import Runtime
from partnerhub.webhooks.dispatcher import Dispatcher
from partnerhub.webhooks.service import WebhookConfig


def create_app(runtime: Runtime | None = None, *, start_worker: bool = True) -> FastAPI:
    rt = runtime or Runtime.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Each request runs in one worker thread holding one pooled connection for its whole unit of work:
        # as many threads as the pool keeps connections, so that no request waits on the pool or opens
        # (and closes) an overflow connection under load.
        to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
        background = start_worker and rt.settings.run_worker  # `serve --no-worker` leaves them to `partnerhub worker`
        worker = Worker(rt.engine, REGISTRY, lease_seconds=rt.settings.job_lease_seconds) if background else None
        dispatcher = (
            Dispatcher(
                rt.engine, WebhookConfig.from_settings(rt.settings), lease_seconds=rt.settings.webhook_lease_seconds
            )
            if background
            else None
        )
        if worker and dispatcher:
            worker.start()  # resumes any unfinished job left by a previous process
            dispatcher.start()  # sends what the outbox holds, and then every event within a second of its commit
        yield
        if worker and dispatcher:
            worker.stop()
            dispatcher.stop()
            worker.join(timeout=30)  # a job in progress checkpoints; an unfinished one resumes at next start
            dispatcher.join(timeout=20)  # a delivery cut short is sent again (same webhook-id) by the next one

    app = FastAPI(title="partnerhub", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = rt
    mount_api(app, rt)
    mount_docs(app)  # Swagger UI from the installed package: /docs works offline
    mount_web(app, rt)
    install_request_log()  # the request envelope writes one line per request
    if rt.settings.trusted_proxy_networks:  # outermost: every part of the app sees the client's own address
        app.add_middleware(TrustedProxies, proxies=rt.settings.trusted_proxy_networks)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["health"], response_model=None)
    def readyz() -> JSONResponse:
        """Readiness: the database answers and is migrated to the code's schema."""
        try:
            with rt.unit_of_work(write=False) as session:  # one reading transaction, like any request
                session.execute(text("SELECT 1"))
                migrated = is_up_to_date(session.connection())
        except Exception as exc:
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable", "detail": type(exc).__name__}, status_code=503
            )
        if not migrated:
            return JSONResponse({"status": "unavailable", "database": "not migrated"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app


def app_factory() -> FastAPI:
    """Entry for `uvicorn --factory` (used by `partnerhub serve` with several workers)."""
    return create_app()
