"""`partnerhub demo`: realistic, reproducible demo data generated through the services (idempotent, resumable)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from rich.progress import Progress
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from partnerhub.all_models import Base
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.auth.passwords import hash_password, verify_password
from partnerhub.auth.service import actor_for_user, add_partner_user
from partnerhub.catalog.models import Offer
from partnerhub.catalog.service import load_default_catalog, parse_offers
from partnerhub.clock import frozen_at, utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.service import create_customer
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.lifetime import apply_gdap_clock
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.demo_admin import DEMO_OPERATOR, add_admin_story, designate_reseller_support, ensure_demo_operator
from partnerhub.demo_plan import DEPARTMENTS, SEED, CustomerSpec, plan_customers
from partnerhub.errors import InvalidInput
from partnerhub.ids import new_id
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.invitations.service import accept_invitation, create_invitation, revoke_invitation
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.partnerships.models import Partnership
from partnerhub.partnerships.queries import find_open_partnership
from partnerhub.partnerships.service import accept_partnership, invite_reseller
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.tenants.models import Partner, Tenant
from partnerhub.tenants.service import create_partner
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship

# DEMO ONLY: every demo account gets this well-known password so that people can sign in after any run.
# Never run `partnerhub demo` against a database that real users use.
DEMO_PASSWORD = "demo-password-1"  # noqa: S105
APP = "demo"
URL = "http://127.0.0.1:8000"  # invitation links are not stored: only their codes are


@dataclass(frozen=True)
class PartnerSpec:
    """A demo partner with a memorable admin e-mail and, optionally, one user per role."""

    key: str
    name: str
    type: str
    domain: str
    users: tuple[tuple[str, str], ...] = ()

    @property
    def admin_email(self) -> str:
        return f"admin@{self.domain}"


PARTNERS = (
    PartnerSpec(
        "contoso",
        "Contoso Direct",
        "direct",
        "contoso-direct.example",
        (("adminagent", "admin-agent"), ("sales", "sales-agent"), ("helpdesk", "helpdesk-agent")),
    ),
    PartnerSpec("fabrikam", "Fabrikam Cloud Italia", "direct", "fabrikam-cloud.example"),
    PartnerSpec("northwind", "Northwind Distribution", "indirect-provider", "northwind-distribution.example"),
    PartnerSpec("adatum", "Adatum Solutions", "indirect-reseller", "adatum-reseller.example"),
    PartnerSpec("trey", "Trey Research Italia", "indirect-reseller", "trey-reseller.example"),
)


@dataclass
class DemoAccount:
    """A sign-in account printed at the end (the password is the demo password)."""

    email: str
    role: str
    organisation: str
    password: str = DEMO_PASSWORD


@dataclass
class DemoResult:
    """What the run did and what the database now holds."""

    customers_created: int = 0
    customers_skipped: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)


@dataclass(frozen=True)
class _PartnerCtx:
    id: str
    mpn_id: str
    admin: Actor
    agents: dict[str, Actor]

    def as_role(self, role: str) -> Actor:
        """A fresh actor (its own correlation id) with `role`, or the Global admin if the partner has none."""
        return replace(self.agents.get(role, self.admin), correlation_id=new_id())


@dataclass(frozen=True)
class _Catalog:
    core: list[str]
    extras: list[str]
    addons: dict[str, str]
    reservations: list[str]
    azure: str
    offers: dict[str, dict[str, Any]]


def _catalog() -> _Catalog:
    text = resources.files("partnerhub.data").joinpath("offers.json").read_text(encoding="utf-8")
    offers = {o["id"]: o for o in parse_offers(text, fmt="json")}
    core = [i for i, o in offers.items() if re.match(r"(Microsoft|Office) 365 ", o["name"])]
    addons = {o["parent_offer_id"]: i for i, o in offers.items() if o["parent_offer_id"]}
    reservations = [i for i, o in offers.items() if o["kind"] == "reservation"]
    azure = next(i for i, o in offers.items() if o["max_quantity"] == 1)
    extras = [
        i
        for i, o in offers.items()
        if o["kind"] == "license" and not o["parent_offer_id"] and i not in core and i != azure
    ]
    return _Catalog(core, extras, addons, reservations, azure, offers)


def reset_database(engine: Engine) -> None:
    """Delete every row of every table (children first), then reload the default catalog."""
    with transaction(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        load_default_catalog(session, Actor.system(APP))


def generate(engine: Engine, *, customers: int = 300, reset: bool = False, progress: bool = False) -> DemoResult:
    """Fill the database with demo data through the services; re-running completes what is missing."""
    if customers < 0:
        raise InvalidInput(detail="--customers must be zero or more")
    if reset:
        reset_database(engine)
    catalog = _catalog()
    with transaction(engine) as session:
        if set(catalog.offers) - set(session.scalars(select(Offer.id))):
            load_default_catalog(session, Actor.system(APP))
    now = utc_now()
    partners = {spec.key: _ensure_partner(engine, spec, now) for spec in PARTNERS}
    for reseller in (p for p in PARTNERS if p.type == "indirect-reseller"):
        _ensure_partnership(engine, partners["northwind"], partners[reseller.key], now)
    plan = plan_customers(customers)
    with transaction(engine) as session:
        existing = set(session.scalars(select(Tenant.domain)))
    result = DemoResult()
    with _progress(progress, len(plan)) as advance:
        for spec in plan:
            if spec.domain in existing:
                result.customers_skipped += 1
            else:
                with transaction(engine) as session:
                    _build_customer(session, spec, partners, catalog, now)
                result.customers_created += 1
            advance()
    with transaction(engine) as session:  # the GDAP clock, as the service's scheduler would run it
        apply_gdap_clock(session, now=now)
    result.accounts = _demo_accounts(engine, plan)
    result.summary = summarize(engine)
    return result


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Any]:
    if not enabled:
        yield lambda: None
        return
    with Progress() as bar:
        task = bar.add_task("Generating demo customers", total=total)
        yield lambda: bar.advance(task)


def _ensure_partner(engine: Engine, spec: PartnerSpec, now: datetime) -> _PartnerCtx:
    """The partner and its users, created (as the operator, then its Global admin) unless they exist."""
    with transaction(engine) as session, frozen_at(now - timedelta(days=800)):
        tenant = session.scalar(select(Tenant).where(Tenant.domain == spec.domain))
        if tenant is None:
            create_partner(
                session,
                Actor.system(APP),
                name=spec.name,
                partner_type=spec.type,
                domain=spec.domain,
                admin_email=spec.admin_email,
            )
        admin_user = session.scalar(select(User).where(User.email == spec.admin_email))
        partner = session.scalar(
            select(Partner).join(Tenant, Tenant.id == Partner.id).where(Tenant.domain == spec.domain)
        )
        if admin_user is None or partner is None or partner.partner_type != spec.type:
            raise InvalidInput(
                detail=f"{spec.domain} exists but is not the demo partner {spec.name}; "
                "run `partnerhub demo --reset` on a demo database"
            )
        admin = actor_for_user(session, admin_user, application=APP)
        agents: dict[str, Actor] = {}
        for local, role in spec.users:
            email = f"{local}@{spec.domain}"
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                user, _ = add_partner_user(
                    session, admin, email=email, roles=[role], display_name=f"{spec.name} {role.replace('-', ' ')}"
                )
            agents[role] = actor_for_user(session, user, application=APP)
        return _PartnerCtx(partner.id, partner.mpn_id, admin, agents)


def _ensure_partnership(engine: Engine, provider: _PartnerCtx, reseller: _PartnerCtx, now: datetime) -> None:
    """The provider invites the reseller to a partnership and the reseller's Global admin accepts."""
    with transaction(engine) as session, frozen_at(now - timedelta(days=790)) as clock:
        if find_open_partnership(session, provider_id=provider.id, reseller_id=reseller.id) is None:
            invited = invite_reseller(session, provider.as_role("global-admin"), reseller_id=reseller.id)
            clock.move(timedelta(days=1))
            accept_partnership(session, reseller.as_role("global-admin"), partnership_id=invited.id)


