"""Errors of delegated admin: DAP, GDAP, access assignments, customer users (codes 800200-800299, 610-619)."""

from __future__ import annotations

from partnerhub.errors.base import Conflict, Forbidden, InvalidInput, InvalidState, NotFound

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


class AdminRelationshipRequestNotFound(NotFound):
    code = 613
    message = "Request {id} of the admin relationship was not found."


class AdminRelationshipOperationNotFound(NotFound):
    code = 614
    message = "Operation {id} of the admin relationship was not found."


class DelegatedAdminCustomerNotFound(NotFound):
    code = 615
    message = "You have no active admin relationship with customer {id}."


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


# --- GDAP in bulk (usecases/gdap_bulk.py); codes 800290-800299


class NoActiveAdminRelationship(InvalidState):
    code = 800290
    message = "You have no active admin relationship with customer {customer_id}: there is nothing to end."


class GdapBulkActionInvalid(InvalidInput):
    code = 800291
    message = "Unknown bulk action {action}: use requestFromTemplate, terminate or renew."


class GdapBulkTemplateRequired(InvalidInput):
    code = 800292
    message = "Name the template to request the admin relationships from."


class NothingToRenew(InvalidState):
    code = 800293
    message = "You have no active admin relationship with customer {customer_id} to renew."


class TemplateRequestPending(Conflict):
    code = 800294
    message = "Customer {customer_id} already has a request from template {template} waiting for approval: {name}."


__all__ = [
    "AccessAssignmentExists",
    "AccessAssignmentNotFound",
    "AccessAssignmentRolesNotInRelationship",
    "AdminRelationshipDurationInvalid",
    "AdminRelationshipInvalidState",
    "AdminRelationshipNameInvalid",
    "AdminRelationshipNameTaken",
    "AdminRelationshipNotFound",
    "AdminRelationshipOperationNotFound",
    "AdminRelationshipRequestNotFound",
    "AdminRelationshipRolesRequired",
    "AdminRelationshipWithoutReseller",
    "AutoExtendDurationInvalid",
    "AutoExtendWithGlobalAdministrator",
    "CustomerUserDomainMismatch",
    "DelegatedAdminCustomerNotFound",
    "DelegatedAdminGrantRefused",
    "DelegatedAdminPartnerRequired",
    "DelegatedRoleRequired",
    "GdapBulkActionInvalid",
    "GdapBulkTemplateRequired",
    "GlobalAdminPasswordResetRefused",
    "NoActiveAdminRelationship",
    "NothingToRenew",
    "SecurityGroupNameInvalid",
    "SecurityGroupNameTaken",
    "SecurityGroupNotFound",
    "TemplateRequestPending",
    "UnknownGdapRole",
]
