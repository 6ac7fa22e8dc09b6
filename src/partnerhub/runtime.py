"""The Runtime: settings and the database engine of one process, built once by an entry point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from partnerhub.db import create_db_engine
from partnerhub.settings import Settings


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return create_db_engine(self.settings.resolved_database_url)

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(Settings())
