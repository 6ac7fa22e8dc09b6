"""Engines and transactions. `transaction()` is the only place in the code base that commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session


def is_sqlite(bind: Engine | Session) -> bool:
    engine = bind if isinstance(bind, Engine) else bind.get_bind()
    return engine.dialect.name == "sqlite"


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`. SQLite gets WAL, foreign keys, a busy timeout and write locks taken up front."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A silent network partition must become a clear "database unavailable" within seconds, never a request
    # that hangs: libpq's connect timeout, TCP keepalives and a TCP user timeout bound every wait.
    connect_args: dict[str, Any] = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10,
                                    "keepalives_interval": 5, "keepalives_count": 3, "tcp_user_timeout": 15000}
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


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits if the block succeeds, rolls back otherwise. Services never commit."""
    with Session(bind=engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work (on SQLite it does not take the write lock)."""
    bind = engine.execution_options(sqlite_begin="DEFERRED")
    with Session(bind=bind, expire_on_commit=False) as session, session.begin():
        yield session
