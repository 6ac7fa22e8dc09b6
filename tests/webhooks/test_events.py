"""Which events the operations raise, through the real services: the seed's removal raises
`reseller-relationship-removed` once, after all its effects; a customer accepting an invitation with DAP
raises the acceptance and `dap-admin-relationship-approved`; a partner creating a customer raises only
`customer-created`; offboarding raises its suspensions, the removal and `offboarding-completed`."""

from __future__ import annotations

from sqlalchemy import Connection

from partnerhub.auth.service import actor_for_user
from partnerhub.db import transaction
from partnerhub.invitations.service import accept_invitation, create_invitation
from partnerhub.usecases.customer_ends_relationship import customer_ends_relationship
from partnerhub.usecases.offboard_customer import offboard_customer
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from partnerhub.webhooks.events import EVENT_NAMES
from tests.factories import buy, make_customer
from tests.webhooks.helpers import dispatch, subscribe
from tests.webhooks.receiver import Receiver


def _names(receiver: Receiver, count: int) -> list[str]:
    return [r.json["EventName"] for r in receiver.wait_for(count)]


def test_removal_then_acceptance_with_dap(connection: Connection, receiver: Receiver) -> None:
    sub = subscribe(connection, receiver.url, list(EVENT_NAMES))
    with transaction(connection) as session:
        created = make_customer(session, sub.world.admin, dap=False)
        customer_id = created.customer.id
    with transaction(connection) as session:
        remove_reseller_relationship(session, sub.world.admin, customer_id=customer_id)
    with transaction(connection) as session:
        code = create_invitation(
            session, sub.world.admin, base_url="http://x", customer_id=customer_id, include_delegated_admin=True
        ).code
    with transaction(connection) as session:
        accept_invitation(session, actor_for_user(session, created.admin), code=code, secret_key="test")
    while dispatch(connection):
        pass
    assert _names(receiver, 4) == [
        "customer-created",
        "reseller-relationship-removed",
        "reseller-relationship-accepted-by-customer",
        "dap-admin-relationship-approved",
    ]


def test_offboarding_raises_its_suspensions_the_removal_and_its_completion(
    connection: Connection, receiver: Receiver
) -> None:
    sub = subscribe(
        connection, receiver.url, ["subscription-updated", "reseller-relationship-removed", "offboarding-completed"]
    )
    with transaction(connection) as session:
        customer_id = make_customer(session, sub.world.admin).customer.id
        buy(session, sub.world.admin, customer_id)
        buy(session, sub.world.admin, customer_id)
    with transaction(connection) as session:
        offboard_customer(session, sub.world.admin, customer_id=customer_id)
    while dispatch(connection):
        pass
    assert _names(receiver, 4) == [
        "subscription-updated",
        "subscription-updated",
        "reseller-relationship-removed",
        "offboarding-completed",
    ]


def test_a_customer_ending_the_relationship_raises_the_removal_for_its_partner(
    connection: Connection, receiver: Receiver
) -> None:
    sub = subscribe(connection, receiver.url, ["reseller-relationship-removed"])
    with transaction(connection) as session:
        created = make_customer(session, sub.world.admin, dap=False)
    with transaction(connection) as session:
        customer_ends_relationship(session, actor_for_user(session, created.admin), partner_id=sub.world.partner_id)
    while dispatch(connection):
        pass
    [event] = receiver.wait_for(1)
    assert event.json["EventName"] == "reseller-relationship-removed"
    assert created.customer.id.lower() in event.json["ResourceUri"].lower()