def _build_customer(
    session: Session, spec: CustomerSpec, partners: dict[str, _PartnerCtx], catalog: _Catalog, now: datetime
) -> None:
    """One customer's whole story, in the caller's one transaction, each step at its own moment in the past."""
    rng = random.Random(SEED * 1_000_003 + spec.index)
    owner = partners[spec.owner]
    reseller = partners[spec.reseller] if spec.reseller else None
    days_ago = rng.randint(45, 720)
    start = now - timedelta(days=days_ago)
    with frozen_at(start):
        created = create_customer(
            session,
            owner.as_role(rng.choice(("sales-agent", "global-admin"))),
            company_name=spec.company_name,
            domain=spec.domain,
            billing=spec.billing,
            organization_registration_number=spec.registration,
            allow_delegated_access=rng.random() < 0.8,
            associated_partner_id=reseller.id if reseller else None,
        )
    cid = created.customer.id
    created.admin.password_is_one_time = False  # in the story the admin set their own (F1: needed for GDAP)
    admin = actor_for_user(session, created.admin, application=APP)
    subs = _place_orders(session, rng, spec, cid, owner, reseller, catalog, start)
    changed_at = start + timedelta(days=3 + rng.uniform(0, days_ago - 45))
    if spec.scenario == "revoked":  # asked for delegated admin, then thought better of it
        with frozen_at(start + timedelta(days=10)):
            inv = create_invitation(
                session, owner.as_role("admin-agent"), base_url=URL, customer_id=cid, include_delegated_admin=True
            )
        with frozen_at(start + timedelta(days=13)):
            revoke_invitation(session, owner.as_role("admin-agent"), invitation_id=inv.request.id)
    if not spec.scenario.startswith("offboard"):
        add_admin_story(
            session,
            rng,
            index=spec.index,
            company=spec.company_name,
            cid=cid,
            partner_admin=owner.admin,
            helpdesk=owner.agents.get("helpdesk-agent"),
            customer_admin=admin,
            start=start,
            now=now,
        )
        if reseller is not None:
            designate_reseller_support(
                session,
                rng,
                provider_admin=owner.admin,
                cid=cid,
                reseller_id=reseller.id,
                subs=subs,
                at=start + timedelta(days=2),
            )
        _churn(session, rng, owner, cid, subs, changed_at)
        return
    actor = owner.as_role("global-admin")
    for sub in [s for s in subs if s.parent_subscription_id is None] + subs:  # parents first: add-ons follow
        if sub.status == "active":
            _set_status(session, actor, cid, sub, "deleted" if sub.kind == "reservation" else "suspended", changed_at)
    with frozen_at(changed_at + timedelta(days=1)):
        remove_reseller_relationship(session, actor, customer_id=cid)
    if spec.scenario == "offboard-expired":
        with frozen_at(changed_at + timedelta(days=2)):
            create_invitation(session, actor, base_url=URL, customer_id=cid, valid_days=30)
    elif spec.scenario == "offboard-pending":
        with frozen_at(now - timedelta(days=rng.randint(1, 20))):
            create_invitation(session, actor, base_url=URL, customer_id=cid)
    elif spec.scenario == "offboard-back":
        sent = now - timedelta(days=rng.randint(10, 30))
        with frozen_at(sent):
            inv = create_invitation(
                session, actor, base_url=URL, customer_id=cid, include_delegated_admin=rng.random() < 0.5
            )
        accepted = sent + timedelta(days=rng.randint(1, 3))
        with frozen_at(accepted):
            accept_invitation(session, replace(admin, correlation_id=new_id()), code=inv.code)
        for sub in subs:  # the customer is back: the partner reactivates most of its subscriptions
            if sub.parent_subscription_id is None and sub.status == "suspended" and rng.random() < 0.6:
                _set_status(session, owner.as_role("helpdesk-agent"), cid, sub, "active", accepted)


