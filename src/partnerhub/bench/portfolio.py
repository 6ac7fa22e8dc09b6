"""The synthetic portfolio: partners, customers, relationships, subscriptions (add-ons, every status), orders,
users and activity records, built in bulk through the model tables (not one service call per row).

Rows are produced deterministically from a salt, so the plain-SQL floor can load exactly the same rows into
a sibling database. On SQLite the model path is SQLAlchemy Core `insert(table)` executemany; on PostgreSQL it
is COPY of the values put through each column's own type (aware UTC datetimes, JSON)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table

from partnerhub.all_models import (
    ActivityRecord,
    Customer,
    Order,
    OutboxEvent,
    Partner,
    ResellerRelationship,
    Subscription,
    Tenant,
    User,
)
from partnerhub.auth.passwords import hash_password
from partnerhub.clock import utc_now
from partnerhub.ids import new_password

# Insert order: every row's foreign keys point to tables earlier in this list.
TABLES: list[Table] = [
    t.__table__  # type: ignore[misc]  # a mapped class's __table__ is typed FromClause; these are Tables
    for t in (Tenant, Partner, Customer, User, ResellerRelationship, Order, Subscription, ActivityRecord, OutboxEvent)
]

BASIC, EXO, EXO_ARCHIVE = "CFQ7TTC0LH18:0001", "CFQ7TTC0LH16:0001", "CFQ7TTC0LH0R:0001"
E3, TEAMS_PHONE = "CFQ7TTC0LFLX:0001", "CFQ7TTC0LGZT:0001"
STANDARD, AUDIO_CONF = "CFQ7TTC0LDPB:0001", "CFQ7TTC0LHSF:0001"
POWER_BI, AZURE_PLAN, RESERVED_VM = "CFQ7TTC0LFJL:0001", "DZH318Z0BPS6:0001", "DZH318Z0BQ4B:0047"
WORDS = (
    "alpine",
    "boreal",
    "cobalt",
    "delta",
    "ember",
    "fabrikam",
    "granite",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "meridian",
    "northwind",
    "onyx",
    "pioneer",
    "quartz",
    "riverside",
    "summit",
    "tailspin",
    "umbra",
    "vertex",
    "wingtip",
    "xylo",
    "yarrow",
    "zephyr",
)

# A subscription slot: (offer id, status or statuses to rotate through, index of the parent slot or None).
Slot = tuple[str, str | tuple[str, ...], int | None]
# Ten subscriptions a customer of the main portfolio holds: add-ons under active and suspended parents,
# and every status (active, suspended, pending, expired, disabled, deleted); reservations only inactive.
PORTFOLIO_SLOTS: list[Slot] = [
    (BASIC, "active", None),
    (EXO, "active", None),
    (EXO_ARCHIVE, "active", 1),
    (E3, "active", None),
    (TEAMS_PHONE, "active", 3),
    (STANDARD, "suspended", None),
    (AUDIO_CONF, "suspended", 5),
    (POWER_BI, ("pending", "expired", "disabled", "deleted"), None),
    (AZURE_PLAN, "active", None),
    (RESERVED_VM, ("deleted", "expired"), None),
]


def slots_of(status: str, count: int, offer: str = BASIC) -> list[Slot]:
    """`count` base subscriptions of one offer, all in one status (fixtures for destructive operations)."""
    return [(offer, status, None)] * count


@dataclass
class CustomerRef:
    id: str
    name: str
    subscription_ids: list[str]


@dataclass
class PartnerRef:
    id: str
    admin_email: str
    customers: list[CustomerRef] = field(default_factory=list)


class Portfolio:
    """Makes rows and hands them, table by table in batches, to a sink (the model path or the floor)."""

    def __init__(
        self,
        offers: dict[str, dict[str, Any]],
        sink: Callable[[dict[str, list[dict[str, Any]]]], None],
        *,
        salt: int,
        now: datetime,
        batch_rows: int = 20_000,
    ) -> None:
        self.offers = offers
        self.sink = sink
        self.salt = salt
        self.now = now
        self.batch_rows = batch_rows
        self.counter = 0
        self.rows_written = 0
        self.batch: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
        self.pending = 0
        self.password_hash = hash_password(new_password())  # one real hash: nobody signs in as these users

    def new_id(self) -> str:
        self.counter += 1
        return str(uuid.UUID(int=(self.salt << 64) | self.counter))

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.batch[table].append(row)
        self.pending += 1
        if self.pending >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.sink(self.batch)
            self.rows_written += self.pending
            self.batch = {t.name: [] for t in TABLES}
            self.pending = 0

    def _user(self, tenant_id: str, email: str, at: datetime, roles: list[str]) -> None:
        self._add(
            "users",
            {
                "id": self.new_id(),
                "tenant_id": tenant_id,
                "email": email,
                "display_name": email.split("@")[0],
                "password_hash": self.password_hash,
                "roles": roles,
                "locale": "en",
                "is_active": True,
                "created_at": at,
                "password_is_one_time": False,
                "password_changed_at": at,
                "mfa_secret": None,
                "mfa_enabled_at": None,
                "mfa_last_step": None,
            },
        )

    def _activity(
        self,
        at: datetime,
        partner_id: str,
        customer_id: str | None,
        customer_name: str | None,
        user_id: str | None,
        email: str,
        operation: str,
        resource_type: str,
        resource_id: str,
        new: dict[str, Any],
    ) -> None:
        rec_id = self.new_id()
        self._add(
            "activity_records",
            {
                "id": rec_id,
                "created_at": at,
                "partner_id": partner_id,
                "customer_id": customer_id,
                "customer_name": customer_name,
                "user_id": user_id,
                "user_principal_name": email,
                "application_id": "bench",
                "resource_type": resource_type,
                "resource_id": resource_id,
                "operation_type": operation,
                "operation_status": "succeeded",
                "old_value": None,
                "new_value": new,
                "correlation_id": self.new_id(),
            },
        )
        self._add(
            "outbox_events",
            {
                "id": self.new_id(),
                "created_at": at,
                "partner_id": partner_id,
                "event_type": operation,
                "activity_record_id": rec_id,
                "delivered_at": at,
            },
        )

    def partner(self, name: str, partner_type: str) -> PartnerRef:
        """A partner tenant with its Global admin user and its onboarding activity record."""
        pid = self.new_id()
        n = self.counter
        domain = f"p{n}-{self.salt % 100000}.partners.bench.example"
        email = f"admin@{domain}"
        at = self.now - timedelta(days=400)
        self._add(
            "tenants",
            {"id": pid, "kind": "partner", "name": name, "domain": domain, "created_at": at, "requires_mfa": True},
        )
        self._add(
            "partners",
            {
                "id": pid,
                "partner_type": partner_type,
                "mpn_id": str(10_000_000 + n),
                "invitation_nonce": f"b{self.salt % 10**9:09d}x{n:05d}"[-16:],
                "legacy_invitation_code_hash": None,
                "admin_agents_may_remove": False,
            },
        )
        self._user(pid, email, at, ["global-admin"])
        self._activity(at, pid, None, None, None, "system", "add_partner", "partner", pid, {"name": name})
        return PartnerRef(pid, email)

    def customers(
        self, partner: PartnerRef, count: int, slots: Sequence[Slot], *, keep: bool = True, name_word: str | None = None
    ) -> list[CustomerRef]:
        """`count` customers of `partner`, each with an active reseller relationship, a Global admin, one
        order holding its subscriptions (one per slot) and an `add_customer` activity record, created at
        instants spread over the last 30 days."""
        made: list[CustomerRef] = []
        span = 30 * 86400
        for i in range(count):
            cid = self.new_id()
            n = self.counter
            word = name_word or WORDS[n % len(WORDS)]
            company = f"{word.title()} {n:07d} Srl"
            domain = f"c{n}-{self.salt % 100000}.bench.example"
            at = self.now - timedelta(seconds=(n * 7919) % span + 60)
            self._add(
                "tenants",
                {
                    "id": cid,
                    "kind": "customer",
                    "name": company,
                    "domain": domain,
                    "created_at": at,
                    "requires_mfa": False,
                },
            )
            self._add(
                "customers",
                {
                    "id": cid,
                    "company_name": company,
                    "company_name_key": company.lower(),
                    "domain": domain,
                    "organization_registration_number": "",
                    "first_name": "Ada",
                    "last_name": "Rossi",
                    "email": f"ada@{domain}",
                    "culture": "it-IT",
                    "language": "it",
                    "billing_company_name": company,
                    "address_line1": "Via Roma 1",
                    "city": "Milano",
                    "state": "MI",
                    "postal_code": "20100",
                    "country": "IT",
                    "phone_number": "+39 02 000000",
                    "created_at": at,
                    "version": 1,
                },
            )
            self._user(cid, f"admin@{domain}", at, ["global-admin"])
            self._add(
                "reseller_relationships",
                {
                    "id": self.new_id(),
                    "partner_id": partner.id,
                    "customer_id": cid,
                    "status": "active",
                    "has_delegated_admin": True,
                    "associated_partner_id": None,
                    "origin": "customer-created",
                    "invitation_id": None,
                    "activated_at": at,
                    "removed_at": None,
                    "removed_by_user_id": None,
                    "removed_by": None,
                    "version": 1,
                    "customer_name_key": company.lower(),
                    "customer_domain": domain,
                },
            )
            order_id = self.new_id()
            self._add(
                "orders",
                {
                    "id": order_id,
                    "customer_id": cid,
                    "partner_id": partner.id,
                    "billing_cycle": "monthly",
                    "currency_code": "EUR",
                    "status": "completed",
                    "created_at": at,
                    "created_by_user_id": None,
                },
            )
            sub_ids = self._subscriptions(cid, partner.id, order_id, slots, at, i)
            self._activity(
                at,
                partner.id,
                cid,
                company,
                None,
                partner.admin_email,
                "add_customer",
                "customer",
                cid,
                {"companyName": company, "domain": domain},
            )
            ref = CustomerRef(cid, company, sub_ids)
            if keep:
                partner.customers.append(ref)
            made.append(ref)
        return made

    def _subscriptions(
        self, cid: str, pid: str, order_id: str, slots: Sequence[Slot], at: datetime, i: int
    ) -> list[str]:
        ids: list[str] = []
        for offer_id, statuses, parent in slots:
            offer = self.offers[offer_id]
            status = statuses if isinstance(statuses, str) else statuses[i % len(statuses)]
            sid = self.new_id()
            term = offer["term"]
            self._add(
                "subscriptions",
                {
                    "id": sid,
                    "customer_id": cid,
                    "partner_id": pid,
                    "reseller_partner_id": None,
                    "order_id": order_id,
                    "offer_id": offer_id,
                    "offer_name": offer["name"],
                    "kind": offer["kind"],
                    "friendly_name": offer["name"],
                    "quantity": 5 + i % 20,
                    "unit_type": offer["unit_type"],
                    "status": status,
                    "auto_renew_enabled": status == "active" and offer["kind"] == "license",
                    "billing_cycle": offer["cycle"],
                    "term_duration": term,
                    "parent_subscription_id": ids[parent] if parent is not None else None,
                    "suspension_reasons": ["ResellerInitiated"] if status == "suspended" else [],
                    "suspensions": [
                        {
                            "reason": "ResellerInitiated",
                            "initiatorPartnerId": pid,
                            "initiatedBy": "",
                            "at": at.isoformat(),
                            "note": "",
                        }
                    ]
                    if status == "suspended"
                    else [],
                    "support_contact_id": None,
                    "created_at": at,
                    "commitment_end_at": at + timedelta(days=365 if term == "P1Y" else 30),
                    "version": 1,
                },
            )
            ids.append(sid)
        return ids


@dataclass(frozen=True)
class PortfolioShape:
    provider_customers: int
    other_partners: int
    customers_per_other: int
    growth: tuple[int, ...]  # customer counts of the growth partners (the provider is the largest level)


@dataclass
class World:
    provider: PartnerRef
    others: list[PartnerRef]
    growth: list[PartnerRef]


def build_world(gen: Portfolio, shape: PortfolioShape, *, progress: Callable[[int], None] | None = None) -> World:
    """One indirect provider with its customers (ten subscriptions each), the growth partners, and the
    other partners with their customers (one subscription each)."""
    provider = gen.partner("Bench Distribution SpA", "indirect-provider")
    chunk = 1000
    for start in range(0, shape.provider_customers, chunk):
        gen.customers(provider, min(chunk, shape.provider_customers - start), PORTFOLIO_SLOTS)
        if progress:
            progress(gen.rows_written + gen.pending)
    growth = []
    for size in shape.growth:
        partner = gen.partner(f"Growth {size} Srl", "direct")
        gen.customers(partner, size, [(BASIC, "active", None)])
        growth.append(partner)
    others = []
    for k in range(shape.other_partners):
        partner = gen.partner(f"Partner {k:04d} Srl", "direct")
        gen.customers(partner, shape.customers_per_other, [(BASIC, "active", None)], keep=False)
        others.append(partner)
        if progress and k % 50 == 0:
            progress(gen.rows_written + gen.pending)
    gen.flush()
    return World(provider, others, growth)


def fresh_salt() -> int:
    return uuid.uuid4().int >> 64


def now_utc() -> datetime:
    return utc_now()
