"""Errors of signing in: one-time passwords, password changes, multi-factor sign-in and the tenant's MFA
policy (codes 800500-800519)."""

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
    message = ("Only a Global admin who signed in with their own password can approve an admin relationship: "
               "set your own password first.")


class ApprovalNeedsMfa(Forbidden):
    code = 800509
    message = ("Your organisation requires multi-factor sign-in: sign in with your authenticator code to "
               "approve an admin relationship.")


__all__ = [
    "ApprovalNeedsMfa",
    "ApprovalNeedsOwnPassword",
    "MfaAlreadyEnabled",
    "PasswordChangeRequired",
    "PasswordNotChanged",
    "PasswordTooWeak",
    "WrongCurrentPassword",
    "WrongMfaCode",
]
