"""The resource's state in an opt-in full body: the resource as the API answers it, read when the event is
fanned out (moments after the commit), in the same shape as `GET` on its `ResourceUri`. A resource the record's
partner no longer sees (a customer it no longer has, with its subscriptions and orders) or one with no API
shape (such as a DAP grant) falls back to the record's own view: its id with the old values overlaid by the
new ones, which the partner saw when it made or received the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import customer_dict
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationship, SecurityGroup
from partnerhub.delegated_admin.schemas import access_assignment_dict, admin_relationship_dict
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.schemas import sent_invitation_dict
from partnerhub.orders.models import Order, OrderLineItem
from partnerhub.orders.schemas import order_dict
from partnerhub.relationships.queries import find_active_relationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.schemas import subscription_dict


def resource_state(session: Session, rec: ActivityRecord) -> dict[str, Any]:
    """The state of `rec`'s resource now, as its partner reads it over the API."""
    partner_id, rid = rec.partner_id or "", rec.resource_id or ""
    state: dict[str, Any] | None = None
    match rec.resource_type:
        case "subscription":
            sub = session.get(Subscription, rid)
            if (
                sub is not None
                and partner_id in (sub.partner_id, sub.reseller_partner_id)
                and _related(session, partner_id, sub.customer_id)
            ):
                state = subscription_dict(sub)
        case "order":
            order = session.get(Order, rid)
            if (
                order is not None
                and order.partner_id == partner_id
                and _related(session, partner_id, order.customer_id)
            ):
                items = list(
                    session.scalars(
                        select(OrderLineItem)
                        .where(OrderLineItem.order_id == order.id)
                        .order_by(OrderLineItem.line_item_number)
                    )
                )
                state = order_dict(order, items)
        case "customer":
            state = _customer(session, partner_id, rec.customer_id or rid)
        case "relationship_request":
            request = session.get(RelationshipRequest, rid)
            if request is not None and request.partner_id == partner_id:
                state = sent_invitation_dict(request, request.status_at(utc_now()), may_resend=False)
        case "granular_admin_relationship":
            rel = session.get(AdminRelationship, rid)
            if rel is not None and rel.partner_id == partner_id:
                customer = session.get(Customer, rel.customer_id)
                state = admin_relationship_dict(
                    rel, customer_name=customer.company_name if customer else "", now=utc_now()
                )
        case "granular_admin_access_assignment":
            state = _assignment(session, partner_id, rid)
    return state if state is not None else {"id": rid, **(rec.old_value or {}), **(rec.new_value or {})}


def _related(session: Session, partner_id: str, customer_id: str) -> bool:
    """Whether the partner still has the customer, so that the API would show it the customer's resources."""
    return find_active_relationship(session, partner_id=partner_id, customer_id=customer_id) is not None


def _customer(session: Session, partner_id: str, customer_id: str) -> dict[str, Any] | None:
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    rel = find_active_relationship(session, partner_id=partner_id, customer_id=customer.id)
    if rel is None:  # no longer its customer: the API would not show it either
        return None
    return customer_dict(
        customer,
        allow_delegated_access=rel.has_delegated_admin,
        associated_partner_id=rel.associated_partner_id,
        relationship_version=(rel.id, rel.version),
    )


def _assignment(session: Session, partner_id: str, assignment_id: str) -> dict[str, Any] | None:
    found = session.execute(
        select(AccessAssignment, SecurityGroup.display_name)
        .join(AdminRelationship, AdminRelationship.id == AccessAssignment.admin_relationship_id)
        .join(SecurityGroup, SecurityGroup.id == AccessAssignment.security_group_id)
        .where(AccessAssignment.id == assignment_id, AdminRelationship.partner_id == partner_id)
    ).first()
    return access_assignment_dict(found[0], group_name=found[1]) if found is not None else None
