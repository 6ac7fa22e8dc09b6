"""The ASGI application: liveness, readiness against a real database, and the job worker it starts."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from partnerhub.auth.actor import Actor
from partnerhub.db import create_db_engine, transaction
from partnerhub.http.app import create_app
from partnerhub.invitations.jobs import EXPIRE_INVITATIONS
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import enqueue
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings

_opened: list[Runtime] = []


def _runtime(url: str, tmp_path: Path) -> Runtime:
    rt = Runtime(Settings(database_url=url, data_dir=tmp_path))
    _opened.append(rt)
    return rt


@pytest.fixture(autouse=True)
def _dispose_runtimes() -> Iterator[None]:
    """Each app's own engine is closed after its test (no connection is left to the garbage collector)."""
    yield
    while _opened:
        _opened.pop().engine.dispose()


def test_healthz_and_readyz_on_a_migrated_database(fresh_engine: Engine, tmp_path: Path) -> None:
    app = create_app(_runtime(fresh_engine.url.render_as_string(hide_password=False), tmp_path), start_worker=False)
    with TestClient(app) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ok", "database": "ok"}


def test_readyz_says_when_the_database_is_not_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    create_db_engine(url).dispose()
    app = create_app(_runtime(url, tmp_path), start_worker=False)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "not migrated"


def test_readyz_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(_runtime("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path), start_worker=False)
    with TestClient(app) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "unreachable"


def test_the_service_resumes_unfinished_jobs_when_it_starts(fresh_engine: Engine, tmp_path: Path) -> None:
    with transaction(fresh_engine) as s:
        job_id = enqueue(s, Actor.system(), kind=EXPIRE_INVITATIONS, payload={}).id
    app = create_app(_runtime(fresh_engine.url.render_as_string(hide_password=False), tmp_path))
    with TestClient(app):
        deadline = time.monotonic() + 30
        status = "queued"
        while time.monotonic() < deadline and status != "succeeded":
            with transaction(fresh_engine) as s:
                job = s.get(Job, job_id)
                assert job is not None
                status = job.status
            time.sleep(0.05)
    assert status == "succeeded"


def test_every_answer_says_nosniff_api_static_and_health(tmp_path: Path) -> None:
    runtime = Runtime(
        Settings(database_url=f"sqlite:///{tmp_path / 'nosniff.db'}", data_dir=tmp_path, secret_key="test")
    )
    with TestClient(create_app(runtime, start_worker=False)) as client:
        for path in ("/v1/customers", "/static/app.css", "/healthz", "/no-such-page"):
            assert client.get(path).headers.get("x-content-type-options") == "nosniff", path
    runtime.dispose()


def test_a_new_sqlite_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private" / "partnerhub.db"
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
