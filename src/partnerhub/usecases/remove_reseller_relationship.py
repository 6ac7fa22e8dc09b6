"""Removing a reseller relationship with a customer: the seed document, and the check that says whether it
can be done now and by whom. Its precondition and effects (`end_relationship`) serve the customer's ending of a
relationship too (`usecases/customer_ends_relationship.py`). It spans four features: the relationship itself,
the subscriptions that block it, the support contacts that fall back, and delegated admin (DAP and GDAP) that
ends."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.lifetime import end_admin_relationships_for
from partnerhub.errors import Forbidden, RemoveBlockedByActiveSubscriptions
from partnerhub.ids import normalize_id
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.relationships.queries import require_active_relationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.queries import blocking_subscriptions
from partnerhub.subscriptions.schemas import blocking_subscription_dict
from partnerhub.support_contacts.service import fall_back_support_contacts
from partnerhub.tenants.models import Partner


def require_remover(session: Session, actor: Actor) -> str:
    """Global admin of the partner; an Admin agent too if the partner's settings allow it."""
    partner_id = actor.require_partner("remove reseller relationship", Role.ADMIN_AGENT)
    if Role.GLOBAL_ADMIN not in actor.roles:
        partner = session.get(Partner, partner_id)
        if partner is None or not partner.admin_agents_may_remove:
            raise Forbidden(operation="remove reseller relationship")
    return partner_id


def may_remove(session: Session, actor: Actor) -> bool:
    """Whether the actor's role lets it remove a relationship at all (see `require_remover`)."""
    try:
        require_remover(session, actor)
    except Forbidden:
        return False
    return True


@dataclass(frozen=True)
class RemovalCheck:
    """Whether the relationship can be removed now: who may remove it, and what stands in the way."""

    may_remove: bool  # the actor's role allows it (Global admin; Admin agent where the partner allows it)
    blocking: list[Subscription]  # the active or pending subscriptions bought through this partner

    @property
    def can_remove(self) -> bool:
        return self.may_remove and not self.blocking


def check_removal(session: Session, actor: Actor, *, customer_id: str) -> RemovalCheck:
    """The precondition of the seed and the actor's right to act, for pages that offer the action only to
    who may take it and grey it out while subscriptions block it. Any partner role may ask."""
    partner_id = actor.require_partner("remove reseller relationship", *Role)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id)
    return RemovalCheck(
        may_remove(session, actor), blocking_subscriptions(session, partner_id=partner_id, customer_id=customer_id)
    )


def remove_reseller_relationship(session: Session, actor: Actor, *, customer_id: str) -> ResellerRelationship:
    """Remove the acting partner's reseller relationship with a customer (the seed document).

    Precondition, enforced here and not only greyed out in a page: no subscription of the customer bought
    through this partner is active or pending (reservations included); the error names each of them.
    Effects, in the caller's one transaction, each with its activity record:
    1. the customer leaves the partner's customer list (the episode stays as history);
    2. the partner leaves the customer's available support contacts: subscriptions that designated it fall
       back to their default (the provider while still related, else none);
    3. the partner's delegated admin privileges end: DAP, and every GDAP relationship with the customer;
    4. purchases on behalf of the customer are refused from now on (orders need an active relationship).
    The relationship row is locked before the check, and orders and reactivations lock it too, so none
    can slip in between the check and the removal.
    """
    partner_id = require_remover(session, actor)
    customer_id = normalize_id(customer_id)
    rel = require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    return end_relationship(session, actor, rel, initiated_by=PARTNER)


PARTNER, CUSTOMER = "partner", "customer"  # the side that ends a relationship


def end_relationship(
    session: Session, actor: Actor, rel: ResellerRelationship, *, initiated_by: str
) -> ResellerRelationship:
    """The seed's precondition and its four effects (see `remove_reseller_relationship`) on an active
    relationship the caller has authorized the actor for and locked, whichever side ends it: the partner (the
    seed, offboarding) or the customer's Global admin (`usecases.customer_ends_relationship`).

    The activity record is the same `remove_partner_customer_relationship` in the partner's log and the
    customer's, naming the actor; when the customer ends it, its new value says so (`"initiatedBy":
    "customer"`), and so do the relationship's history (`removed_by`) and the GDAP relationships it ends."""
    partner_id, customer_id = rel.partner_id, rel.customer_id
    blocking = blocking_subscriptions(session, partner_id=partner_id, customer_id=customer_id)
    if blocking:
        raise RemoveBlockedByActiveSubscriptions(
            data=[blocking_subscription_dict(s) for s in blocking],
            count=len(blocking),
            names=", ".join(f"{s.friendly_name} ({s.id}, {s.status})" for s in blocking),
        )
    old = {"relationshipToPartner": "reseller", "allowDelegatedAccess": rel.has_delegated_admin}
    new: dict[str, object] = {"relationshipToPartner": "none", "allowDelegatedAccess": False}
    if initiated_by != PARTNER:
        new["initiatedBy"] = initiated_by
    now = utc_now()
    rel.remove(now=now, user_id=actor.user_id, by=initiated_by)
    customer = session.get(Customer, customer_id)
    record(
        session,
        actor,
        operation=Operation.REMOVE_PARTNER_CUSTOMER_RELATIONSHIP,
        resource_type=ResourceType.RELATIONSHIP,
        resource_id=rel.id,
        partner_id=partner_id,
        customer_id=customer_id,
        customer_name=customer.company_name if customer else None,
        old=old,
        new=new,
        now=now,
    )
    session.flush()  # the relationship is removed before the support-contact fallback looks at who is related
    fall_back_support_contacts(session, actor, partner_id=partner_id, customer_id=customer_id, now=now)
    end_admin_relationships_for(
        session, actor, partner_id=partner_id, customer_id=customer_id, now=now, by=initiated_by
    )
    session.flush()
    return rel
