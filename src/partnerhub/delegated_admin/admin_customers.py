"""Microsoft Graph's delegatedAdminCustomers: the customers in whose tenant the partner holds an admin
relationship that grants access now, as a read model of the admin relationships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.models import AdminRelationship, AdminRelationshipStatus
from partnerhub.delegated_admin.queries import require_gdap_manager
from partnerhub.errors import DelegatedAdminCustomerNotFound
from partnerhub.ids import normalize_id


@dataclass(frozen=True)
class DelegatedAdminCustomer:
    tenant_id: str
    display_name: str


def _customers(session: Session, partner_id: str, customer_id: str | None = None) -> list[DelegatedAdminCustomer]:
    stmt = (
        select(AdminRelationship, Customer.company_name)
        .join(Customer, Customer.id == AdminRelationship.customer_id)
        .where(AdminRelationship.partner_id == partner_id, AdminRelationship.status == AdminRelationshipStatus.ACTIVE)
    )
    if customer_id is not None:
        stmt = stmt.where(AdminRelationship.customer_id == customer_id)
    now = utc_now()
    found: dict[str, str] = {}
    for rel, name in session.execute(stmt):
        if rel.grants_access_at(now):
            found.setdefault(rel.customer_id, name)
    ordered = sorted(found.items(), key=lambda c: (c[1].lower(), c[0]))
    return [DelegatedAdminCustomer(cid, name) for cid, name in ordered]


def list_delegated_admin_customers(session: Session, actor: Actor) -> list[DelegatedAdminCustomer]:
    """The partner's customers with at least one admin relationship that grants access now (active, within
    its time or auto-extending), by name. Only the partner's Global admin or an Admin agent may list them."""
    return _customers(session, require_gdap_manager(actor, "list delegated admin customers"))


def get_delegated_admin_customer(session: Session, actor: Actor, *, customer_id: str) -> DelegatedAdminCustomer:
    """One of those customers; any other customer (a draft or ended relationship, another partner's customer,
    no such tenant) is "not found"."""
    partner_id = require_gdap_manager(actor, "get delegated admin customer")
    found = _customers(session, partner_id, normalize_id(customer_id))
    if not found:
        raise DelegatedAdminCustomerNotFound(id=customer_id)
    return found[0]
