"""Domain errors: a stable numeric code, an English message template (the gettext msgid) and parameters.

Every error the business can raise is a class here, so that the code, the wording and its translation
live in one place. Adapters map an error's *kind* to their own vocabulary (HTTP status, exit code) once.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every expected business failure."""

    kind: ClassVar[str] = "invalid"
    code: ClassVar[int] = 900
    message: ClassVar[str] = "The request is not valid."

    def __init__(self, data: list[dict[str, Any]] | None = None, **params: Any) -> None:
        self.params = params
        self.data = data or []
        super().__init__(self.render())

    def render(self, locale: str = "en") -> str:
        """The message in `locale` with its parameters filled in."""
        from partnerhub.locale import gettext

        return gettext(self.message, locale).format(**self.params)


def all_error_classes() -> list[type[DomainError]]:
    """Every concrete error class, for catalogs and documentation."""
    found: list[type[DomainError]] = []
    stack: list[type[DomainError]] = [DomainError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (c.code, c.__name__))


# --- kinds -------------------------------------------------------------------------------------------


class InvalidInput(DomainError):
    kind = "invalid"
    code = 900
    message = "The request is not valid: {detail}"


class NotFound(DomainError):
    kind = "not_found"
    code = 600
    message = "{resource} {id} was not found."


class Forbidden(DomainError):
    kind = "forbidden"
    code = 800102
    message = "Your role does not allow this operation: {operation}."


class Conflict(DomainError):
    kind = "conflict"
    code = 800101
    message = "The request conflicts with existing data."


class InvalidState(DomainError):
    kind = "invalid"
    code = 800091
    message = "This change is not allowed in the current state."


class Unauthenticated(DomainError):
    kind = "unauthenticated"
    code = 800120
    message = "Sign-in failed: the credentials are missing, wrong, expired or revoked."


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
    kind = "unavailable"
    code = 800150
    message = "The database is not migrated; run: partnerhub db upgrade"


# --- delegated admin (delegated_admin/): DAP, GDAP, access assignments, customer users; codes 800200-800299, 610-619


class AdminRelationshipNotFound(NotFound):
    code = 610
    message = "Admin relationship {id} was not found."


class SecurityGroupNotFound(NotFound):
    code = 611
    message = "Security group {id} was not found."


class AccessAssignmentNotFound(NotFound):
    code = 612
    message = "Access assignment {id} was not found."


class UnknownGdapRole(InvalidInput):
    code = 800200
    message = "Unknown Microsoft Entra role {role}: give a built-in role template id or name."


class AdminRelationshipNameInvalid(InvalidInput):
    code = 800201
    message = "The display name of an admin relationship must be 1 to 50 characters long."


class AdminRelationshipNameTaken(Conflict):
    code = 800202
    message = "You already have an admin relationship named {name}."


class AdminRelationshipDurationInvalid(InvalidInput):
    code = 800203
    message = "The duration of an admin relationship must be between 1 and 730 days; got {days}."


class AdminRelationshipRolesRequired(InvalidInput):
    code = 800204
    message = "An admin relationship or access assignment needs at least one role."


class AutoExtendDurationInvalid(InvalidInput):
    code = 800205
    message = "The auto-extend duration must be 0 or 180 days; got {days}."


class AutoExtendWithGlobalAdministrator(InvalidInput):
    code = 800206
    message = "An admin relationship that includes the Global Administrator role cannot be auto-extended."


class AdminRelationshipInvalidState(InvalidState):
    code = 800207
    message = "Admin relationship {id} is {status}: this change is not allowed."


class AdminRelationshipWithoutReseller(InvalidState):
    code = 800208
    message = "Admin relationship {id} cannot be approved: the partner no longer has a reseller relationship."


class AccessAssignmentRolesNotInRelationship(InvalidInput):
    code = 800209
    message = "The roles {roles} are not part of admin relationship {id}."


class AccessAssignmentExists(Conflict):
    code = 800210
    message = "Security group {group} already has an access assignment in admin relationship {id}."


class SecurityGroupNameInvalid(InvalidInput):
    code = 800211
    message = "The name of a security group must be 1 to 100 characters long."


