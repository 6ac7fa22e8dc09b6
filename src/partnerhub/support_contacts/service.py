"""Designated support contacts: read the effective one, change it, list who is available, fall back when a
support contact leaves the customer (DOMAIN.md §2, §3, §8 "Who removes")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import etag_matches
from partnerhub.errors import (
    CustomerNotFound,
    Forbidden,
    ResellerNotRelatedToCustomer,
    StaleEtag,
    SubscriptionDeleted,
    SubscriptionNotFound,
    SupportContactChangeForbidden,
    SupportContactNotAllowed,
)
from partnerhub.ids import normalize_id
from partnerhub.partnerships.models import Partnership, PartnershipStatus
from partnerhub.partnerships.queries import partner_name_unscoped, require_active_partnership, resolve_partner
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.relationships.queries import find_active_relationship, require_active_relationship
from partnerhub.subscriptions.models import FINAL_STATUSES, Subscription
from partnerhub.subscriptions.queries import belongs_to_partner, get_subscription
from partnerhub.support_contacts.schemas import SupportContact, support_contact_audit_view, support_contact_etag
from partnerhub.tenants.models import Partner, PartnerType, Tenant

SUPPORT_CONTACT_MANAGERS = (Role.ADMIN_AGENT, Role.HELPDESK_AGENT)


def _contact(session: Session, partner_id: str, *, is_default: bool) -> SupportContact:
    partner = session.get(Partner, partner_id)
    return SupportContact(
        partner_id, partner.mpn_id if partner else "", partner_name_unscoped(session, partner_id), is_default
    )


def effective_support_contact(session: Session, sub: Subscription) -> SupportContact | None:
    """The designated support contact if one is set, else the default: the subscription's provider or
    direct partner while it is still related to the customer, else nobody."""
    if sub.support_contact_id is not None:
        return _contact(session, sub.support_contact_id, is_default=False)
    if find_active_relationship(session, partner_id=sub.partner_id, customer_id=sub.customer_id) is not None:
        return _contact(session, sub.partner_id, is_default=True)
    return None


def get_support_contact(
    session: Session, actor: Actor, *, customer_id: str, subscription_id: str
) -> SupportContact | None:
    """A subscription's effective support contact, for whoever may read the subscription (its partners
    with an active relationship, the customer itself, the operator)."""
    sub = get_subscription(session, actor, customer_id=customer_id, subscription_id=subscription_id)
    return effective_support_contact(session, sub)


def set_support_contact(
    session: Session,
    actor: Actor,
    *,
    customer_id: str,
    subscription_id: str,
    support_mpn_id: str | None = None,
    support_tenant_id: str | None = None,
    etag: str | None = None,
) -> SupportContact | None:
    """Designate a subscription's support contact (Global admin, Admin agent or Helpdesk agent of the
    provider or direct partner that sold it). Allowed: the partner itself (back to the default) or an
    indirect reseller in an active partnership with it and with an active relationship with the customer.
    A change writes one `update_subscription_support_contact` record; choosing the current one writes none.
    With an etag (If-Match), the contact must be the one the caller read (else 2055)."""
    partner_id = actor.require_partner("update support contact", *SUPPORT_CONTACT_MANAGERS)
    customer_id = normalize_id(customer_id)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    sub = session.scalars(
        select(Subscription)
        .where(
            Subscription.id == normalize_id(subscription_id),
            Subscription.customer_id == customer_id,
            belongs_to_partner(partner_id),
        )
        .with_for_update()
    ).first()
    if sub is None:
        raise SubscriptionNotFound(id=subscription_id)
    if sub.partner_id != partner_id:  # a reseller of record sees the subscription but does not own it
        raise SupportContactChangeForbidden(id=sub.id)
    if sub.status in FINAL_STATUSES:
        raise SubscriptionDeleted(id=sub.id, status=sub.status)
    if etag is not None and not etag_matches(
        etag, support_contact_etag(sub.id, effective_support_contact(session, sub))
    ):
        raise StaleEtag(resource="SupportContact", id=sub.id)
    target = resolve_partner(session, tenant_id=support_tenant_id, mpn_id=support_mpn_id)
    new_id: str | None = None
    if target.id != partner_id:
        if target.partner_type != PartnerType.INDIRECT_RESELLER:
            raise SupportContactNotAllowed(name=partner_name_unscoped(session, target.id), id=sub.id)
        require_active_partnership(session, provider_id=partner_id, reseller_id=target.id)
        if find_active_relationship(session, partner_id=target.id, customer_id=customer_id, lock=True) is None:
            raise ResellerNotRelatedToCustomer(
                reseller=partner_name_unscoped(session, target.id), customer_id=customer_id
            )
        new_id = target.id
    old = effective_support_contact(session, sub)
    if new_id == sub.support_contact_id:
        return old
    sub.support_contact_id = new_id
    new = effective_support_contact(session, sub)
    customer = session.get(Customer, customer_id)
    record(
        session,
        actor,
        operation=Operation.UPDATE_SUBSCRIPTION_SUPPORT_CONTACT,
        resource_type=ResourceType.SUBSCRIPTION,
        resource_id=sub.id,
        partner_id=partner_id,
        customer_id=customer_id,
        customer_name=customer.company_name if customer else None,
        old=support_contact_audit_view(old),
        new=support_contact_audit_view(new),
    )
    return new


def list_available_support_contacts(session: Session, actor: Actor, *, customer_id: str) -> list[SupportContact]:
    """The partners that can serve the customer as support contacts: those with an active relationship
    with it. The customer's Global admin (and the operator) sees every one; a related partner sees
    itself and its partnership counterparts among them, never other partners' business."""
    customer_id = normalize_id(customer_id)
    stmt = (
        select(Partner.id)
        .join(Tenant, Tenant.id == Partner.id)
        .join(ResellerRelationship, ResellerRelationship.partner_id == Partner.id)
        .where(
            ResellerRelationship.customer_id == customer_id, ResellerRelationship.status == RelationshipStatus.ACTIVE
        )
        .order_by(Tenant.name, Partner.id)
    )
    if actor.is_partner_user:
        partner_id = actor.require_partner("support contacts", *Role)
        require_active_relationship(session, partner_id=partner_id, customer_id=customer_id)
        active = Partnership.status == PartnershipStatus.ACTIVE
        resellers = select(Partnership.reseller_id).where(Partnership.provider_id == partner_id, active)
        providers = select(Partnership.provider_id).where(Partnership.reseller_id == partner_id, active)
        stmt = stmt.where(or_(Partner.id == partner_id, Partner.id.in_(resellers), Partner.id.in_(providers)))
    elif actor.is_operator or (
        actor.is_customer_user and actor.tenant_id == customer_id and Role.GLOBAL_ADMIN in actor.roles
    ):
        if session.get(Customer, customer_id) is None:
            raise CustomerNotFound(id=customer_id)
    elif actor.is_customer_user and actor.tenant_id == customer_id:
        raise Forbidden(operation="support contacts")
    else:
        raise CustomerNotFound(id=customer_id)
    return [_contact(session, pid, is_default=False) for pid in session.scalars(stmt)]


