"""DAP, the yes/no delegated admin privileges of a reseller relationship: removing them (by either side), and
refusing any other way of granting them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.queries import customer_name_unscoped, require_gdap_manager
from partnerhub.errors import (
    CustomerNotFound,
    DelegatedAdminGrantRefused,
    DelegatedAdminPartnerRequired,
    Forbidden,
    PartnerNotFound,
)
from partnerhub.ids import normalize_id
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.relationships.queries import find_active_relationship, require_active_relationship


def remove_delegated_admin(
    session: Session, actor: Actor, *, customer_id: str, partner_id: str | None = None
) -> ResellerRelationship:
    """Remove a partner's delegated admin privileges (DAP) in a customer tenant, keeping the reseller
    relationship (subscriptions, orders and support go on).

    Who: the partner itself (Global admin or Admin agent, on its own relationship), or the customer's
    Global admin naming the partner. The relationship is locked; removing privileges that are already off
    changes nothing and writes no record. DAP can come back only through a relationship request the customer
    accepts (see `set_delegated_admin`)."""
    customer_id = normalize_id(customer_id)
    if actor.is_customer_user:
        if actor.require_customer_admin("remove delegated admin privileges") != customer_id:
            raise CustomerNotFound(id=customer_id)
        if not partner_id:
            raise DelegatedAdminPartnerRequired()
        rel = find_active_relationship(session, partner_id=normalize_id(partner_id), customer_id=customer_id, lock=True)
        if rel is None:
            raise PartnerNotFound(id=partner_id)
    elif actor.is_partner_user:
        own = require_gdap_manager(actor, "remove delegated admin privileges")
        if partner_id and normalize_id(partner_id) != own:
            raise CustomerNotFound(id=customer_id)
        rel = require_active_relationship(session, partner_id=own, customer_id=customer_id, lock=True)
    else:
        raise Forbidden(operation="remove delegated admin privileges")
    if rel.has_delegated_admin:
        now = utc_now()
        rel.has_delegated_admin = False
        rel.version += 1
        record(
            session,
            actor,
            operation=Operation.REMOVE_PARTNER_CUSTOMER_DAP,
            resource_type=ResourceType.PARTNER_CUSTOMER_DAP,
            resource_id=rel.id,
            partner_id=rel.partner_id,
            customer_id=customer_id,
            customer_name=customer_name_unscoped(session, customer_id),
            old={"allowDelegatedAccess": True},
            new={"allowDelegatedAccess": False},
            now=now,
        )
        session.flush()
    return rel


def set_delegated_admin(session: Session, actor: Actor, *, customer_id: str, allow: bool) -> ResellerRelationship:
    """A partner sets `allowDelegatedAccess` on its own relationship: false removes DAP (as above); true is
    no change when DAP is held and refused otherwise — DAP is granted only at customer creation or by a
    relationship request that asked for it and the customer accepted (DOMAIN.md §8)."""
    if not allow:
        return remove_delegated_admin(session, actor, customer_id=customer_id)
    own = require_gdap_manager(actor, "grant delegated admin privileges")
    rel = require_active_relationship(session, partner_id=own, customer_id=normalize_id(customer_id))
    if not rel.has_delegated_admin:
        raise DelegatedAdminGrantRefused()
    return rel
