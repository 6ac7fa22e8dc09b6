"""Migration 0013 on a database that holds data (SQLite and PostgreSQL): every relationship removed before it
was removed by its partner, and a declined request survives a downgrade as one that can no longer be accepted."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from partnerhub.auth.service import actor_for_user
from partnerhub.db import transaction
from partnerhub.invitations.service import create_invitation, decline_invitation
from partnerhub.migrations import alembic_config, upgrade
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.factories import make_customer, make_partner


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
    assert {(c, s, by) for c, s, by in rows} == {
        (removed.customer.id, "removed", "partner"),
        (kept.customer.id, "active", None),
    }
