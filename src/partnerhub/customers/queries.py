"""Scoped reads of customers: a partner sees only customers it has an active relationship with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Bundle, Session

from partnerhub.customers.models import Customer
from partnerhub.errors import InvalidInput
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.tenants.models import Tenant

SearchField = Literal["company", "domain"]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CustomerFields(Protocol):
    """A customer as read for display: the ORM entity, or the row of its columns a listing reads."""

    @property
    def id(self) -> str: ...
    @property
    def company_name(self) -> str: ...
    @property
    def company_name_key(self) -> str: ...
    @property
    def domain(self) -> str: ...
    @property
    def organization_registration_number(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def culture(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def billing_company_name(self) -> str: ...
    @property
    def address_line1(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def phone_number(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...


class RelationshipFields(Protocol):
    """What a customer listing shows of the partner's relationship with each customer."""

    @property
    def id(self) -> str: ...
    @property
    def partner_id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def has_delegated_admin(self) -> bool: ...
    @property
    def associated_partner_id(self) -> str | None: ...
    @property
    def activated_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class CustomerRow:
    customer: CustomerFields
    relationship: RelationshipFields


# A listing reads columns, not entities: no identity map, no instance state, for rows that only become JSON,
# a page or a CSV line. Bundles keep the two halves addressable as row.customer and row.relationship.
_CUSTOMER_COLUMNS: Bundle[Any] = Bundle("customer", *Customer.__table__.c)
_RELATIONSHIP_COLUMNS: Bundle[Any] = Bundle(
    "relationship",
    ResellerRelationship.id,
    ResellerRelationship.partner_id,
    ResellerRelationship.customer_id,
    ResellerRelationship.status,
    ResellerRelationship.has_delegated_admin,
    ResellerRelationship.associated_partner_id,
    ResellerRelationship.activated_at,
    ResellerRelationship.version,
)


_VISIBLE_CUSTOMER = (  # built once: its cache key too
    select(Customer, ResellerRelationship)
    .join(ResellerRelationship, ResellerRelationship.customer_id == Customer.id)
    .where(
        ResellerRelationship.partner_id == bindparam("partner_id"),
        ResellerRelationship.customer_id == bindparam("customer_id"),
        ResellerRelationship.status == RelationshipStatus.ACTIVE,
    )
)


def find_visible_customer(
    session: Session, *, partner_id: str, customer_id: str
) -> tuple[Customer, ResellerRelationship] | None:
    """The customer with the partner's active relationship, in one query; None if there is none."""
    found = session.execute(_VISIBLE_CUSTOMER, {"partner_id": partner_id, "customer_id": customer_id}).first()
    return (found[0], found[1]) if found is not None else None


@dataclass(frozen=True)
class CustomerPage:
    items: list[CustomerRow]
    next_cursor: tuple[str, str] | None  # (sort key, id) of the last row


def select_visible_customers(
    session: Session,
    *,
    partner_id: str,
    size: int,
    after: tuple[str, str] | None = None,
    prefix: str | None = None,
    field: SearchField = "company",
) -> CustomerPage:
    """One keyset page of the partner's customers (active relationships only), ordered by the searched
    field, optionally filtered by a case-insensitive prefix. Never OFFSET, and the order and filter use the
    relationship's own copy of the sort keys: a page is one index range scan, flat in the page depth and in
    the number of other partners' customers."""
    if not 1 <= size <= 500:
        raise InvalidInput(detail="size must be between 1 and 500")
    key = ResellerRelationship.customer_name_key if field == "company" else ResellerRelationship.customer_domain
    stmt = (
        select(_CUSTOMER_COLUMNS, _RELATIONSHIP_COLUMNS)
        .join(ResellerRelationship, ResellerRelationship.customer_id == Customer.id)
        .where(
            ResellerRelationship.partner_id == partner_id,
            ResellerRelationship.status == RelationshipStatus.ACTIVE,
        )
    )
    if prefix:
        stmt = stmt.where(key.like(_escape_like(prefix.strip().lower()) + "%", escape="\\"))
    if after is not None:
        stmt = stmt.where(or_(key > after[0], and_(key == after[0], ResellerRelationship.customer_id > after[1])))
    stmt = stmt.order_by(key, ResellerRelationship.customer_id).limit(size + 1)
    rows = [CustomerRow(c, r) for c, r in session.execute(stmt)]
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1].customer
        nxt = (last.company_name_key if field == "company" else last.domain, last.id)
    return CustomerPage(rows, nxt)


def partners_of_customer_unscoped(session: Session, *, customer_id: str) -> list[tuple[str, str]]:
    """(id, name) of every partner with an active relationship with the customer, by name: the partners whose
    activity logs a change of the customer's shared data, or an operator's read of it, concerns. The caller
    has found the customer in its own scope first."""
    stmt = (
        select(Tenant.id, Tenant.name)
        .join(ResellerRelationship, ResellerRelationship.partner_id == Tenant.id)
        .where(
            ResellerRelationship.customer_id == customer_id, ResellerRelationship.status == RelationshipStatus.ACTIVE
        )
        .order_by(Tenant.name, Tenant.id)
    )
    return [(pid, name) for pid, name in session.execute(stmt)]
