"""A partner's relationship with one customer over time: every episode, removed ones included. Removing it is a
use case of its own (partnerhub.usecases.remove_reseller_relationship)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.errors import CustomerNotFound
from partnerhub.ids import normalize_id
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.relationships.queries import relationship_history


def list_relationship_history(session: Session, actor: Actor, *, customer_id: str) -> list[ResellerRelationship]:
    """Every episode of the acting partner's relationship with a customer, removed ones included."""
    partner_id = actor.require_partner("relationship history", *Role)
    history = relationship_history(session, partner_id=partner_id, customer_id=normalize_id(customer_id))
    if not history:
        raise CustomerNotFound(id=customer_id)
    return history
