"""The request threads: every API route and page runs its whole unit of work in one of them, handed over from
the event loop once (one thread hop per request), through a plain executor rather than a per-call
capacity limiter."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from partnerhub.db.engine import POOL_SIZE

_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    """One pool per process, as many threads as the database pool keeps connections (`db.engine.POOL_SIZE`):
    a request thread never waits for a connection, and no overflow connection opens and closes under load."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="partnerhub-request")
    return _executor


class UnitOfWorkContext(Protocol):
    def run(self, route: Callable[..., Any], arguments: dict[str, Any]) -> Any: ...


def in_request_thread(route: Callable[..., Any], context_type: type[Any]) -> Callable[..., Any]:
    """`route` (a plain function) run by its request's context (`context_type`, found among its arguments)
    in one request thread. FastAPI sees the same signature; the wrapper is a coroutine, so FastAPI adds no
    thread hop of its own."""
    if inspect.iscoroutinefunction(route):
        raise TypeError(f"{route.__name__}: routes are plain functions, run in their request's unit of work")

    @functools.wraps(route)
    async def run(**arguments: Any) -> Any:
        ctx: UnitOfWorkContext | None = next((v for v in arguments.values() if isinstance(v, context_type)), None)
        call: Callable[[], Any] = (
            functools.partial(route, **arguments) if ctx is None else functools.partial(ctx.run, route, arguments)
        )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor(), contextvars.copy_context().run, call)

    run.in_unit_of_work = True  # type: ignore[attr-defined]
    return run


def wrapped_once(route: Callable[..., Any], context_type: type[Any]) -> Callable[..., Any]:
    """`in_request_thread`, unless `route` is already wrapped (a router included in another copies its
    routes, endpoint and all)."""
    return route if getattr(route, "in_unit_of_work", False) else in_request_thread(route, context_type)
