"""Errors of the lifecycle core: customers, relationships, invitations, orders, subscriptions, users."""

from __future__ import annotations

from partnerhub.errors.base import (
    Conflict,
    DomainError,
    ErrorKind,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    Unauthenticated,
)

# --- concrete errors ---------------------------------------------------------------------------------


class UnknownUser(Unauthenticated):
    code = 800121
    message = "No user signs in as {email}."


class CustomerNotFound(NotFound):
    code = 600
    message = "Customer {id} was not found."


class SubscriptionNotFound(NotFound):
    code = 601
    message = "Subscription {id} was not found."


class OrderNotFound(NotFound):
    code = 602
    message = "Order {id} was not found."


class OfferNotFound(NotFound):
    code = 603
    message = "Offer {id} is not in the catalog."


class PartnerNotFound(NotFound):
    code = 604
    message = "Partner {id} was not found."


class InvitationNotFound(NotFound):
    code = 605
    message = "Relationship request {id} was not found."


class UserNotFound(NotFound):
    code = 606
    message = "User {id} was not found."


class TokenNotFound(NotFound):
    code = 607
    message = "API token {id} was not found."


class JobNotFound(NotFound):
    code = 608
    message = "Job {id} was not found."


class NoCommerceRelationship(Forbidden):
    """Partner Center's 20002: the partner has no active reseller relationship with the customer."""

    code = 20002
    message = "There is no active reseller relationship with customer {customer_id}: purchases are refused."


class RemoveBlockedByActiveSubscriptions(InvalidState):
    """Our documented code: removal refused while subscriptions bought through the partner are active."""

    code = 800100
    message = (
        "The reseller relationship cannot be removed while {count} subscription(s) are active or pending. "
        "Suspend them first: {names}."
    )


class DuplicateDomain(Conflict):
    code = 800101
    message = "The domain {domain} is already used by another tenant."


class DuplicateEmail(Conflict):
    code = 800103
    message = "A user with e-mail {email} already exists."


class StaleEtag(InvalidState):
    """Partner Center's 2055: the resource changed since the client read it."""

    code = 2055
    message = "{resource} {id} has been changed by someone else since you read it; reload and try again."


class QuantityWhileSuspended(InvalidState):
    code = 2001
    message = "The quantity of a suspended subscription cannot be changed; reactivate it first."


class SubscriptionSuspendedChange(InvalidState):
    code = 800091
    message = "A suspended subscription accepts only reactivation or a new friendly name."


class SubscriptionDeleted(InvalidState):
    code = 800092
    message = "Subscription {id} is {status} and cannot be updated."


class AddonParentNotActive(InvalidState):
    code = 800093
    message = "The add-on cannot be active while its parent subscription {parent_id} is {status}."


class SubscriptionStatusChange(InvalidState):
    code = 800094
    message = "A subscription cannot go from {old} to {new}."


class ReservationNotSuspendable(InvalidState):
    code = 800095
    message = "Subscription {id} is a reservation: it cannot be suspended, only cancelled."


class InvitationExpired(InvalidState):
    code = 800110
    message = "This relationship request expired on {expires_at}; ask the partner for a new one."


class InvitationRevoked(InvalidState):
    code = 800111
    message = "This relationship request was revoked by the partner."


class InvitationAlreadyUsed(InvalidState):
    code = 800112
    message = "This relationship request has already been accepted."


class InvitationForAnotherCustomer(Forbidden):
    code = 800113
    message = "This relationship request is addressed to another customer."


class NotCustomerGlobalAdmin(Forbidden):
    code = 800114
    message = "Only a Global admin of a customer tenant can accept a relationship request."


class InvitationNotPending(InvalidState):
    code = 800115
    message = "Relationship request {id} is {status}, not pending."


class AlreadyRelated(Conflict):
    code = 800116
    message = "The partner already has an active reseller relationship with this customer."


class OffboardingBlockedByReservations(InvalidState):
    code = 800160
    message = (
        "Offboarding is refused: {count} reservation(s) or software purchase(s) are active. "
        "Cancel them, or offboard with the option to cancel reservations."
    )


class InvalidQuantity(InvalidInput):
    code = 800130
    message = "Quantity must be between {minimum} and {maximum}; got {quantity}."


class InvalidTerm(InvalidInput):
    code = 800131
    message = "Offer {offer_id} is not sold with {field} {value}; choose one of: {allowed}."


class AddonWithoutParent(InvalidInput):
    code = 800132
    message = "Offer {offer_id} is an add-on of {parent_offer_id}: give a parent subscription of that offer."


class InvalidParent(InvalidInput):
    code = 800133
    message = "Subscription {parent_id} cannot be the parent of offer {offer_id}."


class EmptyOrder(InvalidInput):
    code = 800134
    message = "An order needs at least one line item."


class UnknownResellerOfRecord(InvalidInput):
    code = 800135
    message = "No indirect reseller has partner id {mpn_id}."


class CannotBeOwnCustomer(InvalidInput):
    code = 800140
    message = "A partner cannot be its own customer ({domain})."


class InvalidRole(InvalidInput):
    code = 800141
    message = "Unknown role {role}; choose from: {allowed}."


class LastGlobalAdmin(InvalidState):
    code = 800142
    message = "The last Global admin of a tenant cannot lose that role."


class TokenExpired(Unauthenticated):
    code = 800122
    message = "The API token has expired."


class TokenRevoked(Unauthenticated):
    code = 800123
    message = "The API token has been revoked."


class DatabaseNotMigrated(DomainError):
    kind = ErrorKind.UNAVAILABLE
    code = 800150
    message = "The database is not migrated; run: partnerhub db upgrade"


__all__ = [
    "AddonParentNotActive",
    "AddonWithoutParent",
    "AlreadyRelated",
    "CannotBeOwnCustomer",
    "CustomerNotFound",
    "DatabaseNotMigrated",
    "DuplicateDomain",
    "DuplicateEmail",
    "EmptyOrder",
    "InvalidParent",
    "InvalidQuantity",
    "InvalidRole",
    "InvalidTerm",
    "InvitationAlreadyUsed",
    "InvitationExpired",
    "InvitationForAnotherCustomer",
    "InvitationNotFound",
    "InvitationNotPending",
    "InvitationRevoked",
    "JobNotFound",
    "LastGlobalAdmin",
    "NoCommerceRelationship",
    "NotCustomerGlobalAdmin",
    "OffboardingBlockedByReservations",
    "OfferNotFound",
    "OrderNotFound",
    "PartnerNotFound",
    "QuantityWhileSuspended",
    "RemoveBlockedByActiveSubscriptions",
    "ReservationNotSuspendable",
    "StaleEtag",
    "SubscriptionDeleted",
    "SubscriptionNotFound",
    "SubscriptionStatusChange",
    "SubscriptionSuspendedChange",
    "TokenExpired",
    "TokenNotFound",
    "TokenRevoked",
    "UnknownResellerOfRecord",
    "UnknownUser",
    "UserNotFound",
]
