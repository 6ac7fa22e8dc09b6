"""Offboarding: preview everything that will change, then suspend every active subscription and remove the
reseller relationship as one all-or-nothing operation (Partner Center makes partners do it by hand)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import Change, record, record_many
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.models import OPEN_STATUSES, AdminRelationship
from partnerhub.errors import OffboardingBlockedByReservations
from partnerhub.ids import normalize_id
from partnerhub.relationships.queries import require_active_relationship
from partnerhub.subscriptions.models import (
    BLOCKING_STATUSES,
    Subscription,
    SubscriptionStatus,
    Suspension,
    SuspensionReason,
    suspension_reason_of,
)
from partnerhub.subscriptions.queries import belongs_to_partner
from partnerhub.subscriptions.schemas import blocking_subscription_dict, subscription_audit_view
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship, require_remover


@dataclass
class OffboardingPreview:
    """What offboarding a customer will change, and what (if anything) stands in its way."""

    customer_id: str
    company_name: str
    to_suspend: list[Subscription] = field(default_factory=list)
    to_cancel: list[Subscription] = field(default_factory=list)
    blocking: list[Subscription] = field(default_factory=list)
    already_inactive: int = 0
    ends_dap: bool = False
    gdap_to_end: list[AdminRelationship] = field(default_factory=list)
    support_contact_changes: list[Subscription] = field(default_factory=list)

    @property
    def can_offboard(self) -> bool:
        return not self.blocking


def _preview(
    session: Session, partner_id: str, customer_id: str, *, cancel_reservations: bool, lock: bool
) -> OffboardingPreview:
    rel = require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=lock)
    customer = session.get(Customer, customer_id)
    assert customer is not None
    preview = OffboardingPreview(customer_id, customer.company_name, ends_dap=rel.has_delegated_admin)
    stmt = (
        select(Subscription)
        .where(Subscription.customer_id == customer_id, belongs_to_partner(partner_id))
        .order_by(Subscription.parent_subscription_id.is_not(None), Subscription.created_at, Subscription.id)
    )
    subs = session.scalars(stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt)
    for s in subs:
        if s.status not in BLOCKING_STATUSES:
            preview.already_inactive += 1
        elif s.kind == "reservation":
            (preview.to_cancel if cancel_reservations else preview.blocking).append(s)
        else:
            preview.to_suspend.append(s)
        if s.support_contact_id == partner_id:
            preview.support_contact_changes.append(s)
    preview.gdap_to_end = list(
        session.scalars(
            select(AdminRelationship).where(
                AdminRelationship.partner_id == partner_id,
                AdminRelationship.customer_id == customer_id,
                AdminRelationship.status.in_(OPEN_STATUSES),
            )
        )
    )
    return preview


def preview_offboarding(
    session: Session, actor: Actor, *, customer_id: str, cancel_reservations: bool = False
) -> OffboardingPreview:
    """What offboarding will do: subscriptions to suspend, reservations to cancel (or that block it unless
    cancelling is asked for), privileges that end, support-contact changes. Changes nothing."""
    partner_id = actor.require_partner("offboard customer", *Role)
    return _preview(session, partner_id, normalize_id(customer_id), cancel_reservations=cancel_reservations, lock=False)


@dataclass(frozen=True)
class OffboardingResult:
    customer_id: str
    suspended: list[str]
    cancelled: list[str]
    relationship_id: str


def _suspend_all(session: Session, actor: Actor, *, partner_id: str, preview: OffboardingPreview) -> list[str]:
    """Suspend the preview's subscriptions, already locked, as `update_subscription` would one by one (the
    rules of `Subscription.suspend`; each for the partner's own reason, an add-on suspended with its parent
    `ParentSuspended`; one `suspend_subscription`
    record each with the fields that changed), but as one batch: the relationship is locked once, and the
    updates and records go to the database in one flush, not six statements per subscription."""
    now = utc_now()
    suspended: list[str] = []
    done: set[str] = set()
    changes: list[Change] = []
    for sub in preview.to_suspend:  # parents come before their add-ons
        before = subscription_audit_view(sub)
        reason = (
            SuspensionReason.PARENT_SUSPENDED
            if sub.parent_subscription_id in done
            else suspension_reason_of(sub, partner_id)
        )
        sub.suspend(Suspension(reason, partner_id, actor.email, now))
        done.add(sub.id)
        suspended.append(sub.id)
        changes.append(Change.between(sub.id, before, subscription_audit_view(sub)))
    session.flush()
    record_many(
        session,
        actor,
        operation=Operation.SUSPEND_SUBSCRIPTION,
        resource_type=ResourceType.SUBSCRIPTION,
        changes=changes,
        partner_id=partner_id,
        customer_id=preview.customer_id,
        customer_name=preview.company_name,
        now=now,
    )
    return suspended


def offboard_customer(
    session: Session, actor: Actor, *, customer_id: str, cancel_reservations: bool = False
) -> OffboardingResult:
    """Suspend every active or pending subscription bought through the partner (add-ons with their parent),
    cancel reservations if asked (else refuse while any is active), then remove the reseller relationship
    with all its effects — in the caller's single transaction, so it either completes or changes nothing.
    Who: whoever may remove the relationship (Global admin; Admin agent if the partner allows it)."""
    partner_id = require_remover(session, actor)
    customer_id = normalize_id(customer_id)
    preview = _preview(session, partner_id, customer_id, cancel_reservations=cancel_reservations, lock=True)
    if preview.blocking:
        raise OffboardingBlockedByReservations(
            data=[blocking_subscription_dict(s) for s in preview.blocking],
            count=len(preview.blocking),
        )
    suspended = _suspend_all(session, actor, partner_id=partner_id, preview=preview)
    cancelled: list[str] = []
    for s in preview.to_cancel:
        update_subscription(
            session,
            actor,
            customer_id=customer_id,
            subscription_id=s.id,
            change=SubscriptionChange(status=SubscriptionStatus.DELETED),
        )
        cancelled.append(s.id)
    rel = remove_reseller_relationship(session, actor, customer_id=customer_id)
    result = OffboardingResult(customer_id, suspended, cancelled, rel.id)
    record(
        session,
        actor,
        operation=Operation.OFFBOARD_CUSTOMER,
        resource_type=ResourceType.CUSTOMER,
        resource_id=customer_id,
        partner_id=partner_id,
        customer_id=customer_id,
        customer_name=preview.company_name,
        old={"relationshipToPartner": "reseller"},
        new={"suspended": len(suspended), "cancelled": len(cancelled), "relationshipToPartner": "none"},
    )
    return result
