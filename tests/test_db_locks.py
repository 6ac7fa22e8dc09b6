"""A row locked with FOR UPDATE is read as it is now, not as the session's identity map remembers it: a check
made after taking a lock must see what other transactions committed before the lock was granted."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from partnerhub.subscriptions.models import Subscription
from tests.conftest import World
from tests.factories import buy


def test_a_locked_read_refreshes_a_row_the_session_already_holds(session: Session, world: World) -> None:
    sub = buy(session, world.partner.admin, world.customer_id)
    session.flush()
    # another writer's change, as the database has it (here: written behind the ORM's back)
    session.execute(text("UPDATE subscriptions SET status = 'suspended' WHERE id = :id"), {"id": sub.id})
    plain = session.scalars(select(Subscription).where(Subscription.id == sub.id)).one()
    assert plain.status == "active"  # an ordinary read keeps the identity map's values (SQLAlchemy's rule)
    locked = session.scalars(select(Subscription).where(Subscription.id == sub.id).with_for_update()).one()
    assert locked is sub and locked.status == "suspended"
