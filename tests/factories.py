"""Small typed factories for test data, all going through the services (never raw rows)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.auth.service import actor_for_user, add_partner_user
from partnerhub.auth.sign_in import set_own_password
from partnerhub.customers.schemas import BillingProfileInput
from partnerhub.customers.service import CreatedCustomer, create_customer
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.subscriptions.models import Subscription
from partnerhub.tenants.service import create_partner

_seq = itertools.count(1)
# The password every factory-made user sets at its "first sign-in": generated passwords work once (F1).
OWN_PASSWORD = "correct horse battery staple"


def take_over(session: Session, user: User, one_time_password: str) -> User:
    """What a new user does first: replace the generated password with their own, through the service."""
    return set_own_password(
        session, user, actor=actor_for_user(session, user), current=one_time_password, new=OWN_PASSWORD
    )


M365_BASIC = "CFQ7TTC0LH18:0001"
M365_E3 = "CFQ7TTC0LFLX:0001"
TEAMS_PHONE_ADDON = "CFQ7TTC0LGZT:0001"  # add-on of M365 E3
AZURE_RESERVATION = "DZH318Z0BQ4B:0047"


@dataclass
class PartnerWorld:
    partner_id: str
    mpn_id: str
    admin: Actor
    admin_agent: Actor
    sales_agent: Actor
    helpdesk_agent: Actor


def make_partner(
    session: Session, *, name: str | None = None, domain: str | None = None, partner_type: str = "direct"
) -> PartnerWorld:
    n = next(_seq)
    created = create_partner(
        session,
        Actor.system(),
        name=name or f"Partner {n}",
        partner_type=partner_type,
        domain=domain or f"partner{n}.example",
        admin_email=f"admin{n}@{domain or f'partner{n}.example'}",
    )
    take_over(session, created.admin, created.password)
    admin = actor_for_user(session, created.admin)
    actors = {}
    for role in (Role.ADMIN_AGENT, Role.SALES_AGENT, Role.HELPDESK_AGENT):
        user, pw = add_partner_user(
            session, admin, email=f"{role.value}{n}@{created.tenant.domain}", roles=[role.value]
        )
        take_over(session, user, pw)
        actors[role] = actor_for_user(session, user)
    return PartnerWorld(
        created.partner.id,
        created.partner.mpn_id,
        admin,
        actors[Role.ADMIN_AGENT],
        actors[Role.SALES_AGENT],
        actors[Role.HELPDESK_AGENT],
    )


def make_customer(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    domain: str | None = None,
    language: str = "en",
    dap: bool = True,
    own_password: bool = True,
) -> CreatedCustomer:
    """A customer; its Global admin has set their own password unless `own_password=False` (then it still
    has the generated one the partner was shown)."""
    n = next(_seq)
    created = create_customer(
        session,
        actor,
        company_name=name or f"Customer {n}",
        domain=domain or f"customer{n}.example",
        billing=BillingProfileInput(
            first_name="Anna",
            last_name="Rossi",
            email=f"billing{n}@example.com",
            culture="it-IT" if language == "it" else "en-US",
            language=language,
            address_line1="Via Roma 1",
            city="Milano",
            postal_code="20100",
            country="IT" if language == "it" else "US",
        ),
        allow_delegated_access=dap,
    )
    if own_password:
        take_over(session, created.admin, created.password)
    return created


def share_customer(session: Session, partner_admin: Actor, customer_admin: Actor) -> None:
    """Another partner becomes related to the customer too: its request, accepted by the customer's Global admin."""
    invitation = create_invitation(session, partner_admin, base_url="https://hub.example")
    accept_invitation(session, customer_admin, code=invitation.code)


def buy(
    session: Session,
    actor: Actor,
    customer_id: str,
    offer_id: str = M365_BASIC,
    quantity: int = 5,
    *,
    parent_id: str | None = None,
    friendly_name: str | None = None,
) -> Subscription:
    """Order one line item and return the subscription it created."""
    _order, _items, subs = create_order(
        session,
        actor,
        customer_id=customer_id,
        line_items=[
            LineItemInput(
                offer_id=offer_id, quantity=quantity, parent_subscription_id=parent_id, friendly_name=friendly_name
            )
        ],
    )
    return subs[0]
