"""Database layer: declarative base, column types, engine and the one place that commits."""

from partnerhub.db.base import Base, UTCDateTime
from partnerhub.db.engine import create_db_engine, is_sqlite, read_session, transaction, unit_of_work

__all__ = ["Base", "UTCDateTime", "create_db_engine", "is_sqlite", "read_session", "transaction", "unit_of_work"]
