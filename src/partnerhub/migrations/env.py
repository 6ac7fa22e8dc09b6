"""Alembic environment: runs against the engine handed over in the config's attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from partnerhub.all_models import Base

config = context.config
engine = config.attributes.get("engine")
assert isinstance(engine, Engine), "partnerhub migrations run through partnerhub.migrations.upgrade()"

with engine.connect() as connection:
    is_sqlite = connection.dialect.name == "sqlite"
    # SQLite's batch mode copies a table and drops the original: on a database holding data, the rows of other
    # tables that reference it would fail the drop. Foreign keys are switched off for the migrations and
    # checked once at their end instead. (SQLite ignores the pragma inside a transaction, so it is set on the
    # driver's connection before the migrations' transaction begins, and set back after it ends.)
    raw = connection.connection.dbapi_connection if is_sqlite else None
    if raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migrations left rows that reference nothing: {broken[:5]}")
        connection.commit()
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
