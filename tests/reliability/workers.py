"""Code the reliability checks run in child processes: a pool of 'spawn' workers that start each race together."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email
from partnerhub.db import create_db_engine, transaction
from partnerhub.delegated_admin.gdap import approve_admin_relationship
from partnerhub.errors import DomainError
from partnerhub.invitations.service import accept_invitation
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship

PROCESSES = 4
BARRIER_SECONDS = 120

_barrier: Any = None
_engines: dict[str, Engine] = {}
_clients: dict[str, Any] = {}


@dataclass(frozen=True)
class Task:
    """One operation for one worker: `op` names a function of OPERATIONS, run on the database at `url`."""

    url: str
    op: str
    args: dict[str, Any] = field(default_factory=dict)


def _init(barrier: Any) -> None:
    global _barrier
    _barrier = barrier
    logging.disable(logging.INFO)  # no request log lines from the workers' apps


def _engine(url: str) -> Engine:
    if url not in _engines:
        _engines[url] = create_db_engine(url)
    return _engines[url]


def _as(engine: Engine, email: str, call: Callable[[Session, Actor], object]) -> str:
    with transaction(engine) as session:
        call(session, actor_for_email(session, email))
    return "ok"


def order(
    engine: Engine,
    *,
    email: str,
    customer_id: str,
    offer_id: str,
    parent_id: str | None = None,
    reseller_mpn_id: str | None = None,
) -> str:
    line = LineItemInput(
        offer_id=offer_id, quantity=1, parent_subscription_id=parent_id, partner_id_on_record=reseller_mpn_id
    )
    return _as(engine, email, lambda s, a: create_order(s, a, customer_id=customer_id, line_items=[line]))


def set_status(engine: Engine, *, email: str, customer_id: str, subscription_id: str, status: str) -> str:
    change = SubscriptionChange(status=status)
    return _as(
        engine,
        email,
        lambda s, a: update_subscription(s, a, customer_id=customer_id, subscription_id=subscription_id, change=change),
    )


def remove(engine: Engine, *, email: str, customer_id: str) -> str:
    return _as(engine, email, lambda s, a: remove_reseller_relationship(s, a, customer_id=customer_id))


def accept(engine: Engine, *, email: str, code: str) -> str:
    return _as(engine, email, lambda s, a: accept_invitation(s, a, code=code))


def approve_gdap(engine: Engine, *, email: str, admin_relationship_id: str) -> str:
    return _as(
        engine, email, lambda s, a: approve_admin_relationship(s, a, admin_relationship_id=admin_relationship_id)
    )


def http(engine: Engine, *, method: str, path: str, token: str, json: Any, headers: dict[str, str]) -> str:
    """A request to the HTTP API of an app over the same database (one app per worker process)."""
    url = engine.url.render_as_string(hide_password=False)
    if url not in _clients:
        from fastapi.testclient import TestClient

        from partnerhub.http.app import create_app
        from partnerhub.runtime import Runtime
        from partnerhub.settings import Settings

        settings = Settings(
            database_url=url,
            data_dir=Path(tempfile.mkdtemp(prefix="ph-worker-")),
            secret_key="test",
            base_url="https://partnerhub.example",
            rate_limit_per_minute=1_000_000,
        )
        client = TestClient(create_app(Runtime(settings), start_worker=False))
        client.__enter__()
        _clients[url] = client
    answer = _clients[url].request(method, path, json=json, headers={"Authorization": f"Bearer {token}", **headers})
    body = answer.json()
    return f"{answer.status_code} {body.get('id') or body.get('code')}"


def scheduler(engine: Engine, *, rounds: int, also_enqueue: list[str]) -> str:
    """What a server's job worker does, `rounds` times: enqueue the due periodic jobs, then run what is
    queued; `also_enqueue` adds jobs of those kinds first (as if several schedulers fired at once)."""
    from partnerhub.jobs.runner import default_worker_id, enqueue, run_pending, schedule_due_jobs

    ran = 0
    for _ in range(rounds):
        with transaction(engine) as session:
            for kind in also_enqueue:
                enqueue(session, Actor.system("scheduler"), kind=kind, payload={})
        schedule_due_jobs(engine)
        ran += run_pending(engine, worker_id=default_worker_id())
    return f"ok ran={ran}"


OPERATIONS: dict[str, Callable[..., str]] = {
    f.__name__: f for f in (order, set_status, remove, accept, approve_gdap, http, scheduler)
}


def run_task(task: Task) -> str:
    """Wait for the other workers, then run the task: 'ok', a domain error's class name, or 'ERROR ...'
    for anything unexpected (which the checks count as a failure)."""
    engine = _engine(task.url)
    fn = OPERATIONS[task.op]
    _barrier.wait(BARRIER_SECONDS)
    try:
        return fn(engine, **task.args)
    except DomainError as exc:
        return type(exc).__name__
    except Exception as exc:  # reported, never swallowed: the caller asserts no ERROR outcome
        return f"ERROR {type(exc).__name__}: {str(exc)[:300]}"


class RacePool:
    """PROCESSES worker processes; `race(tasks)` runs exactly PROCESSES tasks, one per process, all released
    at the same instant by a barrier."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(PROCESSES)
        self.executor = ProcessPoolExecutor(PROCESSES, mp_context=context, initializer=_init, initargs=(self.barrier,))
        self.lock = threading.Lock()

    def race(self, tasks: list[Task]) -> list[str]:
        assert len(tasks) == PROCESSES, "one task per worker process"
        with self.lock:
            futures = [self.executor.submit(run_task, t) for t in tasks]
            return [f.result(timeout=BARRIER_SECONDS * 2) for f in futures]

    def close(self) -> None:
        self.executor.shutdown(cancel_futures=True)


_shared: list[RacePool] = []


def shared_pool() -> RacePool:
    """The one pool of this test process (started on first use, stopped at exit): spawning workers and
    importing the app in them costs seconds, paid once for every check."""
    if not _shared:
        _shared.append(RacePool())
        atexit.register(_shared[0].close)
    return _shared[0]
