"""GDAP for one customer as a whole: end every active admin relationship the partner holds with it (the unit
of work of a bulk terminate)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.gdap import terminate_admin_relationship
from partnerhub.delegated_admin.models import AdminRelationship, AdminRelationshipStatus
from partnerhub.delegated_admin.queries import require_gdap_manager
from partnerhub.errors import NoActiveAdminRelationship
from partnerhub.ids import normalize_id

ENDABLE = (AdminRelationshipStatus.ACTIVE, AdminRelationshipStatus.TERMINATION_REQUESTED)


def terminate_customer_admin_relationships(session: Session, actor: Actor, *,
                                           customer_id: str) -> list[AdminRelationship]:
    """The partner (Global admin, Admin agent) ends every admin relationship it holds active with the
    customer, each as `terminate_admin_relationship` does (its own activity record and request). Requests not
    yet approved are left alone; a customer with no active relationship (one past its end is expired already)
    is refused, so a bulk report tells it apart from one whose access did end. The rows are locked first, in
    a stable order, so two runs on the same customer end each relationship once."""
    partner_id = require_gdap_manager(actor, "terminate admin relationship")
    customer_id = normalize_id(customer_id)
    now = utc_now()
    rows = session.scalars(
        select(AdminRelationship)
        .where(AdminRelationship.partner_id == partner_id, AdminRelationship.customer_id == customer_id,
               AdminRelationship.status.in_(ENDABLE))
        .order_by(AdminRelationship.created_at, AdminRelationship.id)
        .with_for_update().execution_options(populate_existing=True))
    open_ones = [r for r in rows if r.status_at(now) in ENDABLE]
    if not open_ones:
        raise NoActiveAdminRelationship(customer_id=customer_id)
    return [terminate_admin_relationship(session, actor, admin_relationship_id=r.id) for r in open_ones]
