"""The Runtime: settings, the database engine and the units of work of one process, built once by an entry
point."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from partnerhub.db import create_db_engine, unit_of_work
from partnerhub.settings import Settings


@dataclass
class Runtime:
    """`bind`, when given, is a connection already in a transaction: every unit of work becomes a savepoint
    on it, and the test that owns it rolls everything back at its end."""

    settings: Settings
    bind: Connection | None = None

    @cached_property
    def engine(self) -> Engine:
        if self.bind is not None:
            return self.bind.engine
        return create_db_engine(self.settings.resolved_database_url)

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back if it raises (`partnerhub.db`)."""
        with unit_of_work(self.bind if self.bind is not None else self.engine, write=write) as session:
            yield session

    def dispose(self) -> None:
        if self.bind is None and "engine" in self.__dict__:
            self.engine.dispose()

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(Settings())
