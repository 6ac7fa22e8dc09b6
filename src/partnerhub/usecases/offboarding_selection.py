"""The customers a partner picked for a bulk offboarding: the visible ones among the submitted ids."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.customers.models import Customer
from partnerhub.ids import normalize_id
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.usecases.remove_reseller_relationship import require_remover

MAX_SELECTION = 500  # the largest page of the customer list


def list_selected_customers(session: Session, actor: Actor, *, customer_ids: list[str]) -> list[Customer]:
    """The acting partner's customers (active reseller relationship) among `customer_ids`, in the order
    given and without repeats; ids of unknown, foreign or former customers are left out, since nobody may
    offboard them. Who: whoever may remove relationships (the confirmation must not promise what the job
    would refuse)."""
    partner_id = require_remover(session, actor)
    keys = list(dict.fromkeys(normalize_id(c) for c in customer_ids if c.strip()))[:MAX_SELECTION]
    if not keys:
        return []
    rows = session.scalars(
        select(Customer)
        .join(ResellerRelationship, ResellerRelationship.customer_id == Customer.id)
        .where(
            ResellerRelationship.partner_id == partner_id,
            ResellerRelationship.status == RelationshipStatus.ACTIVE,
            Customer.id.in_(keys),
        )
    )
    found = {c.id: c for c in rows}
    return [found[k] for k in keys if k in found]
