"""Raw DBAPI connections (sqlite3, psycopg) for the floors: hand-written SQL with no layer in between."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg


def sqlite_time(value: datetime) -> str:
    """A UTC instant as SQLAlchemy stores it in SQLite (naive, microseconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class RawDb:
    """One raw connection with the project's SQLite pragmas, and the three calls the floors need.

    SQL is written with `?` placeholders and `FOR UPDATE` where PostgreSQL locks rows; on PostgreSQL the
    placeholders become `%s`, on SQLite `FOR UPDATE` is dropped and writers take the lock with BEGIN IMMEDIATE
    (exactly what partnerhub's engine does)."""

    def __init__(self, backend: str, target: str) -> None:
        self.backend = backend
        self.is_sqlite = backend == "sqlite"
        self._sql_cache: dict[str, str] = {}
        if self.is_sqlite:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
                conn.execute(f"PRAGMA {pragma}")
            self.sqlite: sqlite3.Connection | None = conn
            self.pg: psycopg.Connection[Any] | None = None
        else:
            self.sqlite = None
            self.pg = psycopg.connect(target, autocommit=True)  # BEGIN/COMMIT only where tx() says

    def sql(self, text: str) -> str:
        out = self._sql_cache.get(text)
        if out is None:
            out = text.replace(" FOR UPDATE", "") if self.is_sqlite else text.replace("?", "%s")
            self._sql_cache[text] = out
        return out

    def time(self, value: datetime) -> Any:
        return sqlite_time(value) if self.is_sqlite else value

    def json(self, value: Any) -> str:
        return json.dumps(value)

    @contextmanager
    def tx(self, *, write: bool = True) -> Iterator[RawDb]:
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        if self.sqlite is not None:
            self.sqlite.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self
            except BaseException:
                self.sqlite.execute("ROLLBACK")
                raise
            self.sqlite.execute("COMMIT")
            return
        assert self.pg is not None
        with self.pg.transaction():
            yield self

    def q(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.sqlite is not None:
            return self.sqlite.execute(self.sql(text), params).fetchall()
        assert self.pg is not None
        return self.pg.execute(self.sql(text).encode(), params).fetchall()

    def x(self, text: str, params: Sequence[Any] = ()) -> int:
        if self.sqlite is not None:
            return self.sqlite.execute(self.sql(text), params).rowcount
        assert self.pg is not None
        return self.pg.execute(self.sql(text).encode(), params).rowcount

    def xm(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.sqlite is not None:
            self.sqlite.executemany(self.sql(text), rows)
            return
        assert self.pg is not None
        with self.pg.cursor() as cur:
            cur.executemany(self.sql(text).encode(), rows)

    def load(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Plain bulk load: executemany INSERT on SQLite, COPY on PostgreSQL (one transaction)."""
        if self.sqlite is not None:
            marks = ", ".join("?" for _ in columns)
            with self.tx():
                # table and column names come from the model tables, never from input; values are bound
                statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                self.sqlite.executemany(statement, rows)
            return
        assert self.pg is not None
        with self.pg.transaction(), self.pg.cursor() as cur:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cur.copy(statement.encode()) as copy:
                for row in rows:
                    copy.write_row(row)

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()
        if self.pg is not None:
            self.pg.close()
