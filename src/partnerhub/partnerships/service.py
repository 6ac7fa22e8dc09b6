"""The indirect model's partnerships: a provider invites a reseller, the reseller accepts, either side ends it;
who lists whom (DOMAIN.md §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.errors import (
    CustomerNotFound,
    Forbidden,
    OnlyResellerAccepts,
    PartnershipAlreadyEnded,
    PartnershipAlreadyOpen,
    PartnershipNotFound,
    PartnershipNotInvited,
)
from partnerhub.ids import new_id, normalize_id
from partnerhub.partnerships.models import Partnership, PartnershipStatus
from partnerhub.partnerships.queries import (
    OPEN_PARTNERSHIP_STATUSES,
    find_active_partnership,
    find_open_partnership,
    partner_name_unscoped,
    require_indirect_provider,
    require_indirect_reseller,
    resolve_partner,
)
from partnerhub.partnerships.schemas import (
    IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
    IS_INDIRECT_RESELLER_OF,
    PartnerRelationship,
    partnership_audit_view,
)
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.relationships.queries import require_active_relationship
from partnerhub.tenants.models import Partner, PartnerType, Tenant

PARTNERSHIP_MANAGERS = (Role.ADMIN_AGENT,)


def has_active_partnership(session: Session, *, provider_id: str, reseller_id: str) -> bool:
    """Whether the provider and the reseller are in an active partnership now."""
    return find_active_partnership(session, provider_id=provider_id, reseller_id=reseller_id) is not None


def _record(
    session: Session, actor: Actor, operation: Operation, p: Partnership, *, old: dict[str, Any] | None, now: datetime
) -> None:
    # A partnership is both partners' business: each one's activity log shows the change.
    for partner_id in (p.provider_id, p.reseller_id):
        record(
            session,
            actor,
            operation=operation,
            resource_type=ResourceType.PARTNERSHIP,
            resource_id=p.id,
            partner_id=partner_id,
            old=old,
            new=partnership_audit_view(p),
            now=now,
        )


def invite_reseller(
    session: Session, actor: Actor, *, reseller_id: str | None = None, reseller_mpn_id: str | None = None
) -> Partnership:
    """An indirect provider (Global admin or Admin agent) invites an indirect reseller, named by tenant id
    or MPN id, to a partnership. Only indirect resellers can be invited; a pair has at most one open
    (invited or active) partnership, held by the database's partial unique index even under races."""
    provider_id = actor.require_partner("invite an indirect reseller", *PARTNERSHIP_MANAGERS)
    require_indirect_provider(session, provider_id, "invite an indirect reseller")
    reseller = require_indirect_reseller(
        session, resolve_partner(session, tenant_id=reseller_id, mpn_id=reseller_mpn_id)
    )
    name = partner_name_unscoped(session, reseller.id)
    if find_open_partnership(session, provider_id=provider_id, reseller_id=reseller.id) is not None:
        raise PartnershipAlreadyOpen(name=name)
    now = utc_now()
    partnership = Partnership(
        id=new_id(),
        provider_id=provider_id,
        reseller_id=reseller.id,
        status=PartnershipStatus.INVITED,
        created_at=now,
        invited_by_user_id=actor.user_id,
    )
    try:
        with session.begin_nested():
            session.add(partnership)
            session.flush()
    except IntegrityError as exc:  # a concurrent invitation of the same pair won the race
        raise PartnershipAlreadyOpen(name=name) from exc
    _record(session, actor, Operation.CREATE_PARTNERSHIP, partnership, old=None, now=now)
    return partnership


def _load_own(session: Session, partner_id: str, partnership_id: str) -> Partnership:
    """A partnership the partner is a side of, locked; any other is "not found"."""
    pid = normalize_id(partnership_id)
    stmt = (
        select(Partnership)
        .where(
            Partnership.id == pid,
            (Partnership.provider_id == partner_id) | (Partnership.reseller_id == partner_id),
        )
        .with_for_update()
    )
    partnership = session.scalars(stmt).first()
    if partnership is None:
        raise PartnershipNotFound(id=partnership_id)
    return partnership


def accept_partnership(session: Session, actor: Actor, *, partnership_id: str) -> Partnership:
    """The invited reseller's Global admin accepts: the partnership becomes active, and the provider may
    create customers and orders for the reseller and designate it as support contact."""
    if not actor.is_partner_user or actor.tenant_id is None:
        raise Forbidden(operation="accept partnership")
    partnership = _load_own(session, actor.tenant_id, partnership_id)
    if partnership.reseller_id != actor.tenant_id or Role.GLOBAL_ADMIN not in actor.roles:
        raise OnlyResellerAccepts(id=partnership.id)
    if partnership.status != PartnershipStatus.INVITED:
        raise PartnershipNotInvited(id=partnership.id, status=partnership.status)
    old = partnership_audit_view(partnership)
    now = utc_now()
    partnership.status = PartnershipStatus.ACTIVE
    partnership.accepted_at = now
    _record(session, actor, Operation.ACCEPT_PARTNERSHIP, partnership, old=old, now=now)
    return partnership


