"""Errors of single sign-on with OpenID Connect: a tenant's identity provider settings and the sign-in through
it (codes 800520-800539)."""

from __future__ import annotations

from partnerhub.errors.base import DomainError, ErrorKind, InvalidInput, NotFound, Unauthenticated


class SsoNotAvailable(InvalidInput):
    """The e-mail's organisation has no single sign-on turned on (or turned it off during the sign-in)."""

    code = 800520
    message = "Your organisation does not use single sign-on here: sign in with your password."


class SsoProviderUnavailable(DomainError):
    kind = ErrorKind.UNAVAILABLE
    code = 800521
    message = (
        "Your organisation's identity provider did not answer as expected. Try again in a moment, or sign "
        "in with your password."
    )


class SsoRefused(Unauthenticated):
    """The identity provider answered the callback with an error (the user cancelled, no consent...)."""

    code = 800522
    message = "Your organisation's identity provider did not sign you in ({reason})."


class SsoStateMismatch(Unauthenticated):
    code = 800523
    message = (
        "This single sign-on answer does not belong to a sign-in started in this browser, or came too late. "
        "Sign in again."
    )


class SsoEmailNotVerified(Unauthenticated):
    code = 800524
    message = (
        "Your organisation's identity provider has not verified your e-mail address, so it cannot sign you in here."
    )


class SsoUnknownUser(Unauthenticated):
    """No active user of the configuring tenant has the e-mail: the same words whether the e-mail belongs to
    nobody, to a disabled user or to a user of another tenant."""

    code = 800525
    message = (
        "There is no active user with the e-mail address {email} in your organisation. Ask your Global "
        "admin to add you."
    )


class SsoTokenInvalid(Unauthenticated):
    """The ID token failed a check: signature, issuer, audience, expiry, nonce."""

    code = 800526
    message = "The sign-in sent by your organisation's identity provider could not be verified. Sign in again."


class SsoIssuerInvalid(InvalidInput):
    code = 800527
    message = (
        "The issuer must be an https:// address without a query or fragment (http:// only for an identity "
        "provider on this machine)."
    )


class SsoSecretRequired(InvalidInput):
    code = 800528
    message = "Enter the client secret that your identity provider issued for partnerhub."


class SsoSecretUnreadable(DomainError):
    """The stored client secret was encrypted under another secret key (PARTNERHUB_SECRET_KEY changed)."""

    kind = ErrorKind.UNAVAILABLE
    code = 800529
    message = (
        "The identity provider's client secret cannot be read with this instance's secret key: a Global "
        "admin must enter it again."
    )


class SsoNotConfigured(NotFound):
    code = 800530
    message = "Single sign-on is not set up for {tenant}."


class SsoClientIdInvalid(InvalidInput):
    code = 800531
    message = "Enter the client ID that your identity provider issued for partnerhub (at most {limit} characters)."


__all__ = [
    "SsoClientIdInvalid",
    "SsoEmailNotVerified",
    "SsoIssuerInvalid",
    "SsoNotAvailable",
    "SsoNotConfigured",
    "SsoProviderUnavailable",
    "SsoRefused",
    "SsoSecretRequired",
    "SsoSecretUnreadable",
    "SsoStateMismatch",
    "SsoTokenInvalid",
    "SsoUnknownUser",
]
