"""Customer use cases: create (tenant + Global admin + relationship), list, search, get, billing profile."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.operator_reads import record_operator_read_of_customer
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.auth.service import new_user
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.queries import (
    CustomerPage,
    SearchField,
    find_visible_customer,
    partners_of_customer_unscoped,
    select_visible_customers,
)
from partnerhub.customers.schemas import BillingProfileInput, billing_column, etag_version
from partnerhub.errors import (
    CannotBeOwnCustomer,
    CustomerNotFound,
    InvalidInput,
    SharedCustomerNeedsEtag,
    StaleEtag,
)
from partnerhub.ids import new_id, normalize_id
from partnerhub.locale import normalize_locale
from partnerhub.partnerships.queries import require_reseller_of
from partnerhub.relationships.episodes import relate_indirect_reseller
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.relationships.queries import require_active_relationship
from partnerhub.tenants.domains import verified_domains
from partnerhub.tenants.models import Tenant, TenantKind
from partnerhub.tenants.service import new_tenant, normalize_domain

CUSTOMER_MANAGERS = (Role.ADMIN_AGENT, Role.SALES_AGENT)


def may_create_customers(actor: Actor) -> bool:
    """Whether the actor may create customers (the roles `create_customer` accepts), for pages that offer it."""
    return actor.is_partner_user and (actor.has_any(Role.GLOBAL_ADMIN, *CUSTOMER_MANAGERS))


def may_update_billing_profile(actor: Actor) -> bool:
    """Whether the actor's roles may change a related customer's billing profile (`update_billing_profile`)."""
    return actor.is_partner_user and actor.has_any(Role.GLOBAL_ADMIN, *CUSTOMER_MANAGERS)


@dataclass(frozen=True)
class CreatedCustomer:
    customer: Customer
    relationship: ResellerRelationship
    admin: User
    password: str
    reseller_relationship: ResellerRelationship | None = None  # the associated indirect reseller's


def create_customer(
    session: Session,
    actor: Actor,
    *,
    company_name: str,
    domain: str,
    billing: BillingProfileInput,
    organization_registration_number: str = "",
    allow_delegated_access: bool = True,
    associated_partner_id: str | None = None,
) -> CreatedCustomer:
    """Create a customer: its tenant, its Global admin `admin@<domain>` with a one-time password, and an
    active reseller relationship with the creating partner (with DAP unless declined).

    With `associated_partner_id` an indirect provider creates the customer for one of its indirect
    resellers (Partner Center's `associatedPartnerId`): only an indirect provider may pass it, and the
    reseller must be in an active partnership with it. The reseller gets its own active relationship with
    the customer, without delegated admin privileges."""
    partner_id = actor.require_partner("create customer", *CUSTOMER_MANAGERS)
    reseller_id = None
    if associated_partner_id is not None:
        reseller_id = require_reseller_of(
            session,
            provider_id=partner_id,
            reseller_id=associated_partner_id,
            operation="create a customer for an indirect reseller",
        ).id
    if not company_name.strip():
        raise InvalidInput(detail="companyName is required")
    if len(company_name.strip()) > 200 or len(organization_registration_number.strip()) > 64:
        raise InvalidInput(detail="companyName is at most 200 characters, organizationRegistrationNumber 64")
    domain = normalize_domain(domain)
    partner_tenant = session.get(Tenant, partner_id)
    assert partner_tenant is not None
    if domain == partner_tenant.domain or domain in verified_domains(session, partner_id):
        raise CannotBeOwnCustomer(domain=domain)
    changes = billing.changes()
    tenant = new_tenant(session, kind=TenantKind.CUSTOMER, name=company_name, domain=domain)
    now = utc_now()
    customer = Customer(
        id=tenant.id,
        company_name=company_name.strip(),
        company_name_key=company_name.strip().lower(),
        domain=domain,
        organization_registration_number=organization_registration_number.strip(),
        created_at=now,
        version=1,
    )
    for name, value in changes.items():
        setattr(customer, billing_column(name), value)
    if not customer.billing_company_name:
        customer.billing_company_name = customer.company_name
    session.add(customer)
    session.flush()
    admin, password = new_user(
        session,
        tenant_id=tenant.id,
        email=f"admin@{domain}",
        roles=[Role.GLOBAL_ADMIN.value],
        locale=normalize_locale(customer.language),
    )
    rel = ResellerRelationship(
        id=new_id(),
        partner_id=partner_id,
        customer_id=customer.id,
        status=RelationshipStatus.ACTIVE,
        has_delegated_admin=allow_delegated_access,
        associated_partner_id=reseller_id,
        origin="customer-created",
        activated_at=now,
        version=1,
        customer_name_key=customer.company_name_key,
        customer_domain=customer.domain,
    )
    session.add(rel)
    added = {
        "companyName": customer.company_name,
        "domain": domain,
        "adminUserName": admin.email,
        "allowDelegatedAccess": allow_delegated_access,
    }
    if reseller_id is not None:
        added["associatedPartnerId"] = reseller_id
    record(
        session,
        actor,
        operation=Operation.ADD_CUSTOMER,
        resource_type=ResourceType.CUSTOMER,
        resource_id=customer.id,
        partner_id=partner_id,
        customer_id=customer.id,
        customer_name=customer.company_name,
        new=added,
        now=now,
    )
    reseller_rel = None
    if reseller_id is not None:
        session.flush()
        reseller_rel = relate_indirect_reseller(
            session,
            actor,
            reseller_id=reseller_id,
            provider_id=partner_id,
            customer=customer,
            origin="provider-created",
            now=now,
        )
    return CreatedCustomer(customer, rel, admin, password, reseller_rel)


def list_customers(
    session: Session,
    actor: Actor,
    *,
    size: int = 100,
    after: tuple[str, str] | None = None,
    prefix: str | None = None,
    field: SearchField = "company",
) -> CustomerPage:
    """The partner's customer list: customers with an active relationship, searchable by prefix."""
    partner_id = actor.require_partner("list customers", *Role)
    return select_visible_customers(session, partner_id=partner_id, size=size, after=after, prefix=prefix, field=field)


@dataclass(frozen=True)
class CustomerView:
    """A customer as its reader sees it: with the acting partner's active relationship (None for the
    customer's own users and the operator), as `list_customers` gives each row."""

    customer: Customer
    relationship: ResellerRelationship | None

    @property
    def has_delegated_admin(self) -> bool | None:
        """The acting partner's DAP flag; None for a reader that is not a partner."""
        return self.relationship.has_delegated_admin if self.relationship is not None else None


def get_customer(session: Session, actor: Actor, *, customer_id: str) -> CustomerView:
    """One customer with the acting partner's relationship, in one query: for a partner only with an active
    relationship (a foreign or former customer is "not found"), for a customer user only its own tenant, for
    the operator any."""
    customer_id = normalize_id(customer_id)
    if actor.is_partner_user:
        partner_id = actor.require_partner("get customer", *Role)
        row = find_visible_customer(session, partner_id=partner_id, customer_id=customer_id)
        if row is None:
            raise CustomerNotFound(id=customer_id)
        return CustomerView(*row)
    if not actor.is_operator and actor.tenant_id != customer_id:
        raise CustomerNotFound(id=customer_id)
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(id=customer_id)
    if actor.is_operator:
        record_operator_read_of_customer(
            session,
            actor,
            customer_id=customer.id,
            customer_name=customer.company_name,
            what="customer",
            partner_ids=[pid for pid, _name in partners_of_customer_unscoped(session, customer_id=customer.id)],
        )
    return CustomerView(customer, None)


def find_customer_by_id(session: Session, actor: Actor, *, customer_id: str) -> CustomerView | None:
    """Exact-id search: the customer if visible, else None."""
    try:
        return get_customer(session, actor, customer_id=customer_id)
    except CustomerNotFound:
        return None


def update_billing_profile(
    session: Session, actor: Actor, *, customer_id: str, billing: BillingProfileInput, etag: str | None = None
) -> Customer:
    """Update the billing profile (issue 12, F4). The customer owns it; any partner with an active
    relationship may change it through its Global admin, Admin agents or Sales agents. A stale etag is
    refused (2055); when the customer is shared with another partner an etag is required (800184), so that no
    partner overwrites another's change unseen. Each change is recorded in the activity log of every related
    partner (the others see which partner acted, not its user); unchanged values are no change."""
    partner_id = actor.require_partner("update billing profile", *CUSTOMER_MANAGERS)
    customer_id = normalize_id(customer_id)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    customer = session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise CustomerNotFound(id=customer_id)
    partners = partners_of_customer_unscoped(session, customer_id=customer.id)
    if etag is None and len(partners) > 1:
        raise SharedCustomerNeedsEtag(resource="Customer", id=customer.id)
    if etag is not None and etag_version(etag, customer.id) != customer.version:
        raise StaleEtag(resource="Customer", id=customer.id)
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for name, value in billing.changes().items():
        column = billing_column(name)
        if getattr(customer, column) != value:
            old[name] = getattr(customer, column)
            new[name] = value
            setattr(customer, column, value)
    if new:
        customer.version += 1
        now = utc_now()
        acting_name = next((name for pid, name in partners if pid == partner_id), "")
        for pid, _name in partners:
            # another partner's log names the partner that acted, never one of its users (F5)
            who = actor if pid == partner_id else dataclasses.replace(actor, user_id=None, email=acting_name)
            record(
                session,
                who,
                operation=Operation.UPDATE_CUSTOMER_BILLING_PROFILE,
                resource_type=ResourceType.CUSTOMER,
                resource_id=customer.id,
                partner_id=pid,
                customer_id=customer.id,
                customer_name=customer.company_name,
                old=old,
                new=new,
                now=now,
            )
    return customer
