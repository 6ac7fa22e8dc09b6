"""Optimistic concurrency on a customer (issue 15 §4): an update that names the etag it read is refused when
the customer, or the acting partner's relationship with it, changed since."""

from __future__ import annotations

from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import customer_etag, etag_matches
from partnerhub.errors import CustomerNotFound, StaleEtag
from partnerhub.ids import normalize_id
from partnerhub.relationships.queries import require_active_relationship


def require_current_customer(session: Session, actor: Actor, *, customer_id: str, etag: str | None) -> None:
    """With an etag (If-Match, or `attributes.etag` in the body), the customer's answer must not have changed
    since it was read: its profile and the partner's relationship (DAP, the relationship itself). Both rows
    are locked until commit, so nothing changes between this check and the update that follows it. Without an
    etag the update applies, as Partner Center's clients expect."""
    if etag is None:
        return
    partner_id = actor.require_partner("update customer", *Role)
    customer_id = normalize_id(customer_id)
    rel = require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    customer = session.get(Customer, customer_id, with_for_update=True, populate_existing=True)
    if customer is None:
        raise CustomerNotFound(id=customer_id)
    if not etag_matches(etag, customer_etag(customer, (rel.id, rel.version))):
        raise StaleEtag(resource="Customer", id=customer_id)
