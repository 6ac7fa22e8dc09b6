"""The demo's delegated-admin and support-contact story for one customer: GDAP relationships in every
state, a helpdesk security group with access assignments, and subscriptions whose support contact is the
indirect reseller. Everything goes through the services, at moments in the past."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.clock import frozen_at
from partnerhub.delegated_admin.access import (
    add_group_member,
    create_access_assignment,
    create_security_group,
    list_security_groups,
)
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    lock_for_approval,
    reject_admin_relationship,
    terminate_admin_relationship,
)
from partnerhub.ids import new_id
from partnerhub.subscriptions.models import Subscription
from partnerhub.support_contacts.service import set_support_contact
from partnerhub.tenants.service import create_operator_account

HELPDESK_GROUP = "Helpdesk team"
# (name, roles, auto-extend days): least-privilege bundles a partner typically asks for.
BUNDLES = (
    ("Helpdesk", ["Helpdesk Administrator", "Global Reader"], 180),
    ("User management", ["User Administrator", "License Administrator"], 180),
    ("Exchange", ["Exchange Administrator"], 0),
    ("Security review", ["Security Administrator", "Global Reader"], 0),
)


def _helpdesk_group(session: Session, admin: Actor, helpdesk: Actor | None) -> str:
    """The partner's helpdesk security group (created once, with its helpdesk agent as member)."""
    for g in list_security_groups(session, admin):
        if g.group.display_name == HELPDESK_GROUP:
            return g.group.id
    group = create_security_group(session, admin, display_name=HELPDESK_GROUP)
    if helpdesk is not None and helpdesk.user_id is not None:
        add_group_member(session, admin, security_group_id=group.id, user=helpdesk.user_id)
    return group.id


def add_admin_story(
    session: Session,
    rng: random.Random,
    *,
    index: int,
    company: str,
    cid: str,
    partner_admin: Actor,
    helpdesk: Actor | None,
    customer_admin: Actor,
    start: datetime,
    now: datetime,
) -> None:
    """One or two GDAP relationships for the customer, in a state chosen by chance: approved (with an
    access assignment for the helpdesk group), pending, rejected, terminated or long expired."""
    if rng.random() > 0.45:
        return
    group_id = _helpdesk_group(session, partner_admin, helpdesk)
    for n in range(rng.choice((1, 1, 2))):
        label, roles, extend = BUNDLES[(index + n) % len(BUNDLES)]
        asked = start + timedelta(days=rng.randint(5, 40))
        outcome = rng.choices(("active", "pending", "rejected", "terminated", "expired"), (6, 2, 1, 1, 1))[0]
        duration = 30 if outcome == "expired" else rng.choice((180, 365, 730))
        if outcome == "expired":
            asked, extend = now - timedelta(days=rng.randint(60, 120)), 0
        elif outcome == "pending":  # a recent request: unapproved requests expire after 90 days
            asked = now - timedelta(days=rng.randint(1, 20))
        name = f"{label} · {company}"[:44] + f" #{index}"
        actor = replace(partner_admin, correlation_id=new_id())
        with frozen_at(asked):
            rel = create_admin_relationship(
                session,
                actor,
                customer_id=cid,
                display_name=name,
                role_ids=roles,
                duration_days=duration,
                auto_extend_days=extend,
            )
            lock_for_approval(session, actor, admin_relationship_id=rel.id)
        if outcome == "pending":
            continue
        with frozen_at(asked + timedelta(days=rng.randint(1, 4))):
            if outcome == "rejected":
                reject_admin_relationship(session, customer_admin, admin_relationship_id=rel.id)
                continue
            approve_admin_relationship(session, customer_admin, admin_relationship_id=rel.id)
            create_access_assignment(
                session, actor, admin_relationship_id=rel.id, security_group_id=group_id, role_ids=roles[:1]
            )
        if outcome == "terminated":
            with frozen_at(asked + timedelta(days=rng.randint(10, 30))):
                terminate_admin_relationship(session, customer_admin, admin_relationship_id=rel.id)


def designate_reseller_support(
    session: Session,
    rng: random.Random,
    *,
    provider_admin: Actor,
    cid: str,
    reseller_id: str,
    subs: list[Subscription],
    at: datetime,
) -> None:
    """The provider makes the indirect reseller the support contact of some of the customer's subscriptions."""
    with frozen_at(at):
        for sub in subs:
            if sub.status in ("active", "suspended") and rng.random() < 0.5:
                set_support_contact(
                    session,
                    replace(provider_admin, correlation_id=new_id()),
                    customer_id=cid,
                    subscription_id=sub.id,
                    support_tenant_id=reseller_id,
                )


DEMO_OPERATOR = "operator@partnerhub.example"


def ensure_demo_operator(session: Session) -> None:
    """The demo's operator account (the web's Partners and Catalog pages), created once."""
    if session.scalar(select(User.id).where(User.email == DEMO_OPERATOR)) is None:
        create_operator_account(session, Actor.system("demo"), email=DEMO_OPERATOR)
