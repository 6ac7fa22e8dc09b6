"""The invariants of DOMAIN.md as queries: each function returns the violations it finds in a database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.operations import Operation
from partnerhub.auth.models import Role, User
from partnerhub.auth.service import actor_for_user
from partnerhub.customers.models import Customer
from partnerhub.customers.service import get_customer
from partnerhub.delegated_admin.models import OPEN_STATUSES, AdminRelationship
from partnerhub.errors import CustomerNotFound, DomainError
from partnerhub.orders.models import Order
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.subscriptions.models import BLOCKING_STATUSES, Subscription, SubscriptionStatus
from partnerhub.tenants.models import Tenant

Violations = list[str]
ACTIVE = RelationshipStatus.ACTIVE


def _for(stmt: Select[Any], column: Any, customer_id: str | None) -> Select[Any]:
    return stmt if customer_id is None else stmt.where(column == customer_id)


def _active_pairs(session: Session, customer_id: str | None) -> set[tuple[str, str]]:
    stmt = select(ResellerRelationship.partner_id, ResellerRelationship.customer_id).where(
        ResellerRelationship.status == ACTIVE
    )
    return {(p, c) for p, c in session.execute(_for(stmt, ResellerRelationship.customer_id, customer_id))}


def commerce_on_removed_relationships(session: Session, customer_id: str | None = None) -> Violations:
    """§2/§3: no active (or pending) subscription, no order placed and no delegated admin privilege held
    without an active reseller relationship of the partner (nor of the reseller of record) that sells it."""
    found: Violations = []
    related = _active_pairs(session, customer_id)
    subs = session.scalars(
        _for(
            select(Subscription).where(Subscription.status.in_(list(BLOCKING_STATUSES))),
            Subscription.customer_id,
            customer_id,
        )
    )
    for sub in subs:
        for role, partner_id in (("partner", sub.partner_id), ("reseller of record", sub.reseller_partner_id)):
            if partner_id is not None and (partner_id, sub.customer_id) not in related:
                found.append(
                    f"subscription {sub.id} is {sub.status} but its {role} {partner_id} has no active "
                    f"relationship with customer {sub.customer_id}"
                )
    episodes: dict[tuple[str, str], list[ResellerRelationship]] = defaultdict(list)
    for rel in session.scalars(_for(select(ResellerRelationship), ResellerRelationship.customer_id, customer_id)):
        episodes[rel.partner_id, rel.customer_id].append(rel)
        if rel.status != ACTIVE and rel.has_delegated_admin:
            found.append(f"relationship {rel.id} is {rel.status} but still holds DAP")
    for order in session.scalars(_for(select(Order), Order.customer_id, customer_id)):
        if not any(
            e.activated_at <= order.created_at and (e.removed_at is None or order.created_at <= e.removed_at)
            for e in episodes[order.partner_id, order.customer_id]
        ):
            found.append(f"order {order.id} was placed at {order.created_at} outside any active relationship")
    gdaps = session.scalars(
        _for(
            select(AdminRelationship).where(AdminRelationship.status.in_(list(OPEN_STATUSES))),
            AdminRelationship.customer_id,
            customer_id,
        )
    )
    for gdap in gdaps:
        if (gdap.partner_id, gdap.customer_id) not in related:
            found.append(f"admin relationship {gdap.id} is {gdap.status} without an active reseller relationship")
    return found


def addons_active_under_inactive_parents(session: Session, customer_id: str | None = None) -> Violations:
    """§3: an add-on is never active while its parent subscription is not."""
    parent = select(Subscription.id, Subscription.status).subquery()
    stmt = (
        select(Subscription.id, parent.c.id, parent.c.status)
        .join(parent, parent.c.id == Subscription.parent_subscription_id)
        .where(Subscription.status == SubscriptionStatus.ACTIVE, parent.c.status != SubscriptionStatus.ACTIVE)
    )
    return [
        f"add-on {addon} is active under parent {pid} which is {status}"
        for addon, pid, status in session.execute(_for(stmt, Subscription.customer_id, customer_id))
    ]


def duplicate_active_relationships(session: Session, customer_id: str | None = None) -> Violations:
    """§2: at most one active relationship per partner and customer."""
    stmt = (
        select(ResellerRelationship.partner_id, ResellerRelationship.customer_id, func.count())
        .where(ResellerRelationship.status == ACTIVE)
        .group_by(ResellerRelationship.partner_id, ResellerRelationship.customer_id)
        .having(func.count() > 1)
    )
    return [
        f"partner {p} has {n} active relationships with customer {c}"
        for p, c, n in session.execute(_for(stmt, ResellerRelationship.customer_id, customer_id))
    ]


def requests_applied_twice(session: Session, customer_id: str | None = None) -> Violations:
    """§6: an idempotent retry never applies twice — one request (one correlation id) places one order."""
    stmt = (
        select(ActivityRecord.correlation_id, func.count())
        .where(ActivityRecord.operation_type == "create_order")
        .group_by(ActivityRecord.correlation_id)
        .having(func.count() > 1)
    )
    return [
        f"request {corr} placed {n} orders"
        for corr, n in session.execute(_for(stmt, ActivityRecord.customer_id, customer_id))
    ]


def _records(session: Session, customer_id: str | None, *operations: str) -> dict[str, list[ActivityRecord]]:
    stmt = (
        select(ActivityRecord).where(ActivityRecord.operation_type.in_(operations)).order_by(ActivityRecord.created_at)
    )
    by_resource: dict[str, list[ActivityRecord]] = defaultdict(list)
    for rec in session.scalars(_for(stmt, ActivityRecord.customer_id, customer_id)):
        by_resource[rec.resource_id or ""].append(rec)
    return by_resource


def _last_recorded(records: Iterable[ActivityRecord], key: str) -> set[Any]:
    """The values of `key` in the latest records that set it (several when they share an instant)."""
    with_key = [r for r in records if key in (r.new_value or {})]
    if not with_key:
        return set()
    last = with_key[-1].created_at
    return {(r.new_value or {})[key] for r in with_key if r.created_at == last}


def _status_matches_log(
    kind: str, rows: Iterable[Any], log: dict[str, list[ActivityRecord]], initial: Callable[[Any], str]
) -> Violations:
    found: Violations = []
    for row in rows:
        recorded = _last_recorded(log.get(row.id, []), "status") or {initial(row)}
        if row.status not in recorded:
            found.append(f"{kind} {row.id} is {row.status} but its activity log says {sorted(recorded)}")
    return found


SUBSCRIPTION_OPERATIONS = (
    "suspend_subscription",
    "reactivate_subscription",
    "cancel_subscription",
    "update_subscription",
)
GDAP_OPERATIONS = tuple(op.value for op in Operation if "_granular_admin_relationship" in op.value)
RELATIONSHIP_OPERATIONS = (
    "add_customer",
    "add_partner_customer_relationship",
    "remove_partner_customer_relationship",
    "remove_partner_customer_dap",
)


def changes_without_activity_records(session: Session, customer_id: str | None = None) -> Violations:
    """§6: every state change has its activity record, and no record exists without its change: orders,
    relationship episodes (added, removed, DAP), subscription and admin relationship statuses."""
    found: Violations = []
    orders = {o.id for o in session.scalars(_for(select(Order), Order.customer_id, customer_id))}
    order_log = _records(session, customer_id, "create_order")
    found += [f"order {o} has no create_order record" for o in orders - set(order_log)]
    found += [f"create_order record for missing order {o}" for o in set(order_log) - orders]
    subs = list(session.scalars(_for(select(Subscription), Subscription.customer_id, customer_id)))
    found += _status_matches_log(
        "subscription",
        subs,
        _records(session, customer_id, *SUBSCRIPTION_OPERATIONS),
        lambda _s: SubscriptionStatus.ACTIVE,
    )
    gdaps = list(session.scalars(_for(select(AdminRelationship), AdminRelationship.customer_id, customer_id)))
    gdap_log = _records(session, customer_id, *GDAP_OPERATIONS)
    found += [f"admin relationship {g.id} has no create record" for g in gdaps if g.id not in gdap_log]
    found += _status_matches_log("admin relationship", gdaps, gdap_log, lambda _g: "?")
    rel_log = _records(session, customer_id, *RELATIONSHIP_OPERATIONS)
    for rel in session.scalars(_for(select(ResellerRelationship), ResellerRelationship.customer_id, customer_id)):
        log = rel_log.get(rel.id, []) + (rel_log.get(rel.customer_id, []) if rel.origin == "customer-created" else [])
        log = sorted((r for r in log if r.partner_id == rel.partner_id), key=lambda r: r.created_at)
        operations = [r.operation_type for r in log]
        if not {"add_customer", "add_partner_customer_relationship"} & set(operations):
            found.append(f"relationship {rel.id} ({rel.origin}) has no record of being added")
        removals = operations.count("remove_partner_customer_relationship")
        if removals != (0 if rel.status == ACTIVE else 1):
            found.append(f"relationship {rel.id} is {rel.status} with {removals} removal records")
        dap = _last_recorded(log, "allowDelegatedAccess")
        if dap and rel.has_delegated_admin not in dap:
            found.append(f"relationship {rel.id} has DAP={rel.has_delegated_admin}, its log says {sorted(dap)}")
    return found


def customers_visible_to_other_tenants(session: Session, customer_id: str | None = None) -> Violations:
    """§1: a user never sees another tenant's data — get_customer by the Global admin of a partner without
    an active relationship, or of another customer, is "not found"."""
    found: Violations = []
    related = _active_pairs(session, customer_id)
    admins = [
        u
        for u in session.scalars(select(User).where(User.tenant_id.is_not(None)).order_by(User.email))
        if Role.GLOBAL_ADMIN in u.roles
    ]
    kinds = dict(session.execute(select(Tenant.id, Tenant.kind)).all())
    customers = session.scalars(_for(select(Customer.id), Customer.id, customer_id)).all()
    for cid in customers:
        for user in admins:
            tenant = user.tenant_id or ""
            if tenant == cid or (kinds.get(tenant) == "partner" and (tenant, cid) in related):
                continue
            try:
                with session.begin_nested():
                    get_customer(session, actor_for_user(session, user), customer_id=cid)
                found.append(f"{user.email} can read customer {cid}")
            except CustomerNotFound:
                pass
            except DomainError as exc:
                found.append(f"{user.email} reading customer {cid} got {type(exc).__name__}, not 'not found'")
    return found


ALL_INVARIANTS: tuple[Callable[[Session, str | None], Violations], ...] = (
    commerce_on_removed_relationships,
    addons_active_under_inactive_parents,
    duplicate_active_relationships,
    requests_applied_twice,
    changes_without_activity_records,
)


def all_violations(session: Session, customer_id: str | None = None, *, isolation: bool = False) -> Violations:
    """Every invariant above, optionally for one customer; the tenant-isolation probe only when asked
    (it signs in as every Global admin)."""
    found = [v for check in ALL_INVARIANTS for v in check(session, customer_id)]
    if isolation:
        found += customers_visible_to_other_tenants(session, customer_id)
    return found
