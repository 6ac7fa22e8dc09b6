"""Errors of tenancy (issue 12): partners' verified domains (F5) and a shared customer's billing profile (F4);
codes 800180-800189 and 630."""

from __future__ import annotations

from partnerhub.errors.base import Conflict, InvalidInput, InvalidState, NotFound


class PartnerDomainNotFound(NotFound):
    code = 630
    message = "{domain} is not a verified domain of this partner."


class EmailOutsideVerifiedDomains(InvalidInput):
    code = 800180
    message = (
        "{email} is not in your organization's verified domains ({domains}). The platform's operator "
        "verifies your domains."
    )


class DomainAlreadyVerified(Conflict):
    code = 800181
    message = "The domain {domain} is already a tenant's domain or verified for a partner."


class DomainHasOtherTenantsUsers(Conflict):
    code = 800182
    message = (
        "The domain {domain} cannot be verified for this partner: {count} user(s) of other tenants have "
        "an e-mail address in it."
    )


class LastVerifiedDomain(InvalidState):
    code = 800183
    message = "{domain} is the partner's last verified domain: verify another one before removing it."


class SharedCustomerNeedsEtag(InvalidInput):
    code = 800184
    message = (
        "{resource} {id} is shared with another partner: send the etag you read (If-Match or "
        "attributes.etag), so that no change of theirs is overwritten unseen."
    )


__all__ = [
    "DomainAlreadyVerified",
    "DomainHasOtherTenantsUsers",
    "EmailOutsideVerifiedDomains",
    "LastVerifiedDomain",
    "PartnerDomainNotFound",
    "SharedCustomerNeedsEtag",
]
