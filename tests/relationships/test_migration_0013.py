"""Migration 0013 on a database that holds data (SQLite and PostgreSQL): every relationship removed before it
was removed by its partner, and a declined request survives a downgrade as one that can no longer be accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from partnerhub.auth.service import actor_for_user
from partnerhub.db import create_db_engine, transaction
from partnerhub.invitations.service import create_invitation, decline_invitation
from partnerhub.migrations import alembic_config, upgrade
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.conftest import _pg_admin_exec, _pg_url, _worker
from tests.factories import make_customer, make_partner


@pytest.fixture
def blank_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the migrations run on it from the start)."""
    if backend == "postgresql":
        name = f"ph_t_{_worker()}_migration_0013"
        _pg_admin_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin_exec(f"CREATE DATABASE {name}")
        engine = create_db_engine(_pg_url(name))
        yield engine
        engine.dispose()
        _pg_admin_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        engine = create_db_engine(f"sqlite:///{tmp_path / 'migration.db'}")
        yield engine
        engine.dispose()


def test_down_and_up_again_keeps_who_ended_and_what_was_declined(blank_engine: Engine) -> None:
    upgrade(blank_engine)
    with transaction(blank_engine) as session:
        partner = make_partner(session)
        removed = make_customer(session, partner.admin)
        kept = make_customer(session, partner.admin)
        remove_reseller_relationship(session, partner.admin, customer_id=removed.customer.id)
        invitation = create_invitation(session, partner.admin, base_url="http://x", customer_id=kept.customer.id)
        decline_invitation(session, actor_for_user(session, kept.admin), code=invitation.code)
    command.downgrade(alembic_config(blank_engine), "0017")  # the revision before 0013
    with blank_engine.connect() as conn:
        status, revoked_at = conn.execute(sa.text("SELECT status, revoked_at FROM relationship_requests")).one()
        assert status == "revoked" and revoked_at is not None
        columns = {c["name"] for c in sa.inspect(conn).get_columns("reseller_relationships")}
        assert "removed_by" not in columns
    upgrade(blank_engine)
    with blank_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT customer_id, status, removed_by FROM reseller_relationships")).all()
    assert {(c, s, by) for c, s, by in rows} == {(removed.customer.id, "removed", "partner"),
                                                 (kept.customer.id, "active", None)}
