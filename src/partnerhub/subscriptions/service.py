"""Subscription use cases: list, get, and update (suspend, reactivate, cancel, quantity, friendly name)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import diff, record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.catalog.models import Offer
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import etag_version
from partnerhub.errors import (
    InvalidInput,
    InvalidQuantity,
    ProviderRelationshipEnded,
    StaleEtag,
    SubscriptionStatusChange,
)
from partnerhub.ids import normalize_id
from partnerhub.relationships.queries import find_active_relationship, require_active_relationship
from partnerhub.subscriptions.models import (
    Subscription,
    SubscriptionStatus,
    Suspension,
    SuspensionReason,
    suspension_reason_of,
)
from partnerhub.subscriptions.queries import (
    SubscriptionFields,
    SubscriptionPage,
    addons_of_unscoped,
    get_subscription,
    load_subscription,
    partner_names_unscoped,
    select_partner_subscriptions,
    subscription_scope,
)
from partnerhub.subscriptions.schemas import subscription_audit_view, subscription_dict
from partnerhub.tenants.models import Partner

SUBSCRIPTION_MANAGERS = (Role.ADMIN_AGENT, Role.HELPDESK_AGENT)


def list_subscriptions(
    session: Session,
    actor: Actor,
    *,
    customer_id: str,
    size: int = 100,
    after: str | None = None,
    status: str | None = None,
) -> SubscriptionPage:
    """A customer's subscriptions bought through the acting partner (all of them for the customer)."""
    customer_id = normalize_id(customer_id)
    partner_id = subscription_scope(session, actor, customer_id)
    return select_partner_subscriptions(
        session, partner_id=partner_id, customer_id=customer_id, size=size, after=after, status=status
    )


# Built once (so are their cache keys): one for each way a subscription is loaded.
_CUSTOMER_NAME = select(Customer.company_name).where(Customer.id == bindparam("customer_id"))


def list_addons(session: Session, actor: Actor, *, customer_id: str, subscription_id: str) -> list[Subscription]:
    parent = get_subscription(session, actor, customer_id=customer_id, subscription_id=subscription_id)
    return addons_of_unscoped(session, parent.id)


@dataclass
class SubscriptionChange:
    """What a partner asks to change; None leaves a field as it is."""

    status: str | None = None
    quantity: int | None = None
    friendly_name: str | None = None
    auto_renew_enabled: bool | None = None
    suspension_note: str | None = None  # why, when suspending (optional, up to 500 characters)


MAX_NOTE = 500