def _place_orders(
    session: Session,
    rng: random.Random,
    spec: CustomerSpec,
    cid: str,
    owner: _PartnerCtx,
    reseller: _PartnerCtx | None,
    catalog: _Catalog,
    start: datetime,
) -> list[Subscription]:
    """Licences, maybe an Azure plan and reservations, then add-ons under their parents two days later."""
    employees = rng.choice((rng.randint(2, 25), rng.randint(2, 25), rng.randint(25, 250), rng.randint(250, 2000)))
    lang = spec.billing.language or "en"
    mpn = reseller.mpn_id if reseller else None
    big = employees > 25
    offers = rng.sample(catalog.core, min(len(catalog.core), rng.randint(2, 3) if big else rng.randint(1, 2)))
    offers += rng.sample(catalog.extras, min(len(catalog.extras), rng.randint(3, 7) if big else rng.randint(2, 4)))

    def line(offer_id: str, share: float, parent: str | None = None) -> LineItemInput:
        o = catalog.offers[offer_id]
        qty = max(o["min_quantity"], min(o["max_quantity"], round(employees * share)))
        name = o["name"]
        if o["kind"] == "license" and rng.random() < 0.2:
            name = f"{name} ({rng.choice(DEPARTMENTS[lang])})"
        return LineItemInput(
            offer_id=offer_id,
            quantity=qty,
            friendly_name=name,
            term_duration=rng.choice(o["term_durations"]),
            parent_subscription_id=parent,
            partner_id_on_record=mpn,
        )

    def order(lines: list[LineItemInput], cycle: str | None) -> list[Subscription]:
        actor = owner.as_role(rng.choice(("sales-agent", "global-admin")))
        return create_order(session, actor, customer_id=cid, line_items=lines, billing_cycle=cycle)[2]

    with frozen_at(start + timedelta(hours=1)):
        subs = order([line(o, rng.uniform(0.2, 1.0)) for o in offers], rng.choice(("monthly", "annual")))
        if rng.random() < 0.4:
            subs += order([line(catalog.azure, 0)], None)
        if rng.random() < (0.4 if big else 0.15):
            picks = rng.sample(catalog.reservations, rng.randint(1, 2))
            subs += order([line(r, rng.uniform(0.005, 0.02)) for r in picks], None)
    addon_lines = [
        line(catalog.addons[s.offer_id], rng.uniform(0.1, 0.5), s.id)
        for s in list(subs)
        if s.offer_id in catalog.addons and rng.random() < 0.6
    ]
    if addon_lines:
        with frozen_at(start + timedelta(days=2)):
            subs += order(addon_lines, "monthly")
    return subs


