"""Engines and units of work. `unit_of_work()` (and its two names, `transaction()` and `read_session()`) is
the only place in the code base that commits."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session


def is_sqlite(bind: Engine | Session) -> bool:
    engine = bind if isinstance(bind, Engine) else bind.get_bind()
    return engine.dialect.name == "sqlite"


# Connections a process keeps open: one per request thread (see `partnerhub.http.app`), plus a few for the job
# worker and the scheduler. A pool smaller than the threads that use it makes the overflow connections open
# and close under load, and with them every SQLite PRAGMA and every PostgreSQL handshake.
POOL_SIZE = 24
POOL_OVERFLOW = 8
RECYCLE_SECONDS = 1800


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`. SQLite gets WAL, foreign keys, a busy timeout and write locks taken up front.

    No ping round trip on checkout: a connection that broke (server restart, network cut) fails the one
    statement that finds out, SQLAlchemy then invalidates every connection of the pool opened before that
    moment, and the next unit of work connects afresh. Failed statements never log their parameters (they
    can hold password hashes, token hashes and e-mail addresses)."""
    parsed = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():  # readable by its owner only, like the secret key (SQLite's WAL and
                # shared-memory files take the database file's permissions)
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_OVERFLOW)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    kwargs.setdefault("pool_recycle", RECYCLE_SECONDS)
    # A silent network partition must become a clear "database unavailable" within seconds, never a request
    # that hangs: libpq's connect timeout, TCP keepalives and a TCP user timeout bound every wait.
    connect_args: dict[str, Any] = {
        "connect_timeout": 5,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 15000,
    }
    connect_args.update({k: v for k, v in parsed.query.items() if k in connect_args})
    connect_args.update(kwargs.pop("connect_args", {}))
    return create_engine(url, connect_args=connect_args, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling is switched off so that we can emit BEGIN IMMEDIATE ourselves:
    # a writer takes the database lock before it reads, so check-then-write can never interleave.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


@event.listens_for(Session, "do_orm_execute")
def _locked_rows_are_read_fresh(state: ORMExecuteState) -> None:
    """A row locked with FOR UPDATE is read as it is now, even if the session loaded it before the lock: the
    identity map would otherwise keep the stale values and a check made after the lock would use them."""
    if state.is_select and getattr(state.statement, "_for_update_arg", None) is not None:
        state.update_execution_options(populate_existing=True)


def _read_bind(engine: Engine) -> Engine:
    """The engine with SQLite's deferred BEGIN (a reader never takes the write lock), made once per engine."""
    bind: Engine | None = getattr(engine, "_partnerhub_read_bind", None)
    if bind is None:
        bind = engine.execution_options(sqlite_begin="DEFERRED")
        engine._partnerhub_read_bind = bind  # type: ignore[attr-defined]
    return bind


WRITER_WAIT_SECONDS = 30  # as long as SQLite's own busy timeout


@contextmanager
def _sqlite_writer_turn(engine: Engine) -> Iterator[None]:
    """SQLite has one writer at a time. The writers of this process wait for their turn here, in line,
    rather than in SQLite's busy handler, which sleeps up to 100 ms between retries whatever happens
    meanwhile (the source of multi-second tails under concurrent writes). Reentrant: a thread never waits
    for itself. Writers of other processes still meet in SQLite's busy handler."""
    lock: threading.RLock | None = getattr(engine, "_partnerhub_writer_lock", None)
    if lock is None:
        with _LOCK_OF_LOCKS:
            lock = getattr(engine, "_partnerhub_writer_lock", None) or threading.RLock()
            engine._partnerhub_writer_lock = lock  # type: ignore[attr-defined]
    if not lock.acquire(timeout=WRITER_WAIT_SECONDS):
        raise OperationalError("BEGIN IMMEDIATE", {}, TimeoutError("database is locked"))
    try:
        yield
    finally:
        lock.release()


_LOCK_OF_LOCKS = threading.Lock()


@contextmanager
def unit_of_work(bind: Engine | Connection, *, write: bool = True) -> Iterator[Session]:
    """One unit of work: a session in one transaction that commits if the block succeeds and rolls back
    otherwise. Services never commit. A reader (`write=False`) does not take SQLite's write lock; a writer
    takes it up front, so that check-then-write cannot interleave (and, on SQLite, waits its turn among this
    process's writers first).

    Given a Connection already in a transaction (the tests), the unit of work is a savepoint on it."""
    if isinstance(bind, Connection):
        session = Session(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
        with session, session.begin():
            yield session
        return
    turn = _sqlite_writer_turn(bind) if write and bind.dialect.name == "sqlite" else nullcontext()
    session = Session(bind=bind if write else _read_bind(bind), expire_on_commit=False)
    with turn, session, session.begin():
        yield session


@contextmanager
def transaction(engine: Engine | Connection) -> Iterator[Session]:
    """A writing unit of work (see `unit_of_work`)."""
    with unit_of_work(engine, write=True) as session:
        yield session


@contextmanager
def read_session(engine: Engine | Connection) -> Iterator[Session]:
    """A reading unit of work: on SQLite it does not take the write lock (see `unit_of_work`)."""
    with unit_of_work(engine, write=False) as session:
        yield session
