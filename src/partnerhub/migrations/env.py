"""Alembic environment: runs against the engine handed over in the config's attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from partnerhub.all_models import Base

config = context.config
engine = config.attributes.get("engine")
assert isinstance(engine, Engine), "partnerhub migrations run through partnerhub.migrations.upgrade()"

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
