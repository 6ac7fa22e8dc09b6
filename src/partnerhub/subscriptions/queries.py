"""Scoped reads of subscriptions: "a partner's subscriptions" are those it transacts or holds as reseller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from partnerhub.errors import InvalidInput
from partnerhub.subscriptions.models import BLOCKING_STATUSES, Subscription


def belongs_to_partner(partner_id: Any) -> Any:
    return or_(Subscription.partner_id == partner_id, Subscription.reseller_partner_id == partner_id)


class SubscriptionFields(Protocol):
    """A subscription as read for display: the ORM entity, or the row of its columns a listing reads."""

    @property
    def id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def partner_id(self) -> str: ...
    @property
    def reseller_partner_id(self) -> str | None: ...
    @property
    def order_id(self) -> str: ...
    @property
    def offer_id(self) -> str: ...
    @property
    def offer_name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def friendly_name(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def auto_renew_enabled(self) -> bool: ...
    @property
    def billing_cycle(self) -> str: ...
    @property
    def term_duration(self) -> str: ...
    @property
    def parent_subscription_id(self) -> str | None: ...
    @property
    def suspension_reasons(self) -> list[str]: ...
    @property
    def support_contact_id(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def commitment_end_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class SubscriptionPage:
    items: list[SubscriptionFields]
    next_cursor: str | None


def select_partner_subscriptions(
    session: Session, *, partner_id: str | None, customer_id: str, size: int = 100, after: str | None = None,
    status: str | None = None,
) -> SubscriptionPage:
    """A keyset page (by id) of a customer's subscriptions; `partner_id=None` means all partners'."""
    if not 1 <= size <= 500:
        raise InvalidInput(detail="size must be between 1 and 500")
    # columns, not entities: a listing's rows only become JSON, a page or a table
    stmt = select(*Subscription.__table__.c).where(Subscription.customer_id == customer_id)
    if partner_id is not None:
        stmt = stmt.where(belongs_to_partner(partner_id))
    if status:
        stmt = stmt.where(Subscription.status == status)
    if after:
        stmt = stmt.where(Subscription.id > after)
    rows: list[SubscriptionFields] = list(session.execute(stmt.order_by(Subscription.id).limit(size + 1)))
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        nxt = rows[-1].id
    return SubscriptionPage(rows, nxt)


def blocking_subscriptions(session: Session, *, partner_id: str, customer_id: str) -> list[Subscription]:
    """The partner's active or pending subscriptions of the customer: they block removing the relationship."""
    stmt = (
        select(Subscription)
        .where(
            Subscription.customer_id == customer_id,
            belongs_to_partner(partner_id),
            Subscription.status.in_([s.value for s in BLOCKING_STATUSES]),
        )
        .order_by(Subscription.created_at, Subscription.id)
    )
    return list(session.scalars(stmt))


_ADDONS = (select(Subscription).where(Subscription.parent_subscription_id == bindparam("parent_id"))
           .order_by(Subscription.id))
_ADDONS_LOCKED = _ADDONS.with_for_update()


def addons_of(session: Session, parent_id: str, *, lock: bool = False) -> list[Subscription]:
    return list(session.scalars(_ADDONS_LOCKED if lock else _ADDONS, {"parent_id": parent_id}))
