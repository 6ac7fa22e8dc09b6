"""Errors of the GDAP role catalog and GDAP templates (issue 16 §1-§2; codes 618 and 800240-800249)."""

from __future__ import annotations

from partnerhub.errors.base import Conflict, InvalidInput, InvalidState, NotFound


class GdapTemplateNotFound(NotFound):
    code = 618
    message = "GDAP template {id} was not found."


class GdapRoleRetired(InvalidInput):
    code = 800240
    message = "The Microsoft Entra role {role} is retired: new requests and templates cannot ask for it."


class GdapRoleCatalogInvalid(InvalidInput):
    code = 800241
    message = "The role catalog cannot be imported: {detail}. Nothing was changed."


class GdapTemplateNameInvalid(InvalidInput):
    code = 800242
    message = "The name of a GDAP template must be 1 to 100 characters long."


class GdapTemplateNameTaken(Conflict):
    code = 800243
    message = "You already have a GDAP template named {name}."


class GdapTemplateAssignmentInvalid(InvalidInput):
    code = 800244
    message = "Security group {group} must get at least one of the template's roles; these are not among them: {roles}."


class GdapTemplateGroupRepeated(InvalidInput):
    code = 800245
    message = "Security group {group} appears more than once in the template: give each group its roles once."


class AdminRelationshipNotRenewable(InvalidState):
    code = 800246
    message = "Admin relationship {id} is {status}: only an active relationship can be renewed."


class AdminRelationshipRenewalPending(Conflict):
    code = 800247
    message = "Admin relationship {id} was already renewed by {renewal} ({status})."


__all__ = [
    "AdminRelationshipNotRenewable",
    "AdminRelationshipRenewalPending",
    "GdapRoleCatalogInvalid",
    "GdapRoleRetired",
    "GdapTemplateAssignmentInvalid",
    "GdapTemplateGroupRepeated",
    "GdapTemplateNameInvalid",
    "GdapTemplateNameTaken",
    "GdapTemplateNotFound",
]