def update_subscription(
    session: Session,
    actor: Actor,
    *,
    customer_id: str,
    subscription_id: str,
    change: SubscriptionChange,
    etag: str | None = None,
) -> Subscription:
    """Apply a change under the rules of DOMAIN.md §3 and §8:
    - the relationship row is locked first, so no reactivation slips past a concurrent removal;
    - a stale etag is refused (2055); unchanged values are no change;
    - suspending suspends the add-ons and turns auto-renew off; an add-on is never active under an
      inactive parent; reactivating a parent leaves its add-ons suspended;
    - a suspended subscription takes only reactivation or a friendly name (quantity → 2001, other → 800091);
    - deleted, expired or disabled subscriptions cannot be updated; reservations cannot be suspended;
    - suspension reasons (issue 15 §3): each party suspends for its own reason (the indirect provider of a
      subscription sold through a reseller `ProviderInitiated`, the partner or reseller of record
      `ResellerInitiated`, add-ons `ParentSuspended`), a suspended subscription takes another party's reason
      beside its own, and a reactivation lifts only the reactivating party's reasons: the subscription is
      active again when none is left, else it stays suspended (refused with 800600 when none was its own).
    """
    partner_id = actor.require_partner("update subscription", *SUBSCRIPTION_MANAGERS)
    customer_id = normalize_id(customer_id)
    subscription_id = normalize_id(subscription_id)
    reactivating = bool(change.status) and str(change.status).strip().lower() == SubscriptionStatus.ACTIVE
    if reactivating:
        # A reseller of record reactivating its provider's subscription locks the provider's relationship
        # too, so the provider's removal cannot slip in and leave an active subscription behind. Provider's
        # relationship first, then the reseller's, then the subscription: the order orders and support-contact
        # changes already keep (a provider naming its reseller locks its own relationship, then the
        # reseller's), so the two can never wait on each other.
        owner = load_subscription(session, partner_id, customer_id, subscription_id).partner_id
        if (
            owner != partner_id
            and find_active_relationship(session, partner_id=owner, customer_id=customer_id, lock=True) is None
        ):
            raise ProviderRelationshipEnded(id=subscription_id)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    sub = load_subscription(session, partner_id, customer_id, subscription_id, lock=True)
    if etag is not None and etag_version(etag, sub.id) != sub.version:
        raise StaleEtag(resource="Subscription", id=sub.id)
    before = subscription_audit_view(sub)
    now = utc_now()
    target = change.status.strip().lower() if change.status else None
    note = (change.suspension_note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            data=[{"field": "suspensionNote", "message": f"is longer than {MAX_NOTE} characters"}],
            detail=f"suspensionNote is longer than {MAX_NOTE} characters",
        )
    if target == sub.status and target != SubscriptionStatus.SUSPENDED:
        target = None
    cascaded: list[tuple[Subscription, dict[str, object]]] = []
    if target == SubscriptionStatus.ACTIVE:
        parent = session.get(Subscription, sub.parent_subscription_id) if sub.parent_subscription_id else None
        sub.reactivate(
            parent,
            partner_id=partner_id,
            names=partner_names_unscoped(session, {s.initiator_partner_id for s in sub.suspension_details}),
        )
    if change.friendly_name is not None:
        name = change.friendly_name.strip()
        if not name:
            raise InvalidInput(detail="friendlyName cannot be empty")
        sub.rename(name[:200])
    if change.quantity is not None:
        offer = session.get(Offer, sub.offer_id)
        low, high = (offer.min_quantity, offer.max_quantity) if offer else (1, 10000)
        if not low <= change.quantity <= high:
            raise InvalidQuantity(minimum=low, maximum=high, quantity=change.quantity)
        sub.change_quantity(change.quantity)
    if change.auto_renew_enabled is not None:
        sub.set_auto_renew(change.auto_renew_enabled)
    if target == SubscriptionStatus.SUSPENDED:
        sub.suspend(Suspension(suspension_reason_of(sub, partner_id), partner_id, actor.email, now, note))
        cascade = Suspension(SuspensionReason.PARENT_SUSPENDED, partner_id, actor.email, now)
        for addon in addons_of_unscoped(session, sub.id, lock=True):
            addon_before = subscription_audit_view(addon)
            if addon.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING) and addon.suspend(cascade):
                cascaded.append((addon, addon_before))
    elif target == SubscriptionStatus.DELETED and sub.kind == "reservation":
        sub.cancel()
    elif target not in (None, SubscriptionStatus.ACTIVE):
        raise SubscriptionStatusChange(old=sub.status, new=target)
    after = subscription_audit_view(sub)
    if after != before:
        operations: dict[str | None, Operation] = {
            SubscriptionStatus.SUSPENDED: Operation.SUSPEND_SUBSCRIPTION,
            SubscriptionStatus.ACTIVE: Operation.REACTIVATE_SUBSCRIPTION,
            SubscriptionStatus.DELETED: Operation.CANCEL_SUBSCRIPTION,
        }
        operation = operations.get(target, Operation.UPDATE_SUBSCRIPTION)
        _record(
            session,
            actor,
            sub,
            partner_id,
            operation,
            before,
            after,
            now,
            note=note if target == SubscriptionStatus.SUSPENDED else "",
        )
    for addon, addon_before in cascaded:
        _record(
            session,
            actor,
            addon,
            partner_id,
            Operation.SUSPEND_SUBSCRIPTION,
            addon_before,
            subscription_audit_view(addon),
            now,
        )
    return sub


def _record(
    session: Session,
    actor: Actor,
    sub: Subscription,
    partner_id: str,
    operation: Operation,
    before: dict[str, object],
    after: dict[str, object],
    now: object,
    *,
    note: str = "",
) -> None:
    customer_name = session.scalar(_CUSTOMER_NAME, {"customer_id": sub.customer_id})
    changed_old, changed_new = diff(before, after)
    if note:
        changed_new["suspensionNote"] = note
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.SUBSCRIPTION,
        resource_id=sub.id,
        partner_id=partner_id,
        customer_id=sub.customer_id,
        customer_name=customer_name,
        old=changed_old,
        new=changed_new,
    )


@dataclass(frozen=True)
class SuspensionShown:
    """One suspension reason as a page shows it: with the name of the partner that holds it."""

    suspension: Suspension
    initiator_name: str


def list_suspensions(session: Session, sub: Subscription) -> list[SuspensionShown]:
    """Every reason a visible subscription is suspended for, oldest first, with whose it is."""
    details = sub.suspension_details
    names = partner_names_unscoped(session, {s.initiator_partner_id for s in details})
    return [SuspensionShown(s, names.get(s.initiator_partner_id, s.initiator_partner_id)) for s in details]


def remaining_reasons_text(shown: Sequence[SuspensionShown]) -> str:
    """`Reason (Partner), ...`: the reasons a subscription is still suspended for, and whose they are."""
    return ", ".join(f"{s.suspension.reason} ({s.initiator_name})" for s in shown)


def describe_subscriptions(session: Session, subs: Sequence[SubscriptionFields]) -> list[dict[str, Any]]:
    """Subscriptions in Partner Center's shape, `partnerId` being the reseller of record's MPN id ("" when
    none), with one query for the whole list."""
    reseller_ids = {s.reseller_partner_id for s in subs if s.reseller_partner_id}
    mpn: dict[str, str] = {}
    if reseller_ids:
        rows = session.execute(select(Partner.id, Partner.mpn_id).where(Partner.id.in_(reseller_ids)))
        mpn = {str(pid): str(mpn_id) for pid, mpn_id in rows}
    return [subscription_dict(s, reseller_mpn_id=mpn.get(s.reseller_partner_id or "")) for s in subs]
