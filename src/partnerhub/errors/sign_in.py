"""Errors of signing in: one-time passwords, password changes, multi-factor sign-in and the tenant's MFA
policy (codes 800500-800519); resetting, renewing and turning off a factor (800510-800515)."""

from __future__ import annotations

from partnerhub.errors.base import Forbidden, InvalidInput, InvalidState


class PasswordChangeRequired(Forbidden):
    """The user still has the generated (one-time) password: nothing but setting a new one is allowed."""

    code = 800500
    message = "Set your own password first: the password you were given works only once."


class WrongCurrentPassword(InvalidInput):
    code = 800501
    message = "The current password is not correct."


class PasswordTooWeak(InvalidInput):
    code = 800502
    message = "A password needs at least {minimum} characters, and not only the same character."


class PasswordNotChanged(InvalidInput):
    code = 800503
    message = "The new password must differ from the current one."


class WrongMfaCode(InvalidInput):
    code = 800504
    message = "The code is not correct, has expired or was already used."


class MfaAlreadyEnabled(InvalidState):
    code = 800505
    message = "Multi-factor sign-in is already set up for this account."


class ApprovalNeedsOwnPassword(Forbidden):
    """F1: whoever issued a one-time password must not be able to approve GDAP with it."""

    code = 800508
    message = (
        "Only a Global admin who signed in with their own password can approve an admin relationship: "
        "set your own password first."
    )


class ApprovalNeedsMfa(Forbidden):
    code = 800509
    message = (
        "Your organisation requires multi-factor sign-in: sign in with your authenticator code to "
        "approve an admin relationship."
    )


class MfaNotEnabled(InvalidState):
    code = 800510
    message = "Multi-factor sign-in is not set up for {email}."


class MfaResetOfOwnAccount(InvalidState):
    """An administrator resets other users' factors; their own is theirs to turn off or renew."""

    code = 800511
    message = "Your own multi-factor sign-in is not reset here: turn it off or get new recovery codes on My account."


class MfaResetByOwnAdmin(Forbidden):
    """The operator helps a tenant's Global admin; every other user asks a Global admin of their own tenant."""

    code = 800512
    message = (
        "The operator resets the multi-factor sign-in of Global admins only: a Global admin of the user's "
        "organisation resets the others'."
    )


class MfaRequiredByPolicy(InvalidState):
    code = 800513
    message = "Your organisation requires multi-factor sign-in: it cannot be turned off."


class MfaRequiredForOperator(InvalidState):
    code = 800514
    message = "Operator accounts always sign in with multi-factor authentication: it cannot be turned off."


class MfaConfirmationMissing(InvalidInput):
    code = 800515
    message = "Confirm with a code from your authenticator app or with your password."


__all__ = [
    "ApprovalNeedsMfa",
    "ApprovalNeedsOwnPassword",
    "MfaAlreadyEnabled",
    "MfaConfirmationMissing",
    "MfaNotEnabled",
    "MfaRequiredByPolicy",
    "MfaRequiredForOperator",
    "MfaResetByOwnAdmin",
    "MfaResetOfOwnAccount",
    "PasswordChangeRequired",
    "PasswordNotChanged",
    "PasswordTooWeak",
    "WrongCurrentPassword",
    "WrongMfaCode",
]