class SecurityGroupNameTaken(Conflict):
    code = 800212
    message = "You already have a security group named {name}."


class DelegatedAdminGrantRefused(InvalidState):
    """DAP is granted only at customer creation or by an accepted invitation that asked for it."""

    code = 800213
    message = (
        "Delegated admin privileges are granted only when the customer is created or when the customer accepts "
        "a relationship request that asks for them."
    )


class DelegatedAdminPartnerRequired(InvalidInput):
    code = 800214
    message = "Name the partner whose delegated admin privileges you remove."


class DelegatedRoleRequired(Forbidden):
    code = 800215
    message = "You hold no delegated admin role in customer {customer_id} that allows this operation: {operation}."


class GlobalAdminPasswordResetRefused(Forbidden):
    code = 800216
    message = "Only a Global Administrator can reset the password of a Global admin."


class CustomerUserDomainMismatch(InvalidInput):
    code = 800217
    message = "A user of this customer signs in with a name ending in @{domain}."


# --- indirect model and support contacts (partnerships/, support_contacts/): codes 800300-800399, 620-629


class PartnershipNotFound(NotFound):
    code = 620
    message = "Partnership {id} was not found."


class NotAnIndirectReseller(InvalidInput):
    code = 800300
    message = "Partner {name} ({mpn_id}) is not an indirect reseller."


class NotAnIndirectProvider(Forbidden):
    code = 800301
    message = "Only an indirect provider can do this: {operation}."


class PartnershipAlreadyOpen(Conflict):
    code = 800302
    message = "There is already an invited or active partnership with indirect reseller {name}."


class PartnershipNotInvited(InvalidState):
    code = 800303
    message = "Partnership {id} is {status}: only an invited partnership can be accepted."


class PartnershipAlreadyEnded(InvalidState):
    code = 800304
    message = "Partnership {id} has already ended."


class OnlyResellerAccepts(Forbidden):
    code = 800305
    message = "Only a Global admin of the invited indirect reseller can accept partnership {id}."


class NoActivePartnership(InvalidState):
    code = 800306
    message = "Indirect reseller {reseller} has no active partnership with indirect provider {provider}."


class ResellerNotRelatedToCustomer(InvalidState):
    code = 800307
    message = "Indirect reseller {reseller} has no active reseller relationship with customer {customer_id}."


class ResellerOfRecordNotAllowed(InvalidInput):
    code = 800308
    message = "Only an indirect provider can name a reseller of record (partnerIdOnRecord {mpn_id})."


class ResellerPlacesNoOrders(Forbidden):
    code = 800309
    message = (
        "An indirect reseller places no orders: its indirect provider orders for the customer "
        "and names it as reseller of record."
    )


class PartnerReferenceMissing(InvalidInput):
    code = 800310
    message = "Name the partner by its tenant id or its MPN id."


class PartnerReferenceMismatch(InvalidInput):
    code = 800311
    message = "Tenant id {tenant_id} and MPN id {mpn_id} name different partners."


class SupportContactChangeForbidden(Forbidden):
    code = 800312
    message = "Only the provider or direct partner that sold subscription {id} can change its support contact."


class SupportContactNotAllowed(InvalidInput):
    code = 800313
    message = (
        "{name} cannot be the support contact of subscription {id}: choose the partner that sold it "
        "or one of its indirect resellers related to the customer."
    )


# --- HTTP API (http/api/): request-level failures; codes 800400-800499


class IdempotencyKeyReused(Conflict):
    """The same MS-RequestId was sent with a different request: replaying the first answer would mislead."""

    code = 800400
    message = "Request id {request_id} was already used for a different request; send a new MS-RequestId."


class RequestTooLarge(DomainError):
    kind = "too_large"
    code = 800401
    message = "The request body is larger than {limit} bytes."


class InternalError(DomainError):
    """Anything unexpected: the client learns only that, and the correlation id to report."""

    kind = "internal"
    code = 800402
    message = "An unexpected error occurred. Report correlation id {correlation_id} to the operator."


class DatabaseUnavailable(DomainError):
    kind = "unavailable"
    code = 800403
    message = "The database is not reachable right now; try again shortly."
