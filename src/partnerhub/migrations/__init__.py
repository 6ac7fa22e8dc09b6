"""Alembic migrations, packaged so that an installed partnerhub can migrate its own database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

HERE = Path(__file__).parent


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the database to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(bind: Engine | Connection) -> str | None:
    """The database's revision, read on `bind` (a Connection: inside its transaction)."""
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_up_to_date(bind: Engine | Connection) -> bool:
    engine = bind.engine if isinstance(bind, Connection) else bind
    return current_revision(bind) == head_revision(engine)
