"""Errors of the indirect model and support contacts (codes 800300-800399, 620-629)."""

from __future__ import annotations

from partnerhub.errors.base import Conflict, Forbidden, InvalidInput, InvalidState, NotFound

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


__all__ = [
    "NoActivePartnership",
    "NotAnIndirectProvider",
    "NotAnIndirectReseller",
    "OnlyResellerAccepts",
    "PartnerReferenceMismatch",
    "PartnerReferenceMissing",
    "PartnershipAlreadyEnded",
    "PartnershipAlreadyOpen",
    "PartnershipNotFound",
    "PartnershipNotInvited",
    "ProviderRelationshipEnded",
    "ResellerNotRelatedToCustomer",
    "ResellerOfRecordNotAllowed",
    "ResellerPlacesNoOrders",
    "SupportContactChangeForbidden",
    "SupportContactNotAllowed",
]


class ProviderRelationshipEnded(InvalidState):
    """A reseller of record cannot bring back a subscription its provider no longer sells to the customer."""

    code = 800314
    message = (
        "Subscription {id} cannot be reactivated: its provider no longer has a reseller relationship with the customer."
    )