def fall_back_support_contacts(
    session: Session, actor: Actor, *, partner_id: str, customer_id: str, now: datetime | None = None
) -> list[Subscription]:
    """When `partner_id` leaves the customer, every subscription of the customer that designates it as
    support contact falls back to the default (the provider while still related, else nobody), with one
    `update_subscription_support_contact` record each, in the subscription owner's activity log.
    The caller authorizes and holds the locks of the removal; this only applies its consequence."""
    now = now or utc_now()
    customer_id = normalize_id(customer_id)
    subs = list(
        session.scalars(
            select(Subscription)
            .where(Subscription.customer_id == customer_id, Subscription.support_contact_id == partner_id)
            .order_by(Subscription.id)
            .with_for_update()
        )
    )
    customer = session.get(Customer, customer_id)
    for sub in subs:
        old = effective_support_contact(session, sub)
        sub.support_contact_id = None
        record(
            session,
            actor,
            operation=Operation.UPDATE_SUBSCRIPTION_SUPPORT_CONTACT,
            resource_type=ResourceType.SUBSCRIPTION,
            resource_id=sub.id,
            partner_id=sub.partner_id,
            customer_id=customer_id,
            customer_name=customer.company_name if customer else None,
            old=support_contact_audit_view(old),
            new=support_contact_audit_view(effective_support_contact(session, sub)),
            now=now,
        )
    return subs
