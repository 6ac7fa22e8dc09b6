"""Orders on behalf of a customer: validated against the catalog, refused without an active relationship."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.catalog.models import Offer
from partnerhub.catalog.queries import get_offer
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.errors import (
    AddonWithoutParent,
    DomainError,
    EmptyOrder,
    InvalidInput,
    InvalidParent,
    InvalidQuantity,
    InvalidTerm,
    OfferNotFound,
    OrderNotFound,
    ResellerNotRelatedToCustomer,
    ResellerOfRecordNotAllowed,
    ResellerPlacesNoOrders,
    UnknownResellerOfRecord,
)
from partnerhub.ids import new_id, normalize_id
from partnerhub.orders.models import Order, OrderLineItem
from partnerhub.orders.schemas import LineItemInput
from partnerhub.partnerships.queries import partner_name_unscoped, require_active_partnership
from partnerhub.relationships.queries import find_active_relationship, require_active_relationship
from partnerhub.subscriptions.models import Subscription, SubscriptionStatus
from partnerhub.subscriptions.queries import belongs_to_partner
from partnerhub.tenants.models import Partner, PartnerType

ORDER_PLACERS = (Role.ADMIN_AGENT, Role.SALES_AGENT)
_TERM_DAYS = {"P1M": 30, "P1Y": 365, "P3Y": 3 * 365}


def commitment_end(start: datetime, term: str) -> datetime:
    return start + timedelta(days=_TERM_DAYS.get(term, 30))


def create_order(
    session: Session,
    actor: Actor,
    *,
    customer_id: str,
    line_items: list[LineItemInput],
    billing_cycle: str | None = None,
    currency_code: str = "USD",
) -> tuple[Order, list[OrderLineItem], list[Subscription]]:
    """Place an order (Global admin, Admin agent, Sales agent). The relationship row is locked first, so an
    order either commits before a removal (and then blocks it) or sees the removal and is refused (20002).
    Each line item creates an active subscription; add-ons need an active parent of their parent offer.
    An indirect reseller places no orders: its provider orders and names it as reseller of record
    (`partnerIdOnRecord`), which needs an active partnership between them and an active relationship
    between the reseller and the customer; a direct partner names no reseller of record."""
    partner_id = actor.require_partner("create order", *ORDER_PLACERS)
    ordering = session.get(Partner, partner_id)
    if ordering is not None and ordering.partner_type == PartnerType.INDIRECT_RESELLER:
        raise ResellerPlacesNoOrders()
    customer_id = normalize_id(customer_id)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True, commerce=True)
    if not line_items:
        raise EmptyOrder()
    if len(line_items) > 100:
        raise InvalidInput(detail="an order has at most 100 line items")
    now = utc_now()
    order = Order(
        id=new_id(),
        customer_id=customer_id,
        partner_id=partner_id,
        billing_cycle="",
        currency_code=currency_code.upper()[:3],
        status="completed",
        created_at=now,
        created_by_user_id=actor.user_id,
    )
    items: list[OrderLineItem] = []
    subs: list[Subscription] = []
    cycles: set[str] = set()
    for index, line in enumerate(line_items):
        checked = _check_line(session, partner_id, customer_id, line, billing_cycle)
        if checked.problems:
            raise checked.problems[0][1]
        offer, term, cycle, parent_id = checked.offer, checked.term, checked.cycle, checked.parent_id
        assert offer is not None
        cycles.add(cycle)
        reseller_id = _reseller_of_record(session, ordering, customer_id, line.partner_id_on_record)
        sub = Subscription(
            id=new_id(),
            customer_id=customer_id,
            partner_id=partner_id,
            reseller_partner_id=reseller_id,
            order_id=order.id,
            offer_id=offer.id,
            offer_name=offer.name,
            kind=offer.kind,
            friendly_name=(line.friendly_name or offer.name).strip()[:200],
            quantity=line.quantity,
            unit_type=offer.unit_type,
            status=SubscriptionStatus.ACTIVE,
            auto_renew_enabled=offer.kind == "license",
            billing_cycle=cycle,
            term_duration=term,
            parent_subscription_id=parent_id,
            suspension_reasons=[],
            created_at=now,
            commitment_end_at=commitment_end(now, term),
            version=1,
        )
        subs.append(sub)
        number = line.line_item_number if line.line_item_number is not None else index
        items.append(
            OrderLineItem(
                order_id=order.id,
                line_item_number=number,
                offer_id=offer.id,
                quantity=line.quantity,
                friendly_name=sub.friendly_name,
                term_duration=term,
                parent_subscription_id=parent_id,
                partner_id_on_record=line.partner_id_on_record.strip() if line.partner_id_on_record else None,
                subscription_id=sub.id,
            )
        )
    if len({li.line_item_number for li in items}) != len(items):
        raise InvalidInput(detail="line item numbers must be unique")
    _lock_parents(session, items)
    order.billing_cycle = (
        billing_cycle.strip().lower() if billing_cycle else (cycles.pop() if len(cycles) == 1 else "none")
    )
    session.add(order)
    session.add_all(subs)
    session.flush()
    session.add_all(items)
    customer = session.get(Customer, customer_id)
    record(
        session,
        actor,
        operation=Operation.CREATE_ORDER,
        resource_type=ResourceType.ORDER,
        resource_id=order.id,
        partner_id=partner_id,
        customer_id=customer_id,
        customer_name=customer.company_name if customer else None,
        new={
            "orderId": order.id,
            "billingCycle": order.billing_cycle,
            "lineItems": [
                {
                    "offerId": li.offer_id,
                    "quantity": li.quantity,
                    "subscriptionId": li.subscription_id,
                    "partnerIdOnRecord": li.partner_id_on_record,
                }
                for li in items
            ],
        },
        now=now,
    )
    return order, items, subs


@dataclass
class CheckedLine:
    """One line item held against the catalog: its offer, term, billing cycle and parent, and what is wrong
    with it, each problem with the field it concerns (offer, quantity, term, billingCycle, parent)."""

    offer: Offer | None
    term: str = ""
    cycle: str = ""
    parent_id: str | None = None
    problems: list[tuple[str, DomainError]] = field(default_factory=list)


def _check_line(
    session: Session, partner_id: str, customer_id: str, line: LineItemInput, billing_cycle: str | None
) -> CheckedLine:
    """The catalog's rules for one line item: the offer exists, the quantity is in its range, the term and
    billing cycle are ones it is sold with, an add-on names an active parent of its parent offer."""
    try:
        offer = get_offer(session, line.offer_id.strip())
    except OfferNotFound as exc:
        return CheckedLine(None, problems=[("offer", exc)])
    checked = CheckedLine(offer)
    if not offer.min_quantity <= line.quantity <= offer.max_quantity:
        checked.problems.append(
            (
                "quantity",
                InvalidQuantity(minimum=offer.min_quantity, maximum=offer.max_quantity, quantity=line.quantity),
            )
        )
    checked.term = (line.term_duration or offer.default_term).strip().upper()
    if checked.term not in offer.term_durations:
        checked.problems.append(
            (
                "term",
                InvalidTerm(
                    offer_id=offer.id, field="termDuration", value=checked.term, allowed=", ".join(offer.term_durations)
                ),
            )
        )
    checked.cycle = (billing_cycle or offer.default_billing_cycle).strip().lower()
    if checked.cycle not in offer.billing_cycles:
        checked.problems.append(
            (
                "billingCycle",
                InvalidTerm(
                    offer_id=offer.id,
                    field="billingCycle",
                    value=checked.cycle,
                    allowed=", ".join(offer.billing_cycles),
                ),
            )
        )
    try:
        checked.parent_id = _check_parent(
            session, partner_id, customer_id, offer.id, offer.parent_offer_id, line.parent_subscription_id
        )
    except DomainError as exc:
        checked.problems.append(("parent", exc))
    return checked


@dataclass(frozen=True)
class LineItemProblem:
    index: int  # the line item's position in the list given
    field: str  # offer | quantity | term | billingCycle | parent
    error: DomainError


def check_line_items(
    session: Session,
    actor: Actor,
    *,
    customer_id: str,
    line_items: list[LineItemInput],
    billing_cycle: str | None = None,
) -> list[LineItemProblem]:
    """Every problem of every line item, by the same rules `create_order` applies (which stops at the
    first): for a form that shows each one next to its field. Changes nothing."""
    partner_id = actor.require_partner("create order", *ORDER_PLACERS)
    customer_id = normalize_id(customer_id)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, commerce=True)
    return [
        LineItemProblem(index, name, error)
        for index, line in enumerate(line_items)
        for name, error in _check_line(session, partner_id, customer_id, line, billing_cycle).problems
    ]


def _check_parent(
    session: Session,
    partner_id: str,
    customer_id: str,
    offer_id: str,
    parent_offer_id: str | None,
    parent_subscription_id: str | None,
) -> str | None:
    if parent_offer_id is None:
        if parent_subscription_id:
            raise InvalidParent(parent_id=parent_subscription_id, offer_id=offer_id)
        return None
    if not parent_subscription_id:
        raise AddonWithoutParent(offer_id=offer_id, parent_offer_id=parent_offer_id)
    parent = session.scalars(
        select(Subscription).where(
            Subscription.id == normalize_id(parent_subscription_id),
            Subscription.customer_id == customer_id,
            belongs_to_partner(partner_id),
        )
    ).first()
    if parent is None or parent.offer_id != parent_offer_id or parent.status != SubscriptionStatus.ACTIVE:
        raise InvalidParent(parent_id=parent_subscription_id, offer_id=offer_id)
    return parent.id


def _lock_parents(session: Session, items: list[OrderLineItem]) -> None:
    """Lock the add-ons' parents and check again that they are active. Locked last, after every relationship
    row (a reseller of record suspending the parent holds its own relationship, then the parent, then the
    add-ons): a concurrent suspension either commits first, and the order is refused, or waits for the order
    and then finds and suspends the new add-on too."""
    parents = {li.parent_subscription_id: li.offer_id for li in items if li.parent_subscription_id}
    if not parents:
        return
    locked = session.scalars(
        select(Subscription)
        .where(Subscription.id.in_(sorted(parents)))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for parent in locked:
        if parent.status != SubscriptionStatus.ACTIVE:
            raise InvalidParent(parent_id=parent.id, offer_id=parents[parent.id])


def _reseller_of_record(session: Session, ordering: Partner | None, customer_id: str, mpn_id: str | None) -> str | None:
    if not mpn_id:
        return None
    reseller = session.scalars(select(Partner).where(Partner.mpn_id == mpn_id.strip())).first()
    if reseller is None or reseller.partner_type != PartnerType.INDIRECT_RESELLER:
        raise UnknownResellerOfRecord(mpn_id=mpn_id)
    if ordering is None or ordering.partner_type != PartnerType.INDIRECT_PROVIDER:
        raise ResellerOfRecordNotAllowed(mpn_id=reseller.mpn_id)
    # Both rows stay locked until commit: neither the partnership nor the reseller's relationship can end
    # between this check and the order.
    require_active_partnership(session, provider_id=ordering.id, reseller_id=reseller.id)
    if find_active_relationship(session, partner_id=reseller.id, customer_id=customer_id, lock=True) is None:
        raise ResellerNotRelatedToCustomer(
            reseller=partner_name_unscoped(session, reseller.id), customer_id=customer_id
        )
    return reseller.id


def _orders_scope(session: Session, actor: Actor, customer_id: str) -> str:
    customer_id = normalize_id(customer_id)
    partner_id = actor.require_partner("orders", *Role)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, commerce=True)
    return partner_id


def list_orders(session: Session, actor: Actor, *, customer_id: str) -> list[tuple[Order, list[OrderLineItem]]]:
    """The customer's orders placed by the acting partner, newest first (20002 after a removal)."""
    customer_id = normalize_id(customer_id)
    partner_id = _orders_scope(session, actor, customer_id)
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id, Order.partner_id == partner_id)
            .order_by(Order.created_at.desc(), Order.id)
        )
    )
    lines = _lines(session, [o.id for o in orders])
    return [(o, lines.get(o.id, [])) for o in orders]


def get_order(session: Session, actor: Actor, *, customer_id: str, order_id: str) -> tuple[Order, list[OrderLineItem]]:
    customer_id = normalize_id(customer_id)
    partner_id = _orders_scope(session, actor, customer_id)
    order = session.scalars(
        select(Order).where(
            Order.id == normalize_id(order_id), Order.customer_id == customer_id, Order.partner_id == partner_id
        )
    ).first()
    if order is None:
        raise OrderNotFound(id=order_id)
    return order, _lines(session, [order.id]).get(order.id, [])


def _lines(session: Session, order_ids: list[str]) -> dict[str, list[OrderLineItem]]:
    out: dict[str, list[OrderLineItem]] = {}
    if not order_ids:
        return out
    stmt = (
        select(OrderLineItem)
        .where(OrderLineItem.order_id.in_(order_ids))
        .order_by(OrderLineItem.order_id, OrderLineItem.line_item_number)
    )
    for li in session.scalars(stmt):
        out.setdefault(li.order_id, []).append(li)
    return out