def _churn(
    session: Session, rng: random.Random, owner: _PartnerCtx, cid: str, subs: list[Subscription], at: datetime
) -> None:
    """Ordinary life: a few suspensions (some reactivated later) and some cancelled reservations."""
    for sub in subs:
        if sub.status != "active" or sub.parent_subscription_id is not None:
            continue
        if sub.kind == "reservation" and rng.random() < 0.35:
            _set_status(session, owner.as_role("admin-agent"), cid, sub, "deleted", at)
        elif sub.kind == "license" and rng.random() < 0.08:
            _set_status(session, owner.as_role("helpdesk-agent"), cid, sub, "suspended", at)
            if rng.random() < 0.3:
                _set_status(
                    session,
                    owner.as_role("helpdesk-agent"),
                    cid,
                    sub,
                    "active",
                    at + timedelta(days=rng.randint(2, 30)),
                )


def _set_status(session: Session, actor: Actor, cid: str, sub: Subscription, status: str, at: datetime) -> None:
    """Suspend, reactivate or cancel one subscription through the service, at the moment `at`."""
    with frozen_at(at):
        update_subscription(
            session, actor, customer_id=cid, subscription_id=sub.id, change=SubscriptionChange(status=status)
        )


def _demo_accounts(engine: Engine, plan: list[CustomerSpec]) -> list[DemoAccount]:
    """Every demo partner user, plus two customer admins (one with an invitation waiting), with the demo
    password set (hashed once and shared: all demo accounts have the same, well-known password). DEMO ONLY,
    exempt from the sign-in rules of real accounts: the password is not one-time and the demo tenants do not
    require MFA (the operator's account always does)."""
    accounts: list[DemoAccount] = []
    for p in PARTNERS:
        accounts.append(DemoAccount(p.admin_email, "global-admin", p.name))
        accounts += [DemoAccount(f"{local}@{p.domain}", role, p.name) for local, role in p.users]
    pending = next((c for c in plan if c.scenario == "offboard-pending"), None)
    italian = next((c for c in plan if c.scenario == "normal" and c.country == "IT"), None)
    for c in (pending, italian):
        if c is not None:
            accounts.append(DemoAccount(f"admin@{c.domain}", "customer global-admin", c.company_name))
    accounts.append(DemoAccount(DEMO_OPERATOR, "operator", "partnerhub"))
    with transaction(engine) as session:
        ensure_demo_operator(session)
        users = list(session.scalars(select(User).where(User.email.in_([a.email for a in accounts]))))
        shared = next((u.password_hash for u in users if verify_password(u.password_hash, DEMO_PASSWORD)), None)
        shared = shared or hash_password(DEMO_PASSWORD)
        for user in users:
            if user.password_hash != shared:
                user.password_hash = shared
            user.password_is_one_time = False  # DEMO ONLY: exempt, as the docstring says
        tenant_ids = {u.tenant_id for u in users if u.tenant_id is not None}
        for tenant in session.scalars(select(Tenant).where(Tenant.id.in_(tenant_ids))):
            tenant.requires_mfa = False
    found = {u.email for u in users}
    return [a for a in accounts if a.email in found]


def _counts(session: Session, column: Any) -> dict[str, int]:
    rows = [(str(k), int(n)) for k, n in session.execute(select(column, func.count()).group_by(column))]
    return dict(sorted(rows))


def summarize(engine: Engine) -> dict[str, Any]:
    """Counts of what the database holds: partners, customers, subscriptions, invitations, relationships."""
    with read_session(engine) as session:
        now = utc_now()
        invitations = Counter(r.status_at(now) for r in session.scalars(select(RelationshipRequest)))
        subs = _counts(session, Subscription.status)
        partners = _counts(session, Partner.partner_type)
        countries = _counts(session, Customer.country)
        return {
            "partners": {"total": sum(partners.values()), "byType": partners},
            "customers": {
                "total": sum(countries.values()),
                "byCountry": countries,
                "byLanguage": _counts(session, Customer.language),
            },
            "subscriptions": {
                "total": sum(subs.values()),
                "byStatus": subs,
                "byKind": _counts(session, Subscription.kind),
            },
            "invitations": {"total": sum(invitations.values()), "byStatus": dict(sorted(invitations.items()))},
            "relationships": _counts(session, ResellerRelationship.status),
            "partnerships": _counts(session, Partnership.status),
            "adminRelationships": _counts(session, AdminRelationship.status),
        }