def end_partnership(session: Session, actor: Actor, *, partnership_id: str) -> Partnership:
    """Either side (Global admin or Admin agent) ends an invited or active partnership; for an invitation
    this is a decline or a withdrawal. Customers, reseller relationships, subscriptions (and their support
    contacts) and privileges stay as they are; only new customers, orders and support designations for
    the reseller are refused from now on."""
    partner_id = actor.require_partner("end partnership", *PARTNERSHIP_MANAGERS)
    partnership = _load_own(session, partner_id, partnership_id)
    if partnership.status == PartnershipStatus.ENDED:
        raise PartnershipAlreadyEnded(id=partnership.id)
    old = partnership_audit_view(partnership)
    now = utc_now()
    partnership.status = PartnershipStatus.ENDED
    partnership.ended_at = now
    partnership.ended_by_partner_id = partner_id
    _record(session, actor, Operation.END_PARTNERSHIP, partnership, old=old, now=now)
    return partnership


def _partnership_rows(
    session: Session,
    *,
    own_column: Any,
    other_column: Any,
    partner_id: str,
    relationship_type: str,
    include_ended: bool,
) -> list[PartnerRelationship]:
    stmt = (
        select(Partnership, Tenant, Partner)
        .join(Tenant, Tenant.id == other_column)
        .join(Partner, Partner.id == other_column)
        .where(own_column == partner_id)
        .order_by(Tenant.name, Partnership.created_at, Partnership.id)
    )
    if not include_ended:
        stmt = stmt.where(Partnership.status.in_(OPEN_PARTNERSHIP_STATUSES))
    return [
        PartnerRelationship(partner.id, tenant.name, partner.mpn_id, relationship_type, p.status, p.id)
        for p, tenant, partner in session.execute(stmt)
    ]


def list_resellers(session: Session, actor: Actor, *, include_ended: bool = False) -> list[PartnerRelationship]:
    """An indirect provider's resellers, invited or active (ended ones too on request): Partner Center's
    `GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf`."""
    provider_id = actor.require_partner("list indirect resellers", *Role)
    require_indirect_provider(session, provider_id, "list indirect resellers")
    return _partnership_rows(
        session,
        own_column=Partnership.provider_id,
        other_column=Partnership.reseller_id,
        partner_id=provider_id,
        relationship_type=IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
        include_ended=include_ended,
    )


def list_providers(session: Session, actor: Actor, *, include_ended: bool = False) -> list[PartnerRelationship]:
    """An indirect reseller's providers, inviting or active (ended ones too on request): Partner Center's
    `GET /v1/relationships?relationship_type=IsIndirectResellerOf`."""
    reseller_id = actor.require_partner("list indirect providers", *Role)
    reseller = session.get(Partner, reseller_id)
    if reseller is None or reseller.partner_type != PartnerType.INDIRECT_RESELLER:
        raise Forbidden(operation="list indirect providers")
    return _partnership_rows(
        session,
        own_column=Partnership.reseller_id,
        other_column=Partnership.provider_id,
        partner_id=reseller_id,
        relationship_type=IS_INDIRECT_RESELLER_OF,
        include_ended=include_ended,
    )


def list_customer_resellers(session: Session, actor: Actor, *, customer_id: str) -> list[PartnerRelationship]:
    """The indirect resellers with an active relationship with a customer (Partner Center's
    `GET /v1/customers/{id}/relationships`). The customer's Global admin (and the operator) sees all of
    them; an indirect provider related to the customer sees those that are or were its partners."""
    customer_id = normalize_id(customer_id)
    stmt = (
        select(Tenant, Partner)
        .join(Partner, Partner.id == Tenant.id)
        .join(ResellerRelationship, ResellerRelationship.partner_id == Partner.id)
        .where(
            ResellerRelationship.customer_id == customer_id,
            ResellerRelationship.status == RelationshipStatus.ACTIVE,
            Partner.partner_type == PartnerType.INDIRECT_RESELLER,
        )
        .order_by(Tenant.name, Tenant.id)
    )
    if actor.is_partner_user:
        provider_id = actor.require_partner("list a customer's indirect resellers", *Role)
        require_indirect_provider(session, provider_id, "list a customer's indirect resellers")
        require_active_relationship(session, partner_id=provider_id, customer_id=customer_id)
        ever_partners = select(Partnership.reseller_id).where(Partnership.provider_id == provider_id)
        stmt = stmt.where(Partner.id.in_(ever_partners))
    elif actor.is_operator or (
        actor.is_customer_user and actor.tenant_id == customer_id and Role.GLOBAL_ADMIN in actor.roles
    ):
        if session.get(Customer, customer_id) is None:
            raise CustomerNotFound(id=customer_id)
    elif actor.is_customer_user and actor.tenant_id == customer_id:
        raise Forbidden(operation="list a customer's indirect resellers")
    else:
        raise CustomerNotFound(id=customer_id)
    return [
        PartnerRelationship(
            partner.id, tenant.name, partner.mpn_id, IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF, RelationshipStatus.ACTIVE
        )
        for tenant, partner in session.execute(stmt)
    ]
