"""The customers a partner picked in the customer list for a bulk job (offboarding, GDAP): the visible ones
among the submitted ids."""

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
    return select_current_customers(session, require_remover(session, actor), customer_ids=customer_ids)


def select_current_customers(session: Session, partner_id: str, *, customer_ids: list[str]) -> list[Customer]:
    """The partner's current customers among `customer_ids` (at most a page of them), in the order given,
    without repeats; the caller has checked who may pick them."""
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
