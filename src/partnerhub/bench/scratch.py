"""The benchmark's own scratch databases: created empty, migrated, given the default catalog, dropped at the end.

Never the user's database, never the test suite's: a temporary SQLite file, or a PostgreSQL database named
`partnerhub_bench_<pid>_<random>` created through an admin connection and dropped when the run ends."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from partnerhub.auth.actor import Actor
from partnerhub.catalog.service import load_default_catalog
from partnerhub.db import create_db_engine, transaction
from partnerhub.migrations import upgrade

DEFAULT_PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_ADMIN_ENV = "PARTNERHUB_BENCH_PG_DSN"


def _pg_conninfo(dsn: str) -> str:
    """A libpq connection string (URL or `key=value` form) from one that may carry SQLAlchemy's driver name."""
    return dsn.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_url(admin_dsn: str, dbname: str) -> URL:
    """The SQLAlchemy URL of database `dbname` on the server of the admin DSN (either libpq form)."""
    params = conninfo_to_dict(_pg_conninfo(admin_dsn))
    port = params.get("port")
    return URL.create(
        "postgresql+psycopg",
        username=str(params.get("user") or "postgres"),
        password=str(params["password"]) if params.get("password") else None,
        host=str(params.get("host") or "127.0.0.1"),
        port=int(str(port)) if port else 5432,
        database=dbname,
    )


@dataclass
class ScratchServer:
    """Where scratch databases live: a temporary directory (SQLite) or a PostgreSQL server (admin DSN)."""

    backend: str
    pg_admin_dsn: str = DEFAULT_PG_ADMIN_DSN
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="partnerhub-bench-")))
    created: list[str] = field(default_factory=list)

    def _admin(self, sql: str) -> None:
        with psycopg.connect(_pg_conninfo(self.pg_admin_dsn), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.encode())

    def drop_stale(self) -> None:
        """Drop scratch databases left by bench processes that no longer run (a killed run cannot clean up)."""
        if self.backend != "postgresql":
            return
        with psycopg.connect(_pg_conninfo(self.pg_admin_dsn), autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute(b"SELECT datname FROM pg_database WHERE datname LIKE 'partnerhub\\_bench\\_%'")
            for (name,) in rows.fetchall():
                pid = name.split("_")[2]
                if not pid.isdigit() or int(pid) == os.getpid():
                    continue
                try:
                    os.kill(int(pid), 0)
                except ProcessLookupError:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
                except PermissionError:
                    pass

    def new_name(self) -> str:
        return f"partnerhub_bench_{os.getpid()}_{secrets.token_hex(4)}"

    def url_of(self, name: str) -> str:
        """The SQLAlchemy URL of a scratch database."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        return _pg_url(self.pg_admin_dsn, name).render_as_string(hide_password=False)

    def dbapi_target(self, name: str) -> str:
        """What a raw DBAPI connect() takes: the SQLite file path or a libpq URL."""
        if self.backend == "sqlite":
            return str(self.tmp / (name + ".db"))
        return self.url_of(name).replace("postgresql+psycopg://", "postgresql://", 1)

    def create_migrated(self) -> str:
        """A new scratch database at the head revision with the default catalog; returns its name."""
        name = self.new_name()
        if self.backend == "postgresql":
            self.drop_stale()
            self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        engine = create_db_engine(self.url_of(name))
        try:
            upgrade(engine)
            with transaction(engine) as session:
                load_default_catalog(session, Actor.system(application="bench"))
        finally:
            engine.dispose()
        return name

    def copy_of(self, template: str) -> str:
        """A new scratch database with the same content as `template` (nobody may be connected to it)."""
        name = self.new_name()
        if self.backend == "postgresql":
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            shutil.copy(self.tmp / (template + ".db"), self.tmp / (name + ".db"))
        self.created.append(name)
        return name

    def engine(self, name: str, *, pool_size: int = 10) -> Engine:
        if self.backend == "postgresql":
            return create_db_engine(self.url_of(name), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)
        return create_db_engine(self.url_of(name))

    def drop(self, name: str) -> None:
        if name not in self.created:
            return
        self.created.remove(name)
        if self.backend == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            for suffix in (".db", ".db-wal", ".db-shm"):
                (self.tmp / (name + suffix)).unlink(missing_ok=True)

    def cleanup(self) -> None:
        """Drop every scratch database this run created, and the temporary directory."""
        for name in list(self.created):
            with contextlib.suppress(psycopg.Error):
                self.drop(name)
        shutil.rmtree(self.tmp, ignore_errors=True)
