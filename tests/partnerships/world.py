"""The indirect world for tests: a provider and a reseller with one user per role, partnering, records."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user
from partnerhub.customers.schemas import BillingProfileInput
from partnerhub.customers.service import CreatedCustomer, create_customer
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.partnerships.models import Partnership
from partnerhub.partnerships.service import accept_partnership, invite_reseller
from tests.activity import activity
from tests.factories import PartnerWorld, make_partner

_seq = itertools.count(1)


@dataclass
class Indirect:
    provider: PartnerWorld
    reseller: PartnerWorld


def make_indirect(session: Session) -> Indirect:
    return Indirect(
        make_partner(session, name="Tailspin Distribution", partner_type="indirect-provider"),
        make_partner(session, name="Adatum Rivendita", partner_type="indirect-reseller"),
    )


def partner_up(session: Session, provider: PartnerWorld, reseller: PartnerWorld) -> Partnership:
    """Invite and accept: an active partnership."""
    p = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    return accept_partnership(session, reseller.admin, partnership_id=p.id)


def records(
    session: Session,
    operation: str,
    *,
    partner_id: str | None = None,
    resource_id: str | None = None,
    customer_id: str | None = None,
) -> list[ActivityRecord]:
    return activity(
        session, operation=operation, partner_id=partner_id, resource_id=resource_id, customer_id=customer_id
    )


def customer_for_reseller(
    session: Session, provider: Actor, reseller: PartnerWorld, name: str | None = None
) -> CreatedCustomer:
    """The provider creates a customer for its reseller (Partner Center's associatedPartnerId)."""
    n = next(_seq)
    return create_customer(
        session,
        provider,
        company_name=name or f"Indirect Customer {n}",
        domain=f"indirect{n}.example",
        billing=BillingProfileInput(email=f"it{n}@example.com", country="IT", language="it"),
        associated_partner_id=reseller.partner_id,
    )


def customer_admin(session: Session, created: CreatedCustomer) -> Actor:
    return actor_for_user(session, created.admin)


def relate(session: Session, partner: PartnerWorld, admin_of_customer: Actor) -> None:
    """The customer's Global admin accepts the partner's relationship request."""
    created = create_invitation(session, partner.admin, base_url="http://127.0.0.1:8000")
    accept_invitation(session, admin_of_customer, code=created.code)
