"""The customer ends a reseller relationship (issue 15 §2). Partner Center lets a customer end a partner's DAP
but not the reseller relationship; partnerhub lets its Global admin end both. The rules are the seed's: the same
precondition and the same four effects (`remove_reseller_relationship.end_relationship`), recorded as the
partner's removal is, naming the customer's admin, in the partner's activity log and the relationship's history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.errors import CustomerNotFound, Forbidden, PartnerNotFound
from partnerhub.ids import normalize_id
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.relationships.queries import find_active_relationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.queries import blocking_subscriptions
from partnerhub.tenants.models import Tenant
from partnerhub.usecases.remove_reseller_relationship import CUSTOMER, end_relationship, remove_reseller_relationship

OPERATION = "end reseller relationship"


def _partners_relationship(session: Session, customer_id: str, partner_id: str, *, lock: bool) -> ResellerRelationship:
    rel = find_active_relationship(session, partner_id=normalize_id(partner_id), customer_id=customer_id, lock=lock)
    if rel is None:  # a partner without an active relationship with the customer is not one of its partners
        raise PartnerNotFound(id=partner_id)
    return rel


def customer_ends_relationship(session: Session, actor: Actor, *, partner_id: str) -> ResellerRelationship:
    """The customer's Global admin ends one partner's reseller relationship with its tenant.

    Refused (800100, each subscription named) while any subscription of the customer bought through that
    partner is active or pending: the partner suspends or cancels them first, as in the seed. Otherwise, in
    the caller's one transaction: the customer leaves the partner's customer list (the episode stays as history,
    `removed_by` customer); the partner leaves the customer's support contacts; its DAP and GDAP relationships
    end; it can no longer purchase on the customer's behalf. The relationship row is locked before the check,
    as for the partner's removal, so no order or reactivation slips in between."""
    customer_id = actor.require_customer_admin(OPERATION)
    rel = _partners_relationship(session, customer_id, partner_id, lock=True)
    return end_relationship(session, actor, rel, initiated_by=CUSTOMER)


def end_reseller_relationship(
    session: Session, actor: Actor, *, customer_id: str, partner_id: str
) -> ResellerRelationship:
    """Either side ends the reseller relationship between a customer and a partner (one resource, one door):
    the customer's Global admin, any partner of its own tenant; a partner, only its own (the seed's removal,
    with its roles). Another tenant's customer or relationship is not found, exactly as a missing one."""
    customer_id = normalize_id(customer_id)
    if actor.is_customer_user:
        if actor.require_customer_admin(OPERATION) != customer_id:
            raise CustomerNotFound(id=customer_id)
        return customer_ends_relationship(session, actor, partner_id=partner_id)
    if actor.is_partner_user:
        if actor.tenant_id != normalize_id(partner_id):
            raise CustomerNotFound(id=customer_id)
        return remove_reseller_relationship(session, actor, customer_id=customer_id)
    raise Forbidden(operation=OPERATION)


@dataclass(frozen=True)
class EndingCheck:
    """Whether the customer can end a partner's relationship now, and which subscriptions stand in the way."""

    partner_id: str
    partner_name: str
    relationship: ResellerRelationship
    blocking: list[Subscription]  # the active or pending subscriptions bought through that partner

    @property
    def can_end(self) -> bool:
        return not self.blocking


def check_customer_ending(session: Session, actor: Actor, *, partner_id: str) -> EndingCheck:
    """The seed's precondition seen from the customer's side, for the page that asks for confirmation: the
    button is offered only when nothing blocks, and the subscriptions that block are named."""
    customer_id = actor.require_customer_admin(OPERATION)
    rel = _partners_relationship(session, customer_id, partner_id, lock=False)
    tenant = session.get(Tenant, rel.partner_id)
    return EndingCheck(
        rel.partner_id,
        tenant.name if tenant else rel.partner_id,
        rel,
        blocking_subscriptions(session, partner_id=rel.partner_id, customer_id=customer_id),
    )
