"""The catalogue of event names an endpoint can subscribe to, and which events each activity record raises.

Partner Center's names where Partner Center has the event; ours, in the same style, where it has none. The
mapping reads only the activity record (and whether the customer itself accepted, for the acceptance
events), so one record always raises the same events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from partnerhub.audit.operations import Operation

TEST_CREATED = "test-created"

# Partner Center's own event names
SUBSCRIPTION_UPDATED = "subscription-updated"
RESELLER_RELATIONSHIP_ACCEPTED = "reseller-relationship-accepted-by-customer"
INDIRECT_RESELLER_RELATIONSHIP_ACCEPTED = "indirect-reseller-relationship-accepted-by-customer"
DAP_APPROVED = "dap-admin-relationship-approved"
DAP_TERMINATED = "dap-admin-relationship-terminated"
GDAP_APPROVED = "granular-admin-relationship-approved"
GDAP_ACTIVATED = "granular-admin-relationship-activated"
GDAP_TERMINATED = "granular-admin-relationship-terminated"
GDAP_EXPIRED = "granular-admin-relationship-expired"
ASSIGNMENT_CREATED = "granular-admin-access-assignment-created"
ASSIGNMENT_ACTIVATED = "granular-admin-access-assignment-activated"
ASSIGNMENT_UPDATED = "granular-admin-access-assignment-updated"
ASSIGNMENT_DELETED = "granular-admin-access-assignment-deleted"

# ours, where Partner Center has no event
CUSTOMER_CREATED = "customer-created"
RESELLER_RELATIONSHIP_REMOVED = "reseller-relationship-removed"
RELATIONSHIP_REQUEST_EXPIRED = "relationship-request-expired"
RELATIONSHIP_REQUEST_REVOKED = "relationship-request-revoked"
GDAP_AUTO_EXTENDED = "granular-admin-relationship-auto-extended"
ORDER_CREATED = "order-created"
OFFBOARDING_COMPLETED = "offboarding-completed"

PARTNER_CENTER_EVENTS = (
    SUBSCRIPTION_UPDATED,
    RESELLER_RELATIONSHIP_ACCEPTED,
    INDIRECT_RESELLER_RELATIONSHIP_ACCEPTED,
    DAP_APPROVED,
    DAP_TERMINATED,
    GDAP_APPROVED,
    GDAP_ACTIVATED,
    GDAP_TERMINATED,
    GDAP_EXPIRED,
    ASSIGNMENT_CREATED,
    ASSIGNMENT_ACTIVATED,
    ASSIGNMENT_UPDATED,
    ASSIGNMENT_DELETED,
    TEST_CREATED,
)
OUR_EVENTS = (
    CUSTOMER_CREATED,
    RESELLER_RELATIONSHIP_REMOVED,
    RELATIONSHIP_REQUEST_EXPIRED,
    RELATIONSHIP_REQUEST_REVOKED,
    GDAP_AUTO_EXTENDED,
    ORDER_CREATED,
    OFFBOARDING_COMPLETED,
)
EVENT_NAMES = (*PARTNER_CENTER_EVENTS, *OUR_EVENTS)

# Operations whose every record raises the same events.
_BY_OPERATION: dict[str, tuple[str, ...]] = {
    Operation.UPDATE_SUBSCRIPTION: (SUBSCRIPTION_UPDATED,),
    Operation.SUSPEND_SUBSCRIPTION: (SUBSCRIPTION_UPDATED,),
    Operation.REACTIVATE_SUBSCRIPTION: (SUBSCRIPTION_UPDATED,),
    Operation.CANCEL_SUBSCRIPTION: (SUBSCRIPTION_UPDATED,),
    Operation.UPDATE_SUBSCRIPTION_SUPPORT_CONTACT: (SUBSCRIPTION_UPDATED,),
    Operation.REMOVE_PARTNER_CUSTOMER_DAP: (DAP_TERMINATED,),
    Operation.APPROVE_GRANULAR_ADMIN_RELATIONSHIP: (GDAP_APPROVED, GDAP_ACTIVATED),  # active on approval
    Operation.TERMINATE_GRANULAR_ADMIN_RELATIONSHIP: (GDAP_TERMINATED,),
    Operation.EXPIRE_GRANULAR_ADMIN_RELATIONSHIP: (GDAP_EXPIRED,),
    Operation.AUTO_EXTEND_GRANULAR_ADMIN_RELATIONSHIP: (GDAP_AUTO_EXTENDED,),
    Operation.CREATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: (ASSIGNMENT_CREATED, ASSIGNMENT_ACTIVATED),
    Operation.UPDATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: (ASSIGNMENT_UPDATED,),
    Operation.DELETE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: (ASSIGNMENT_DELETED,),
    Operation.ADD_CUSTOMER: (CUSTOMER_CREATED,),
    Operation.REMOVE_PARTNER_CUSTOMER_RELATIONSHIP: (RESELLER_RELATIONSHIP_REMOVED,),
    Operation.EXPIRE_RELATIONSHIP_REQUEST: (RELATIONSHIP_REQUEST_EXPIRED,),
    Operation.REVOKE_RELATIONSHIP_REQUEST: (RELATIONSHIP_REQUEST_REVOKED,),
    Operation.CREATE_ORDER: (ORDER_CREATED,),
    Operation.OFFBOARD_CUSTOMER: (OFFBOARDING_COMPLETED,),
}
# The operations that can raise an event at all: the dispatcher skips the others without reading their record.
EVENTFUL_OPERATIONS = frozenset({*_BY_OPERATION, Operation.ADD_PARTNER_CUSTOMER_RELATIONSHIP})

# What each event's resource is called in its body (ResourceName), by the activity record's resource type.
RESOURCE_NAMES = {
    "subscription": "Subscription",
    "customer": "Customer",
    "partner_relationship": "ResellerRelationship",
    "relationship_request": "RelationshipRequest",
    "order": "Order",
    "partner_customer_dap": "DelegatedAdmin",
    "granular_admin_relationship": "DelegatedAdminRelationship",
    "granular_admin_access_assignment": "DelegatedAdminAccessAssignment",
}


@dataclass(frozen=True)
class RecordFacts:
    """What the mapping needs to know about one activity record."""

    operation: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    by_the_customer: bool  # the acting user belongs to the record's customer


def events_for(facts: RecordFacts) -> tuple[str, ...]:
    """The events one activity record raises (none for most: sign-ins, tokens, users...)."""
    if facts.operation == Operation.ADD_PARTNER_CUSTOMER_RELATIONSHIP:
        if not facts.by_the_customer:
            return ()  # a partner created the customer (customer-created says so) or named a reseller
        new = facts.new or {}
        accepted = (
            INDIRECT_RESELLER_RELATIONSHIP_ACCEPTED if "indirectProviderId" in new else RESELLER_RELATIONSHIP_ACCEPTED
        )
        had_dap = bool((facts.old or {}).get("allowDelegatedAccess"))
        return (accepted, DAP_APPROVED) if new.get("allowDelegatedAccess") and not had_dap else (accepted,)
    return _BY_OPERATION.get(facts.operation, ())


def normalize_event_names(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the known names, lower-cased, deduplicated, in the catalogue's order; the unknown ones as given).
    Names are case-insensitive, as everywhere in the API."""
    wanted = {n.strip().lower(): n for n in names}
    known = [n for n in EVENT_NAMES if n in wanted]
    return known, [given for low, given in wanted.items() if low not in EVENT_NAMES]
